"""Settings that belong to the cooperative, per municipality: stored by the service that uses them, changed by the
administrator on a page or through the API, audited with what they were before and after, and in effect at once.

A service keeps one document per municipality in its own `municipality_settings` collection (`_id` the CBS
gemeentecode). The document holds only what the administrator set; every other field comes from the service's
defaults (its environment settings), so the environment gives defaults only. The service's model says which settings
there are and what values they may take (a pydantic model subclassing `MunicipalitySettingsBase`).

Read where they are used, not cached: `read` costs one `$in` read for any number of municipalities, so a batch of
signals from many municipalities pays one read, and a change is seen by the very next batch on every replica. A cache
in each process would save that one read but, without a change stream (which the local server lacks), each replica
would have to ask the database whether its copy is stale: a read again, so nothing saved.

A change is guarded by the document's version: a change made on what was read before somebody else's change is
refused (`VersionConflict`), rather than silently undoing theirs.
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from fastapi import HTTPException, status
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import to_jsonable_python
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.errors import Conflict
from plumbing.unit_of_work import UnitOfWork
from plumbing.web import format_euro

logger = logging.getLogger(__name__)
COLLECTION = "municipality_settings"
CHANGED = "municipality_settings.changed"
BOOKKEEPING = frozenset({"municipality", "version", "changed_at", "changed_by", "overridden"})


class MunicipalitySettingsBase(BaseModel):
    """What every service's settings of one municipality carry besides the settings themselves."""

    municipality: str
    version: int = Field(default=0, description="0 while nothing is stored; each change adds one.")
    changed_at: datetime | None = Field(default=None, description="When the administrator last changed a setting.")
    changed_by: str = Field(default="", description="Who did.")
    overridden: list[str] = Field(
        default_factory=list, description="The settings the administrator set; the others are the defaults."
    )


M = TypeVar("M", bound=MunicipalitySettingsBase)


class VersionConflict(Conflict):
    """The settings changed since they were read: read them again and decide again."""


class UnknownSetting(ValueError):
    """A change names a field that is no setting."""


class MunicipalitySettingsStore(Generic[M]):
    """The settings of `model` per municipality in `db`; `defaults(code)` gives the values the environment sets."""

    def __init__(
        self,
        db: AsyncDatabase[Any],
        model: type[M],
        defaults: Callable[[str], Mapping[str, Any]],
        collection: str = COLLECTION,
    ) -> None:
        self._collection = db[collection]
        self._model = model
        self._defaults = defaults

    @property
    def setting_names(self) -> set[str]:
        return set(self._model.model_fields) - BOOKKEEPING

    def _applied(self, municipality: str, stored: Mapping[str, Any] | None) -> M:
        stored = stored or {}
        values = {name: stored[name] for name in self.setting_names if name in stored}
        return self._model.model_validate(
            {
                **self._defaults(municipality),
                **values,
                "municipality": municipality,
                "version": stored.get("version", 0),
                "changed_at": stored.get("changed_at"),
                "changed_by": stored.get("changed_by", ""),
                "overridden": sorted(values),
            }
        )

    async def read(self, municipalities: Iterable[str]) -> dict[str, M]:
        """The settings in effect for each of `municipalities`, in one read."""
        codes = sorted(set(municipalities))
        if not codes:
            return {}
        stored = {doc["_id"]: doc for doc in await self._collection.find({"_id": {"$in": codes}}).to_list()}
        return {code: self._tolerant(code, stored.get(code)) for code in codes}

    def _tolerant(self, municipality: str, stored: Mapping[str, Any] | None) -> M:
        """A stored value the model no longer accepts (its bounds were narrowed since) gives way to the default,
        loudly, rather than stopping every read of the settings, and with them intake."""
        try:
            return self._applied(municipality, stored)
        except ValidationError as error:
            wrong = {str(problem["loc"][0]) for problem in error.errors() if problem["loc"]}
            logger.warning(
                "stored municipality setting refused", extra={"municipality": municipality, "fields": sorted(wrong)}
            )
            return self._applied(municipality, {k: v for k, v in (stored or {}).items() if k not in wrong})

    async def one(self, municipality: str) -> M:
        return (await self.read([municipality]))[municipality]

    def checked(self, current: M, changes: Mapping[str, Any]) -> M:
        """The settings `current` would become with `changes`; a `ValidationError` names each field at fault."""
        kept = {name: getattr(current, name) for name in current.overridden if name not in changes}
        setting = {name: value for name, value in changes.items() if value is not None}
        return self._applied(current.municipality, {**kept, **setting, "version": current.version})

    async def change(
        self,
        work: UnitOfWork,
        municipality: str,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
    ) -> M:
        """Sets `changes` (setting name to new value; None: back to the default) for `municipality`, checked by the
        model (a `ValidationError` names the field at fault), audited with each setting before and after; with
        `expected_version`, only if nobody changed the settings since that version (`VersionConflict`)."""
        unknown = set(changes) - self.setting_names
        if unknown:
            raise UnknownSetting(f"{', '.join(sorted(unknown))}: not a municipality setting")
        current = await self.one(municipality)
        if not changes:
            return current
        before = current.model_dump(mode="json", include=set(changes))
        setting = {name: value for name, value in changes.items() if value is not None}
        record = f"municipality:{municipality}"
        try:
            checked = self.checked(current, changes)
        except ValidationError:  # audited as refused, with what was asked
            asked = {name: to_jsonable_python(value, fallback=str) for name, value in changes.items()}
            work.audit(CHANGED, record, _names(changes), changes=_before_after(before, asked))
            raise
        after = checked.model_dump(mode="json", include=set(changes))
        work.audit(CHANGED, record, _names(changes), changes=_before_after(before, after))
        if (current.version if expected_version is None else expected_version) != current.version:
            raise VersionConflict(f"the settings of {municipality} changed since version {expected_version}")
        now = datetime.now(UTC)
        stamp = {"changed_at": now, "changed_by": work.actor.who}
        values = {**checked.model_dump(mode="json", include=set(setting)), **stamp}
        cleared = {name: "" for name, value in changes.items() if value is None}
        if current.version == 0:  # nothing stored yet: the first change creates the document, a second one conflicts
            try:
                await self._collection.insert_one({"_id": municipality, **values, "version": 1})
            except DuplicateKeyError as error:
                raise VersionConflict(f"the settings of {municipality} changed meanwhile") from error
        else:
            update: dict[str, Any] = {"$set": values, "$inc": {"version": 1}}
            if cleared:
                update["$unset"] = cleared
            result = await self._collection.update_one({"_id": municipality, "version": current.version}, update)
            if result.matched_count != 1:
                raise VersionConflict(f"the settings of {municipality} changed meanwhile")
        return checked.model_copy(update={"version": current.version + 1, **stamp})


