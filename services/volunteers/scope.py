"""Which volunteers and requests a coordinator sees: those of the municipalities they work for (all, when they work
region-wide). Another municipality's volunteer or request does not exist for them (404), so that its existence is
not given away; registering a volunteer for a municipality they do not work for is refused (403)."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from plumbing.access import Principal
from plumbing.errors import Forbidden
from services.volunteers.assignments import NotFound


class OutsideMunicipalities(Forbidden):
    """The change touches a municipality the coordinator does not work for; the message names the field."""


def volunteers_of(who: Principal) -> dict[str, Any]:
    """The query for the volunteers `who` sees: working in one of their municipalities."""
    return who.served_only("municipalities")


def requests_of(who: Principal) -> dict[str, Any]:
    """The query for the requests (and assignments) `who` sees: in one of their municipalities."""
    return who.served_only("municipality")


async def visible_volunteer(db: AsyncDatabase[Any], who: Principal, volunteer_id: str) -> dict[str, Any]:
    volunteer: dict[str, Any] | None = await db.volunteers.find_one({"_id": volunteer_id, **volunteers_of(who)})
    if volunteer is None:
        raise NotFound(f"volunteer {volunteer_id}")
    return volunteer


async def visible_request(db: AsyncDatabase[Any], who: Principal, request_id: str) -> dict[str, Any]:
    request: dict[str, Any] | None = await db.assignments.find_one({"_id": request_id, **requests_of(who)})
    if request is None:
        raise NotFound(f"request {request_id}")
    return request


async def may_register(db: AsyncDatabase[Any], who: Principal, volunteer_id: str, municipalities: list[str]) -> None:
    """A coordinator registers a volunteer, or changes one they see, only in their own municipalities: the
    volunteer's other municipalities stay as they are."""
    existing = await db.volunteers.find_one({"_id": volunteer_id}, {"municipalities": 1})
    if existing is not None and not any(who.serves(code) for code in existing["municipalities"]):
        raise NotFound(f"volunteer {volunteer_id}")
    before = set(existing["municipalities"]) if existing else set()
    foreign = sorted(code for code in before.symmetric_difference(municipalities) if not who.serves(code))
    if foreign:
        raise OutsideMunicipalities(f"municipalities: you do not work for {', '.join(foreign)}")


def may_request_in(who: Principal, municipality: str) -> None:
    """A coordinator, or a school, asks for a lesson only in a municipality they work in."""
    if not who.serves(municipality):
        raise OutsideMunicipalities(f"municipality: {who.subject} does not work for {municipality}")
