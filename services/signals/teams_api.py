"""Administrator's API for neighbourhood teams (the order weights are a municipality setting:
`municipality_settings_api`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Request, status
from pydantic import ConfigDict, Field

from plumbing.access import Principal, Role, staff
from plumbing.reference import Municipality as InRegion
from plumbing.web import RuntimeDep
from services.signals.teams import (
    TeamChange,
    TeamCreate,
    change_team,
    create_team,
    teams_by_municipality,
)

router = APIRouter(prefix="/api/v1", tags=["teams"])
Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]


class TeamPublic(TeamCreate):
    model_config = ConfigDict(extra="ignore")

    id: str
    version: int


class TeamUpdate(TeamChange):
    version: int = Field(description="The version read: a change made meanwhile is refused with 409.")


def _public(team: dict[str, Any]) -> TeamPublic:
    return TeamPublic.model_validate({**team, "id": team["_id"]})


@router.get("/teams", response_model=list[TeamPublic], summary="A municipality's neighbourhood teams")
async def list_teams(runtime: RuntimeDep, admin: Administrator, municipality: InRegion) -> list[TeamPublic]:
    return [_public(team) for team in (await teams_by_municipality(runtime.db, [municipality]))[municipality]]


@router.post(
    "/teams", status_code=status.HTTP_201_CREATED, summary="A new team; the open cases of its areas move to it"
)
async def add_team(created: TeamCreate, runtime: RuntimeDep, request: Request, admin: Administrator) -> dict[str, str]:
    async with runtime.unit_of_work(request, admin) as work:
        return {"id": await create_team(work, created)}


@router.put("/teams/{team_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Change a team (its cases follow)")
async def update_team(
    team_id: str, change: TeamUpdate, runtime: RuntimeDep, request: Request, admin: Administrator
) -> None:
    async with runtime.unit_of_work(request, admin) as work:
        await change_team(
            work, team_id, TeamChange.model_validate(change.model_dump(exclude={"version"})), change.version
        )
