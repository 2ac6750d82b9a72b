"""Where requests for a volunteer come from: households matched to an offer, and schools asking for a lesson."""

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from plumbing.access import Principal
from plumbing.events import CloudEvent
from plumbing.reference import Municipality
from plumbing.unit_of_work import UnitOfWork
from services.volunteers.assignments import NoPlace, WrongState, assign, open_request
from services.volunteers.domain import Role
from services.volunteers.municipality_settings import assigns_at_once
from services.volunteers.scope import may_request_in
from services.volunteers.settings import VolunteersSettings
from services.volunteers.subscriptions import HouseholdMatched


class LessonRequest(BaseModel):
    """A school asks for a guest teacher for a financial-education lesson (MBO level 1-2)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    school: str = Field(min_length=1, max_length=200, examples=["ROC van Twente, Almelo"])
    municipality: Municipality
    lesson_date: date
    group_size: int = Field(ge=1, le=60)
    level: int = Field(default=2, ge=1, le=2, description="MBO level")


async def from_household_matched(work: UnitOfWork, settings: VolunteersSettings, event: CloudEvent) -> str | None:
    """Opens a request when the offer asks for a volunteer, and assigns at once where that is on.
    Returns the request id when an assignment was made now."""
    match = event.data_as(HouseholdMatched)
    if match.volunteer_role is None:
        return None
    db = work.db
    opened = await open_request(
        db,
        match.referral_id,
        {
            "kind": "household",
            "role": match.volunteer_role,
            "household_ref": match.household_ref,
            "municipality": match.municipality,
            "created_at": event.time,
        },
    )
    request: dict[str, Any] = await db.assignments.find_one({"_id": match.referral_id}, {"state": 1}) or {}
    if not (opened or request.get("state") == "waiting") or not await assigns_at_once(db, settings, match.municipality):
        return None
    try:
        return match.referral_id if await assign(work, settings, match.referral_id) else None
    except (NoPlace, WrongState):
        return None  # raced with a coordinator or another request: the request stays visible as waiting


async def ask_for_lesson(work: UnitOfWork, settings: VolunteersSettings, who: Principal, lesson: LessonRequest) -> str:
    """A school, or a coordinator for one, asks for a guest lesson in a municipality they work in; returns the new
    request's id (assigned at once where that is on)."""
    may_request_in(who, lesson.municipality)
    request_id = f"lesson-{uuid.uuid4().hex[:12]}"
    work.audit("lesson.requested", f"assignment:{request_id}")
    await from_school(work, settings, request_id, lesson)
    return request_id


async def from_school(
    work: UnitOfWork, settings: VolunteersSettings, request_id: str, lesson: LessonRequest
) -> str | None:
    await open_request(
        work.db,
        request_id,
        {
            "kind": "lesson",
            "role": Role.GUEST_TEACHER.value,
            "students_reached": None,
            **lesson.model_dump(mode="json"),
        },
    )
    if not await assigns_at_once(work.db, settings, lesson.municipality):
        return None
    return await assign(work, settings, request_id)
