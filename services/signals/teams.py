"""A municipality's neighbourhood teams (wijkteams): the postcode areas each covers, who works in it, its mailbox;
and routing a case to the team of its postcode area.

`team_for` is the rule (no I/O); `routes_for` answers it for a whole batch with one read of the teams. A case gets
its team when it is created (intake); when a team's areas change, the active cases of the areas it gained or lost
move, in one bulk write, and lose their assignee (who belongs to the old team).
"""

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator
from pymongo import UpdateMany
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.access import CASEWORKERS
from plumbing.errors import Conflict, Invalid, NotFound
from plumbing.reference import Municipality
from plumbing.unit_of_work import UnitOfWork
from services.signals.bundling import ACTIVE_STATUSES
from services.signals.domain import postcode_area

NO_TEAM = "geen"  # the filter value, in pages and API, for cases no team covers
NO_TEAM_LABEL = "Geen team"
PostcodeArea = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3}$")]


class TeamChange(BaseModel):
    """What the administrator sets of a team."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=80, examples=["Wijkteam Almelo-Noord"])
    postcode_areas: list[PostcodeArea] = Field(default_factory=list, description="PC4 areas the team covers.")
    mailbox: EmailStr | None = Field(default=None, description="Gets the team's daily digest of cases due.")
    members: list[str] = Field(default_factory=list, description="Usernames of its outreach workers and specialists.")

    @field_validator("postcode_areas", "members")
    @classmethod
    def distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class TeamCreate(TeamChange):
    municipality: Municipality


class TeamNotFound(NotFound):
    def __init__(self, team_id: str) -> None:
        super().__init__(f"team {team_id} does not exist")


class TeamVersionConflict(Conflict):
    def __init__(self, team_id: str) -> None:
        super().__init__(f"team {team_id} changed meanwhile; read it again")


class TeamRefused(Invalid, ValueError):
    """A team that cannot be: `field` names what is wrong."""


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.teams.create_index([("municipality", 1), ("name", 1)])
    await db.teams.create_index([("members", 1)])
    await db.cases.create_index([("municipality", 1), ("status", 1), ("team", 1), ("assignee", 1)])


def team_for(postcode: str, teams: Iterable[dict[str, Any]]) -> str | None:
    """The id of the team whose areas hold the postcode (full or PC4), or None; `teams` are the municipality's."""
    area = postcode_area(postcode.replace(" ", ""))
    return next((team["_id"] for team in teams if area in team["postcode_areas"]), None)


async def teams_by_municipality(
    db: AsyncDatabase[Any], municipalities: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """The teams of each municipality, in one read."""
    codes = sorted(set(municipalities))
    found: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    async for team in db.teams.find({"municipality": {"$in": codes}}).sort("name", 1):
        found[team["municipality"]].append(team)
    return found


async def routes_for(db: AsyncDatabase[Any], places: Sequence[tuple[str, str]]) -> list[str | None]:
    """The team of each (municipality, postcode), in order: one read for the whole batch."""
    teams = await teams_by_municipality(db, {municipality for municipality, _ in places})
    return [team_for(postcode, teams[municipality]) for municipality, postcode in places]


async def team_names(db: AsyncDatabase[Any], municipalities: Iterable[str]) -> dict[str, str]:
    """Team id to name, for the municipalities' teams."""
    teams = await teams_by_municipality(db, municipalities)
    return {team["_id"]: team["name"] for found in teams.values() for team in found}


async def teams_of(db: AsyncDatabase[Any], username: str) -> list[dict[str, Any]]:
    """The teams a worker belongs to."""
    return await db.teams.find({"members": username}).sort("name", 1).to_list()


async def get_team(db: AsyncDatabase[Any], team_id: str) -> dict[str, Any]:
    team: dict[str, Any] | None = await db.teams.find_one({"_id": team_id})
    if team is None:
        raise TeamNotFound(team_id)
    return team


async def create_team(work: UnitOfWork, created: TeamCreate) -> str:
    team_id = f"team-{uuid.uuid4().hex[:12]}"
    work.audit("team.created", f"team:{team_id}")
    await _check(work.db, created.municipality, team_id, created)
    now = datetime.now(UTC)
    document = {"_id": team_id, **created.model_dump(mode="json"), "version": 1, "created_at": now, "changed_at": now}
    await work.db.teams.insert_one(document)
    await _reroute(work.db, document)
    return team_id


async def change_team(work: UnitOfWork, team_id: str, change: TeamChange, version: int) -> None:
    """Changes the team if it is still at `version` (TeamVersionConflict otherwise); its cases follow its areas."""
    work.audit("team.changed", f"team:{team_id}")
    team = await get_team(work.db, team_id)
    await _check(work.db, team["municipality"], team_id, change)
    changes = {**change.model_dump(mode="json"), "changed_at": datetime.now(UTC)}
    result = await work.db.teams.update_one(
        {"_id": team_id, "version": version}, {"$set": changes, "$inc": {"version": 1}}
    )
    if result.matched_count != 1:
        raise TeamVersionConflict(team_id)
    if set(team["postcode_areas"]) != set(change.postcode_areas):
        await _reroute(work.db, {**team, **changes})


async def _check(db: AsyncDatabase[Any], municipality: str, team_id: str, change: TeamChange) -> None:
    """An area belongs to one team of the municipality; members are caseworkers of the municipality."""
    others = await db.teams.find(
        {"municipality": municipality, "_id": {"$ne": team_id}, "postcode_areas": {"$in": change.postcode_areas}},
        {"name": 1, "postcode_areas": 1},
    ).to_list()
    for other in others:
        shared = sorted(set(other["postcode_areas"]) & set(change.postcode_areas))
        raise TeamRefused("postcode_areas", f"{', '.join(shared)} already belong to {other['name']}")
    if change.members:
        accounts = await db.accounts.find(
            {"_id": {"$in": change.members}}, {"role": 1, "municipalities": 1, "active": 1}
        ).to_list()
        fitting = {
            account["_id"]
            for account in accounts
            if account.get("active") and account["role"] in CASEWORKERS and municipality in account["municipalities"]
        }
        unfit = [member for member in change.members if member not in fitting]
        if unfit:
            raise TeamRefused("members", f"{', '.join(unfit)}: no active caseworker of {municipality}")


async def _reroute(db: AsyncDatabase[Any], team: dict[str, Any]) -> int:
    """The municipality's active cases in the team's areas go to it, those it no longer covers to no team: one bulk
    write. A moved case loses its assignee; its version moves on, so an assignment made meanwhile conflicts."""
    active = {"municipality": team["municipality"], "status": {"$in": ACTIVE_STATUSES}}
    areas = team["postcode_areas"]
    moved = {"$set": {"team": team["_id"], "assignee": None}, "$inc": {"version": 1}}
    left = {"$set": {"team": None, "assignee": None}, "$inc": {"version": 1}}
    result = await db.cases.bulk_write(
        [
            UpdateMany({**active, "postcode_area": {"$in": areas}, "team": {"$ne": team["_id"]}}, moved),
            UpdateMany({**active, "team": team["_id"], "postcode_area": {"$nin": areas}}, left),
        ],
        ordered=False,
    )
    return result.modified_count
