"""The programme lead's numbers for each target, kept in the database and changed with an audit entry.

What a target counts is defined in code (`targets.DEFAULT_TARGETS`, or the `targets` setting): its metric and
filters. Its numbers, the period, the baseline, the kind and the figure to reach, start as those defaults and are
the programme lead's to change afterwards; a stored change outlives restarts and new releases of the definitions.
Targets are configuration, not counted facts, so a rebuild of the counters leaves them as they are.
"""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.errors import Invalid, NotFound
from plumbing.unit_of_work import UnitOfWork
from services.reporting.targets import Target

# the fields of a target a programme lead sets; the rest says what is counted
NUMBERS = ("label", "kind", "target", "baseline", "baseline_per_year", "reduction_percent", "start", "end")


class TargetNumbers(BaseModel):
    """A programme lead's change of a target. Every field is set: the form and the API send the whole target."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: str = Field(min_length=1, max_length=120)
    kind: Literal["reach", "reduction"]
    target: int | None = Field(default=None, gt=0, le=10**9, description="Kind `reach`: the number to reach.")
    baseline: int = Field(
        default=0, ge=0, le=10**9, description="Kind `reach`: how many there were when the period started."
    )
    baseline_per_year: int | None = Field(
        default=None,
        ge=0,
        le=10**9,
        description="Kind `reduction`: the yearly figure before the programme (the nulmeting).",
    )
    reduction_percent: int = Field(default=50, gt=0, le=100)
    start: date
    end: date


class UnknownTarget(NotFound):
    def __init__(self, target_id: str) -> None:
        super().__init__(f"target_id: target {target_id} does not exist")


class InvalidTarget(Invalid):
    """The numbers do not make a target; `field` names the one at fault."""


async def current_targets(db: AsyncDatabase[Any], definitions: list[Target]) -> list[Target]:
    """The targets with the programme lead's numbers where they changed them; one read."""
    stored = {document["_id"]: document async for document in db.targets.find({})}
    return [_with(definition, stored.get(definition.id)) for definition in definitions]


def _with(definition: Target, stored: dict[str, Any] | None) -> Target:
    if stored is None:
        return definition
    return Target.model_validate({**definition.model_dump(), **{key: stored[key] for key in NUMBERS if key in stored}})


async def change_target(work: UnitOfWork, definitions: list[Target], target_id: str, numbers: TargetNumbers) -> Target:
    """Sets a target's numbers; refused, naming the field, when they do not make a target."""
    definition = next((item for item in definitions if item.id == target_id), None)
    if definition is None:
        raise UnknownTarget(target_id)
    before = _with(definition, await work.db.targets.find_one({"_id": target_id}))
    try:
        changed = Target.model_validate({**definition.model_dump(), **numbers.model_dump()})
    except ValidationError as error:
        problem = error.errors()[0]
        message = str(problem["msg"]).removeprefix("Value error, ")
        field, _, text = message.partition(": ")
        if problem["loc"]:
            field, text = str(problem["loc"][0]), message
        raise InvalidTarget(field, text or message) from error
    differences = [
        f"{key}: {getattr(before, key)} -> {getattr(changed, key)}"
        for key in NUMBERS
        if getattr(before, key) != getattr(changed, key)
    ]
    work.audit("target.changed", f"target:{target_id}", reason="; ".join(differences)[:500])
    await work.db.targets.update_one(
        {"_id": target_id}, {"$set": numbers.model_dump(mode="json"), "$inc": {"version": 1}}, upsert=True
    )
    return changed
