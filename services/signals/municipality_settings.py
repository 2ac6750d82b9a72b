"""The settings each municipality of the region keeps in the signals database, set by the administrator.

One document per municipality in `municipality_settings` (`_id` the CBS gemeentecode) holds only what the
administrator changed; whatever it does not hold comes from the defaults, which come from the environment settings
(`defaults`). A setting is read when it is used (one `$in` read for any number of municipalities), so a change takes
effect without a restart. Each change is audited (each value before and after) and guarded by the document's
version. The store itself is plumbing.municipality_settings, shared with the other services' settings.

To add a setting: a field on `MunicipalitySettings` (optional, or with a default), its default from the
environment in `defaults`, and a change through `change_settings` with the field name.
"""

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.municipality_settings import MunicipalitySettingsBase, MunicipalitySettingsStore, VersionConflict
from plumbing.unit_of_work import UnitOfWork
from services.signals.bundling import Policy
from services.signals.settings import SignalsSettings, TermWorkingDays, ThresholdCents

__all__ = ["MunicipalitySettings", "QueueWeights", "VersionConflict", "change_settings", "setting_for", "settings_for"]


class QueueWeights(BaseModel):
    """How much each factor counts in the order of cases with the same deadline day (see `services.signals.order`)."""

    model_config = ConfigDict(extra="forbid")

    crisis: int = Field(default=0, ge=0, le=1000, description="Per crisis (eviction or disconnection announced).")
    creditors: int = Field(default=0, ge=0, le=1000, description="Per creditor in the case.")
    amount: int = Field(default=0, ge=0, le=1000, description="Per EUR 100 of arrears.")
    age: int = Field(default=0, ge=0, le=1000, description="Per day since the first signal.")


class MunicipalitySettings(MunicipalitySettingsBase):
    """A municipality's settings as they apply now: its stored changes over the defaults."""

    model_config = ConfigDict(extra="ignore")

    threshold_cents: ThresholdCents = Field(
        description="Arrears (in cents, all creditors together) from which a case is worked; below it a case is "
        "registered only. A change counts for the signals that come in after it: a case below the old threshold "
        "is weighed again with its next signal."
    )
    term_working_days: TermWorkingDays = Field(
        description="Working days to reach out to a case that is not in crisis, counted from the day it opens. A "
        "change counts for the cases that open after it: an open case keeps its deadline."
    )
    queue_weights: QueueWeights | None = Field(
        default=None,
        description="None: the standard order (deadline, then crisis, creditors, amount, oldest first).",
    )


def defaults(settings: SignalsSettings, municipality: str) -> dict[str, Any]:
    """What applies when the administrator changed nothing: from the environment settings."""
    return {
        "threshold_cents": settings.threshold_for(municipality),
        "term_working_days": settings.term_for(municipality),
    }


def store(db: AsyncDatabase[Any], settings: SignalsSettings) -> MunicipalitySettingsStore[MunicipalitySettings]:
    return MunicipalitySettingsStore(db, MunicipalitySettings, lambda municipality: defaults(settings, municipality))


async def settings_for(
    db: AsyncDatabase[Any], settings: SignalsSettings, municipalities: Iterable[str]
) -> dict[str, MunicipalitySettings]:
    """The settings of each of `municipalities`, in one read."""
    return await store(db, settings).read(municipalities)


async def policies_for(
    db: AsyncDatabase[Any], settings: SignalsSettings, municipalities: Iterable[str]
) -> dict[str, Policy]:
    """The threshold and outreach term of each of `municipalities`, to fold a batch of signals: one read."""
    effective = await settings_for(db, settings, municipalities)
    return {code: Policy(setting.threshold_cents, setting.term_working_days) for code, setting in effective.items()}


async def setting_for(db: AsyncDatabase[Any], settings: SignalsSettings, municipality: str) -> MunicipalitySettings:
    return await store(db, settings).one(municipality)


async def change_settings(
    work: UnitOfWork,
    settings: SignalsSettings,
    municipality: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> MunicipalitySettings:
    """Stores `changes` (field name to new value, None for back to the default) for `municipality`, audited with
    each value before and after; with `expected_version`, only if nobody changed the settings since
    (VersionConflict otherwise)."""
    return await store(work.db, settings).change(work, municipality, changes, expected_version)
