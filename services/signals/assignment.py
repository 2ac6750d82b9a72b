"""Use cases: a worker takes a case on, assigns it to a colleague of its team, or hands it back; one case from its
page, or many from the queue at once.

Who may: a caseworker of the case's municipality; one who belongs to teams there only for the cases of those teams
and the cases no team covers. To whom: an active caseworker of the municipality, of the case's team if it has one.
A change of one case is guarded by the version the worker saw (CaseChanged otherwise); many cases cost three reads
and one bulk write, and one audit entry per case (written together by the unit of work).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.access import CASEWORKERS, Principal
from plumbing.errors import Conflict, Forbidden, Invalid
from plumbing.unit_of_work import UnitOfWork
from services.signals.bundling import ACTIVE_STATUSES, OPEN
from services.signals.casework import CaseNotFound, CaseNotOpen, get_case
from services.signals.municipality_settings import setting_for
from services.signals.order import why
from services.signals.settings import SignalsSettings
from services.signals.teams import NO_TEAM_LABEL

MAX_BULK = 200


class NotYourTeam(Forbidden):
    """The worker may not assign this case: it belongs to another team (or municipality)."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} belongs to another team or municipality")


class AssigneeUnfit(Invalid, ValueError):
    def __init__(self, assignee: str, why: str) -> None:
        super().__init__("assignee", f"{assignee} {why}")


