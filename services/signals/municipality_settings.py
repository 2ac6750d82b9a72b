"""The settings each municipality of the region keeps in the signals database, set by the administrator.

One document per municipality in `municipality_settings` (`_id` the CBS gemeentecode) holds only what the
administrator changed; whatever it does not hold comes from the defaults, which come from the environment settings
(`defaults`). A setting is read when it is used (one `$in` read for any number of municipalities), so a change takes
effect without a restart. Each change is audited and guarded by the document's version.

To add a setting: a field on `MunicipalitySettings` (optional, or with a default), its default from the
environment in `defaults`, and a change through `change_settings` with the field name.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.unit_of_work import UnitOfWork
from services.signals.settings import SignalsSettings


class QueueWeights(BaseModel):
    """How much each factor counts in the order of cases with the same deadline day (see `services.signals.order`)."""

    model_config = ConfigDict(extra="forbid")

    crisis: int = Field(default=0, ge=0, le=1000, description="Per crisis (eviction or disconnection announced).")
    creditors: int = Field(default=0, ge=0, le=1000, description="Per creditor in the case.")
    amount: int = Field(default=0, ge=0, le=1000, description="Per EUR 100 of arrears.")
    age: int = Field(default=0, ge=0, le=1000, description="Per day since the first signal.")


class MunicipalitySettings(BaseModel):
    """A municipality's settings as they apply now: its stored changes over the defaults."""

    model_config = ConfigDict(extra="ignore")

    municipality: str
    queue_weights: QueueWeights | None = Field(
        default=None,
        description="None: the standard order (deadline, then crisis, creditors, amount, oldest first).",
    )
    version: int = Field(default=0, description="0 while nothing is stored; each change adds one.")


class VersionConflict(Exception):
    """The settings changed since the administrator read them."""


def defaults(settings: SignalsSettings, municipality: str) -> MunicipalitySettings:
    """What applies when the administrator changed nothing: from the environment settings."""
    return MunicipalitySettings(municipality=municipality)


def _applied(settings: SignalsSettings, municipality: str, stored: dict[str, Any] | None) -> MunicipalitySettings:
    base = defaults(settings, municipality).model_dump()
    changed = {key: value for key, value in (stored or {}).items() if key in MunicipalitySettings.model_fields}
    return MunicipalitySettings.model_validate({**base, **changed, "municipality": municipality})


async def settings_for(
    db: AsyncDatabase[Any], settings: SignalsSettings, municipalities: Iterable[str]
) -> dict[str, MunicipalitySettings]:
    """The settings of each of `municipalities`, in one read."""
    codes = sorted(set(municipalities))
    stored = {doc["_id"]: doc async for doc in db.municipality_settings.find({"_id": {"$in": codes}})}
    return {code: _applied(settings, code, stored.get(code)) for code in codes}


async def setting_for(db: AsyncDatabase[Any], settings: SignalsSettings, municipality: str) -> MunicipalitySettings:
    return (await settings_for(db, settings, [municipality]))[municipality]


async def change_settings(
    work: UnitOfWork,
    settings: SignalsSettings,
    municipality: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> MunicipalitySettings:
    """Stores `changes` (field name to new value, None for back to the default) for `municipality`, audited; with
    `expected_version`, only if nobody changed the settings since (VersionConflict otherwise)."""
    unknown = set(changes) - set(MunicipalitySettings.model_fields) | ({"municipality", "version"} & set(changes))
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))}: not a municipality setting")
    work.audit("municipality_settings.changed", f"municipality:{municipality}", reason=", ".join(sorted(changes)))
    current = await setting_for(work.db, settings, municipality)
    checked = MunicipalitySettings.model_validate({**current.model_dump(), **changes})
    values = checked.model_dump(mode="json", include=set(changes))
    version = current.version if expected_version is None else expected_version
    stamped = {**values, "changed_at": datetime.now(UTC), "changed_by": work.actor.who}
    if version == 0:  # nothing stored yet: the first change creates the document, a second one at once conflicts
        try:
            await work.db.municipality_settings.insert_one({"_id": municipality, **stamped, "version": 1})
        except DuplicateKeyError as error:
            raise VersionConflict(municipality) from error
    else:
        result = await work.db.municipality_settings.update_one(
            {"_id": municipality, "version": version}, {"$set": stamped, "$inc": {"version": 1}}
        )
        if result.matched_count != 1:
            raise VersionConflict(municipality)
    return checked.model_copy(update={"version": version + 1})