def _names(changes: Mapping[str, Any]) -> str:
    return ", ".join(sorted(changes))


def _before_after(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"before": before.get(name), "after": after.get(name)} for name in sorted(after)}


# pydantic's error types, as a person reads them beside the field; `{ge}` and the like come from the error's context
DUTCH_PROBLEMS = {
    "missing": "Vul dit in.",
    "int_parsing": "Vul een heel getal in.",
    "int_type": "Vul een heel getal in.",
    "int_from_float": "Vul een heel getal in, zonder komma.",
    "bool_parsing": "Kies ja of nee.",
    "bool_type": "Kies ja of nee.",
    "greater_than_equal": "Moet minstens {ge} zijn.",
    "greater_than": "Moet meer dan {gt} zijn.",
    "less_than_equal": "Mag hoogstens {le} zijn.",
    "less_than": "Moet minder dan {lt} zijn.",
    "extra_forbidden": "Dit is geen instelling.",
}


def dutch_errors(
    error: ValidationError, form_names: Mapping[str, str] | None = None, amounts: Iterable[str] = ()
) -> dict[str, str]:
    """A Dutch message per field at fault, keyed by the form's name for the field (`form_names`, else the model's);
    the bounds of the fields in `amounts` (cents) are written as euro amounts."""
    names, in_cents = form_names or {}, set(amounts)
    found: dict[str, str] = {}
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        message = DUTCH_PROBLEMS.get(problem["type"], "Deze waarde klopt niet.")
        context = {key: _dutch_number(value, field in in_cents) for key, value in (problem.get("ctx") or {}).items()}
        found.setdefault(names.get(field, field), message.format(**context))
    return found


def _dutch_number(value: Any, cents: bool) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        return str(value)
    return format_euro(value) if cents else f"{value:,}".replace(",", ".")


def refused_in_body(error: ValidationError) -> HTTPException:
    """A change the model refused, answered as FastAPI answers a bad body: 422 with each field at fault."""
    problems = [{**problem, "loc": ["body", *problem["loc"]]} for problem in error.errors(include_url=False)]
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems)
