"""The settings each municipality keeps in the volunteers database, set by the administrator: whether a
coordinator confirms each assignment of a volunteer (manual), or the best candidate is assigned at once.

The store is plumbing.municipality_settings: one document per municipality holding only what the administrator
set, over the default from `REDZAAM_MANUAL_ASSIGNMENT_MUNICIPALITIES`; read where it is used, one `$in` read for any
number of municipalities, so a change counts from the next request on, on every replica, without a restart.
"""

from collections.abc import Iterable
from typing import Any

from pydantic import Field
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.municipality_settings import MunicipalitySettingsBase, MunicipalitySettingsStore
from plumbing.unit_of_work import UnitOfWork
from services.volunteers.settings import VolunteersSettings


class MunicipalitySettings(MunicipalitySettingsBase):
    """A municipality's settings as they apply now: its stored changes over the defaults."""

    manual_assignment: bool = Field(
        description="A coordinator confirms each assignment; otherwise the best candidate is assigned at once. A "
        "change counts for the requests that come after it; turned off, requests already waiting there are assigned "
        "when a volunteer there is screened or gets free places, or by a coordinator."
    )


def defaults(settings: VolunteersSettings, municipality: str) -> dict[str, Any]:
    return {"manual_assignment": municipality in settings.manual_assignment_municipalities}


def store(db: AsyncDatabase[Any], settings: VolunteersSettings) -> MunicipalitySettingsStore[MunicipalitySettings]:
    return MunicipalitySettingsStore(db, MunicipalitySettings, lambda municipality: defaults(settings, municipality))


async def assigning_at_once(
    db: AsyncDatabase[Any], settings: VolunteersSettings, municipalities: Iterable[str]
) -> set[str]:
    """Those of `municipalities` where the best candidate is assigned without a coordinator, in one read."""
    effective = await store(db, settings).read(municipalities)
    return {code for code, setting in effective.items() if not setting.manual_assignment}


async def assigns_at_once(db: AsyncDatabase[Any], settings: VolunteersSettings, municipality: str) -> bool:
    return municipality in await assigning_at_once(db, settings, [municipality])


async def change_settings(
    work: UnitOfWork,
    settings: VolunteersSettings,
    municipality: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> MunicipalitySettings:
    """Stores `changes` for `municipality` (None: back to the default), audited with each value before and after;
    with `expected_version`, only if nobody changed the settings since (VersionConflict otherwise)."""
    return await store(work.db, settings).change(work, municipality, changes, expected_version)
