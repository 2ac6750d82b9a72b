"""The administrator's settings per municipality in the volunteers service, over HTTP: manual assignment
(services.volunteers.municipality_settings)."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plumbing.access import Principal, Role, staff
from plumbing.municipality_settings import refused_in_body
from plumbing.reference import Municipality
from plumbing.web import RuntimeDep
from services.volunteers.municipality_settings import MunicipalitySettings, change_settings, store
from services.volunteers.settings import VolunteersSettings

router = APIRouter(prefix="/api/v1", tags=["municipality settings"])
Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]
Code = Annotated[Municipality, Path(description="CBS gemeentecode of a municipality of the region")]


class MunicipalitySettingsUpdate(BaseModel):
    """The settings to change: a field left out stays as it is, a field set to null goes back to the default."""

    model_config = ConfigDict(extra="forbid")

    manual_assignment: bool | None = Field(default=None, examples=[True])
    version: int | None = Field(
        default=None,
        ge=0,
        description="The version the change was made on; refused (409) when the settings changed since.",
    )


def _settings(request: Request) -> VolunteersSettings:
    settings: VolunteersSettings = request.app.state.settings
    return settings


@router.get("/municipalities/{code}/settings", summary="A municipality's settings as they apply now (administrators)")
async def municipality_settings(
    request: Request, runtime: RuntimeDep, admin: Administrator, code: Code
) -> MunicipalitySettings:
    return await store(runtime.db, _settings(request)).one(code)


@router.put(
    "/municipalities/{code}/settings",
    summary="Change a municipality's settings (administrators); in effect for the next request, audited",
    responses={409: {"description": "The settings changed since `version`."}},
)
async def change_municipality_settings(
    request: Request, runtime: RuntimeDep, admin: Administrator, code: Code, update: MunicipalitySettingsUpdate
) -> MunicipalitySettings:
    changes = update.model_dump(include=update.model_fields_set - {"version"})
    try:
        async with runtime.unit_of_work(request, admin) as work:
            return await change_settings(work, _settings(request), code, changes, update.version)
    except ValidationError as error:
        raise refused_in_body(error) from error