class CaseChanged(Conflict):
    """The case changed since the worker saw it."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} changed meanwhile; reload it")


@dataclass(frozen=True)
class BulkAssigned:
    assigned: list[str]
    changed: list[str]  # changed or closed meanwhile: left as they were


async def workers_teams(db: AsyncDatabase[Any], username: str) -> dict[str, set[str]]:
    """Per municipality, the teams the worker belongs to there."""
    found: dict[str, set[str]] = {}
    async for team in db.teams.find({"members": username}, {"municipality": 1}):
        found.setdefault(team["municipality"], set()).add(team["_id"])
    return found


def may_assign(worker: Principal, teams: dict[str, set[str]], case: dict[str, Any]) -> bool:
    own = teams.get(case["municipality"], set())
    team = case.get("team")
    return worker.serves(case["municipality"]) and (not own or team is None or team in own)


async def assignable(db: AsyncDatabase[Any], assignee: str, cases: Sequence[dict[str, Any]]) -> None:
    """Refuses (AssigneeUnfit) an assignee who may not work every one of `cases`."""
    account = await db.accounts.find_one({"_id": assignee}, {"role": 1, "municipalities": 1, "active": 1})
    if account is None or not account.get("active") or account["role"] not in CASEWORKERS:
        raise AssigneeUnfit(assignee, "is no active outreach worker or debt specialist")
    team_ids = sorted({case["team"] for case in cases if case.get("team")})
    members = {team["_id"]: set(team["members"]) for team in await db.teams.find({"_id": {"$in": team_ids}}).to_list()}
    for case in cases:
        if case["municipality"] not in account["municipalities"]:
            raise AssigneeUnfit(assignee, f"does not work for {case['municipality']}")
        if case.get("team") and assignee not in members.get(case["team"], set()):
            raise AssigneeUnfit(assignee, "is not in the case's team")


def _assigning(assignee: str | None, who: str) -> dict[str, Any]:
    return {
        "$set": {"assignee": assignee, "assigned_by": who, "assigned_at": datetime.now(UTC)},
        "$inc": {"version": 1},
    }


async def assign_case(
    work: UnitOfWork, worker: Principal, case_id: str, assignee: str | None, version: int
) -> dict[str, Any]:
    """Assigns the case to `assignee` (None: nobody), if it is still at `version`."""
    work.audit("case.assigned" if assignee else "case.unassigned", f"case:{case_id}", reason=assignee or "")
    case = await get_case(work.db, case_id)
    if not may_assign(worker, await workers_teams(work.db, worker.subject), case):
        raise NotYourTeam(case_id)
    if case["status"] not in ACTIVE_STATUSES:
        raise CaseNotOpen(case_id)
    if assignee:
        await assignable(work.db, assignee, [case])
    guard = {"_id": case_id, "version": version, "status": {"$in": ACTIVE_STATUSES}}
    result = await work.db.cases.update_one(guard, _assigning(assignee, worker.subject))
    if result.matched_count != 1:
        raise CaseChanged(case_id)
    return {**case, "assignee": assignee, "version": version + 1}


async def assign_cases(work: UnitOfWork, worker: Principal, case_ids: Sequence[str], assignee: str) -> BulkAssigned:
    """Assigns the cases to `assignee` at once; refuses all if the worker may not assign one of them, or the
    assignee may not work one. A case that changes between the read and the write is left as it is."""
    wanted = list(dict.fromkeys(case_ids))
    cases = await work.db.cases.find({"_id": {"$in": wanted}}, {"outbox": 0, "personal": 0}).to_list()
    found = {case["_id"]: case for case in cases}
    missing = [case_id for case_id in wanted if case_id not in found]
    if missing:
        raise CaseNotFound(missing[0])
    teams = await workers_teams(work.db, worker.subject)
    refused = [case["_id"] for case in cases if not may_assign(worker, teams, case)]
    if refused:
        raise NotYourTeam(refused[0])
    await assignable(work.db, assignee, cases)
    active = [case for case in cases if case["status"] in ACTIVE_STATUSES]
    if active:
        writes = [
            UpdateOne(
                {"_id": case["_id"], "version": case["version"], "status": {"$in": ACTIVE_STATUSES}},
                _assigning(assignee, worker.subject),
            )
            for case in active
        ]
        await work.db.cases.bulk_write(writes, ordered=False)
    now_assigned = {
        case["_id"]
        for case in await work.db.cases.find(
            {"_id": {"$in": [case["_id"] for case in active]}, "assignee": assignee}, {"_id": 1}
        ).to_list()
    }
    assigned = [case_id for case_id in wanted if case_id in now_assigned]
    changed = [case_id for case_id in wanted if case_id not in now_assigned]
    for case_id in assigned:
        work.audit("case.assigned", f"case:{case_id}", reason=assignee)
    for case_id in changed:
        work.audit("case.assigned", f"case:{case_id}", reason=assignee, result="refused: changed or closed")
    return BulkAssigned(assigned, changed)


async def colleagues(db: AsyncDatabase[Any], case: dict[str, Any]) -> list[dict[str, Any]]:
    """Who the case may be assigned to: its team's members, or (no team) the municipality's caseworkers."""
    query: dict[str, Any] = {"active": True, "role": {"$in": [role.value for role in CASEWORKERS]}}
    query["municipalities"] = case["municipality"]
    if case.get("team"):
        team = await db.teams.find_one({"_id": case["team"]}, {"members": 1})
        query["_id"] = {"$in": team["members"] if team else []}
    return await db.accounts.find(query, {"name": 1}).sort("_id", 1).to_list()


async def assignment_view(
    db: AsyncDatabase[Any], settings: SignalsSettings, worker: Principal, case: dict[str, Any]
) -> dict[str, Any]:
    """What the case page shows of the case's team and assignee, whether the worker may change it, to whom, and
    why the case stands where it does in the queue."""
    team = await db.teams.find_one({"_id": case["team"]}, {"name": 1}) if case.get("team") else None
    weights = (await setting_for(db, settings, case["municipality"])).queue_weights
    allowed = may_assign(worker, await workers_teams(db, worker.subject), case)
    return {
        "team_name": team["name"] if team else NO_TEAM_LABEL,
        "assignee": case.get("assignee"),
        "version": case["version"],
        "may_assign": allowed and case["status"] in ACTIVE_STATUSES,
        "colleagues": await colleagues(db, case) if allowed else [],
        "why": why(case, datetime.now(UTC), weights) if case["status"] == OPEN else "",
    }
