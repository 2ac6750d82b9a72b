"""What the coordinator's lists and pages read: requests, assignments and volunteers of the municipalities they
work for, a page at a time with the total. Reads only; the changes are the use cases' (assignments.py,
requests.py, availability.py)."""

from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from plumbing.access import Principal
from plumbing.paging import FIRST_PAGE, PageRequest, find_page
from services.volunteers.assignments import WAITING
from services.volunteers.domain import Candidate, propose
from services.volunteers.scope import requests_of, visible_request, volunteers_of
from services.volunteers.settings import VolunteersSettings

WITHOUT_OUTBOX = {"outbox": 0}


async def recent_assignments(
    db: AsyncDatabase[Any], who: Principal, state: str | None = None, page: PageRequest = FIRST_PAGE
) -> tuple[list[dict[str, Any]], int]:
    """One page of the requests `who` sees, newest first (waiting ones oldest first), and how many in all."""
    query = {**requests_of(who), **({"state": state} if state else {})}
    order = [("created_at", 1 if state == WAITING else -1)]
    return await find_page(db.assignments, query, order, page, WITHOUT_OUTBOX)


async def made_assignments(
    db: AsyncDatabase[Any], who: Principal, page: PageRequest = FIRST_PAGE
) -> tuple[list[dict[str, Any]], int]:
    """One page of the requests `who` sees that have (or had) a volunteer, newest first."""
    query = {**requests_of(who), "state": {"$ne": WAITING}}
    return await find_page(db.assignments, query, [("created_at", -1)], page, WITHOUT_OUTBOX)


async def registered_volunteers(
    db: AsyncDatabase[Any], who: Principal, page: PageRequest = FIRST_PAGE
) -> tuple[list[dict[str, Any]], int]:
    """One page of the volunteers `who` sees, by name."""
    return await find_page(db.volunteers, volunteers_of(who), [("name", 1)], page, WITHOUT_OUTBOX)


async def names_of(db: AsyncDatabase[Any], volunteer_ids: list[str]) -> dict[str, str]:
    """The names of these volunteers, read at once."""
    wanted = sorted({volunteer_id for volunteer_id in volunteer_ids if volunteer_id})
    return {doc["_id"]: doc["name"] async for doc in db.volunteers.find({"_id": {"$in": wanted}}, {"name": 1})}


async def proposals(
    db: AsyncDatabase[Any], settings: VolunteersSettings, requests: list[dict[str, Any]]
) -> dict[str, list[Candidate]]:
    """The candidates of each of these requests, best first, from one read of the volunteers they could go to."""
    if not requests:
        return {}
    roles = sorted({request["role"] for request in requests})
    areas = sorted({request["municipality"] for request in requests})
    volunteers = await db.volunteers.find(
        {"assignable_roles": {"$in": roles}, "municipalities": {"$in": areas}}, {"outbox": 0}
    ).to_list()
    return {
        request["_id"]: propose(
            volunteers,
            request["role"],
            request["municipality"],
            request.get("language"),
            request.get("household_ref"),
            certificates_from=settings.certificates_from(),
            lesson=request.get("kind") == "lesson",
        )
        for request in requests
    }


@dataclass(frozen=True)
class AssignmentView:
    """One request as its page shows it: the request, its volunteer's name and the hours logged in all."""

    request: dict[str, Any]
    volunteer_name: str
    hours_total: float


async def assignment(db: AsyncDatabase[Any], who: Principal, request_id: str) -> AssignmentView:
    """A request `who` sees (NotFound otherwise), with its volunteer's name and hours."""
    found = await visible_request(db, who, request_id)
    names = await names_of(db, [found.get("volunteer_id") or ""])
    return AssignmentView(
        request=found,
        volunteer_name=names.get(found.get("volunteer_id") or "", ""),
        hours_total=sum(entry["hours"] for entry in found.get("hours", [])),
    )
