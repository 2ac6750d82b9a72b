"""Use cases: volunteers' registry and screening, requests for a volunteer, assigning and releasing.

Assigning touches two documents without a transaction, so the steps are ordered and each is safe to repeat: first
a place is reserved on the volunteer with a conditional update (never below zero, so two requests racing for the
last place cannot both get it), then the request moves from waiting to assigned together with its event. If that
second step loses a race, the place is given back.
"""

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing import errors
from plumbing.events import new_event
from plumbing.outbox import change_with_events, new_document, outbox_entry
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.volunteers.domain import (
    Candidate,
    Hours,
    Screening,
    VolunteerCreate,
    VolunteerStatus,
    propose,
    screened_roles,
)
from services.volunteers.events import (
    EVENTS_TOPIC,
    LESSON_GIVEN,
    VOLUNTEER_ASSIGNED,
    VOLUNTEER_RELEASED,
    VOLUNTEER_STATUS_CHANGED,
    LessonGiven,
    VolunteerAssigned,
    VolunteerReleased,
    VolunteerStatusChanged,
)
from services.volunteers.municipality_settings import assigning_at_once
from services.volunteers.settings import VolunteersSettings

SOURCE = "/redzaam/volunteers"
WAITING, ASSIGNED, RELEASED = "waiting", "assigned", "released"


class NotFound(errors.NotFound):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} does not exist")
        self.what = what


class WrongState(errors.Conflict):
    """The request or volunteer is not in the state the step needs; the message names the field."""


class NoPlace(errors.Conflict):
    """The volunteer chosen cannot take the request; the message names the field."""


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.volunteers.create_index([("assignable_roles", 1), ("municipalities", 1), ("free_places", -1)])
    await db.volunteers.create_index([("status", 1)])
    await db.volunteers.create_index([("outbox_pending", 1)])
    await db.assignments.create_index([("outbox_pending", 1)])
    await db.assignments.create_index([("state", 1), ("created_at", 1)])


async def register_volunteer(db: AsyncDatabase[Any], volunteer: VolunteerCreate, announce_to: str = "") -> bool:
    """Creates or updates a volunteer, keeping their current assignments; True when new. With `announce_to` (a
    topic), a change of their place in the registry (status, screened roles, municipalities) is announced in the
    same write."""
    fields = volunteer.model_dump(mode="json", exclude={"id"})
    fields["assignable_roles"] = screened_roles(volunteer)
    existing = await db.volunteers.find_one({"_id": volunteer.id}, {"requests": 1, **dict.fromkeys(REGISTRY, 1)})
    taken = len(existing.get("requests", [])) if existing else 0
    fields["free_places"] = volunteer.max_households - taken
    entries = []
    before = existing or {**fields, "status": VolunteerStatus.APPLICANT.value, "assignable_roles": []}
    if announce_to and _registry_place(before) != _registry_place(fields):  # a new applicant counts for nothing yet
        changed = VolunteerStatusChanged(
            volunteer_id=volunteer.id,
            status=fields["status"],
            roles=fields["assignable_roles"],
            municipalities=fields["municipalities"],
            recruited_through=fields["recruited_through"],
        )
        event = new_event(type=VOLUNTEER_STATUS_CHANGED, source=SOURCE, subject=volunteer.id, data=changed)
        entries.append(outbox_entry(announce_to, event))
    update = change_with_events(fields, *entries)
    update["$setOnInsert"] = {"requests": [], "lessons": [], "households_served": []}
    # registered again with their data: no longer erased, and a leaver's clock starts anew should they leave again
    update["$unset"] = (
        {"erased_at": ""} if volunteer.status is VolunteerStatus.LEFT else {"erased_at": "", "left_at": ""}
    )
    result = await db.volunteers.update_one({"_id": volunteer.id}, update, upsert=True)
    return result.upserted_id is not None


# what reporting counts of a volunteer: announced whenever one of these changes
REGISTRY = ("status", "assignable_roles", "municipalities", "recruited_through")


def _registry_place(volunteer: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        sorted(volunteer.get(key) or []) if isinstance(volunteer.get(key), list) else volunteer.get(key) or ""
        for key in REGISTRY
    )


async def get_volunteer(db: AsyncDatabase[Any], volunteer_id: str) -> dict[str, Any]:
    volunteer: dict[str, Any] | None = await db.volunteers.find_one({"_id": volunteer_id}, {"outbox": 0})
    if volunteer is None:
        raise NotFound(f"volunteer {volunteer_id}")
    return volunteer


async def screen(
    work: UnitOfWork, settings: VolunteersSettings, volunteer_id: str, screening: Screening
) -> tuple[dict[str, Any], list[str]]:
    """Records the certificate of conduct and training and makes the volunteer active; then tries the requests
    waiting in the volunteer's municipalities. Returns the volunteer and the ids of the requests assigned now."""
    work.audit("volunteer.screened", f"volunteer:{volunteer_id}")
    volunteer = await get_volunteer(work.db, volunteer_id)
    if "erased_at" in volunteer:
        raise WrongState(
            f"volunteer {volunteer_id}: their personal data was erased after they left; register them again with "
            "their name, languages and contact data (PUT /api/v1/volunteers/{volunteer_id}), then screen them"
        )
    fields = {key: value for key, value in volunteer.items() if key in VolunteerCreate.model_fields}
    updated = VolunteerCreate.model_validate(
        {**fields, "id": volunteer_id, "status": VolunteerStatus.ACTIVE, **screening.model_dump()}
    )
    await register_volunteer(work.db, updated, settings.topic(EVENTS_TOPIC))
    work.announced("volunteers", volunteer_id)
    screened = await get_volunteer(work.db, volunteer_id)
    return screened, await assign_waiting(work, settings, screened["municipalities"])


async def enrol(work: UnitOfWork, settings: VolunteersSettings, volunteer: VolunteerCreate) -> tuple[bool, list[str]]:
    """A coordinator registers or updates a volunteer; then tries the requests waiting in the volunteer's
    municipalities. Returns whether the volunteer is new and the ids of the requests assigned now."""
    work.audit("volunteer.registered", f"volunteer:{volunteer.id}")
    created = await register_volunteer(work.db, volunteer, settings.topic(EVENTS_TOPIC))
    work.announced("volunteers", volunteer.id)
    return created, await assign_waiting(work, settings, volunteer.municipalities)


async def open_request(db: AsyncDatabase[Any], request_id: str, fields: dict[str, Any]) -> bool:
    """A request for a volunteer, waiting until one is assigned; False when it exists (redelivery)."""
    document = new_document(
        {
            "_id": request_id,
            **fields,
            "state": WAITING,
            "volunteer_id": None,
            "hours": [],
            "created_at": fields.get("created_at") or datetime.now(UTC),
        }
    )
    try:
        await db.assignments.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


async def get_request(db: AsyncDatabase[Any], request_id: str) -> dict[str, Any]:
    request: dict[str, Any] | None = await db.assignments.find_one({"_id": request_id})
    if request is None:
        raise NotFound(f"request {request_id}")
    return request


async def candidates(db: AsyncDatabase[Any], settings: VolunteersSettings, request: dict[str, Any]) -> list[Candidate]:
    volunteers = await db.volunteers.find(
        {"assignable_roles": request["role"], "municipalities": request["municipality"]}, {"outbox": 0}
    ).to_list()
    return propose(
        volunteers,
        request["role"],
        request["municipality"],
        request.get("language"),
        request.get("household_ref"),
        certificates_from=settings.certificates_from(),
        lesson=request.get("kind") == "lesson",
    )


async def assign(
    work: UnitOfWork, settings: VolunteersSettings, request_id: str, volunteer_id: str | None = None
) -> str | None:
    """Assigns the given volunteer, or the best candidate; None when nobody is free (the request keeps waiting)."""
    work.audit("volunteer.assigned", f"assignment:{request_id}")
    db = work.db
    request = await get_request(db, request_id)
    if request["state"] != WAITING:
        raise WrongState(f"state: request {request_id} is {request['state']}, not waiting")
    lesson = request.get("kind") == "lesson"  # a guest lesson is one afternoon, not one of the household places
    held = await db.volunteers.find_one({"lessons" if lesson else "requests": request_id}, {"_id": 1})
    chosen: str
    if held is not None:  # reserved before a crash: finish that assignment
        chosen = held["_id"]
    else:
        proposed = [candidate.volunteer_id for candidate in await candidates(db, settings, request)]
        if volunteer_id is not None and volunteer_id not in proposed:
            raise NoPlace(f"volunteer_id: {volunteer_id} is not screened for this role and area, or has no place free")
        if volunteer_id is None and not proposed:
            return None
        chosen = volunteer_id or proposed[0]
        if lesson:
            reserved = await db.volunteers.update_one(
                {"_id": chosen, "lessons": {"$ne": request_id}}, {"$push": {"lessons": request_id}}
            )
        else:
            reserved = await db.volunteers.update_one(
                {"_id": chosen, "free_places": {"$gt": 0}, "requests": {"$ne": request_id}},
                {"$inc": {"free_places": -1}, "$push": {"requests": request_id}},
            )
        if reserved.modified_count != 1:
            raise NoPlace(f"volunteer_id: {chosen} has no place free any more")
    volunteer = await get_volunteer(db, chosen)
    event = new_event(
        type=VOLUNTEER_ASSIGNED,
        source=SOURCE,
        subject=request.get("household_ref") or request_id,
        data=VolunteerAssigned(
            assignment_id=request_id,
            volunteer_id=chosen,
            role=request["role"],
            household_ref=request.get("household_ref") or "",
            municipality=request["municipality"],
            recruited_through=volunteer.get("recruited_through", ""),
        ),
    )
    moved = await db.assignments.update_one(
        {"_id": request_id, "state": WAITING, "version": request["version"]},
        change_with_events(
            {"state": ASSIGNED, "volunteer_id": chosen, "assigned_at": datetime.now(UTC)},
            outbox_entry(settings.topic(EVENTS_TOPIC), event),
        ),
    )
    if moved.modified_count != 1:
        await _give_back(db, chosen, request_id)
        raise WrongState(f"state: request {request_id} changed meanwhile")
    work.announced("assignments", request_id)
    if request.get("household_ref"):
        await db.volunteers.update_one({"_id": chosen}, {"$addToSet": {"households_served": request["household_ref"]}})
    return chosen


async def release(work: UnitOfWork, settings: PlatformSettings, request_id: str) -> None:
    work.audit("volunteer.released", f"assignment:{request_id}")
    db = work.db
    request = await get_request(db, request_id)
    if request["state"] != ASSIGNED:
        raise WrongState(f"state: request {request_id} is {request['state']}, not assigned")
    event = new_event(
        type=VOLUNTEER_RELEASED,
        source=SOURCE,
        subject=request.get("household_ref") or request_id,
        data=VolunteerReleased(
            assignment_id=request_id,
            volunteer_id=request["volunteer_id"],
            role=request["role"],
            household_ref=request.get("household_ref") or "",
            municipality=request["municipality"],
            hours=sum(entry["hours"] for entry in request["hours"]),
        ),
    )
    moved = await db.assignments.update_one(
        {"_id": request_id, "state": ASSIGNED, "version": request["version"]},
        change_with_events(
            {"state": RELEASED, "released_at": datetime.now(UTC)}, outbox_entry(settings.topic(EVENTS_TOPIC), event)
        ),
    )
    if moved.modified_count != 1:
        raise WrongState(f"state: request {request_id} changed meanwhile")
    work.announced("assignments", request_id)
    await _give_back(db, request["volunteer_id"], request_id)


async def _give_back(db: AsyncDatabase[Any], volunteer_id: str, request_id: str) -> None:
    await db.volunteers.update_one(
        {"_id": volunteer_id, "requests": request_id}, {"$inc": {"free_places": 1}, "$pull": {"requests": request_id}}
    )
    await db.volunteers.update_one({"_id": volunteer_id, "lessons": request_id}, {"$pull": {"lessons": request_id}})


async def log_hours(work: UnitOfWork, request_id: str, entry: Hours) -> None:
    """Hours worked on an assignment that has (or had) a volunteer; the date is checked by `Hours`."""
    work.audit("hours.logged", f"assignment:{request_id}")
    logged = await work.db.assignments.update_one(
        {"_id": request_id, "state": {"$in": [ASSIGNED, RELEASED]}},
        {"$push": {"hours": {"on": entry.on.isoformat(), "hours": entry.hours, "by": entry.by}}},
    )
    if logged.matched_count != 1:
        raise WrongState(f"request_id: {request_id} has no volunteer assigned")


async def lesson_given(work: UnitOfWork, settings: PlatformSettings, request_id: str, students: int) -> None:
    work.audit("lesson.given", f"assignment:{request_id}")
    db = work.db
    request = await get_request(db, request_id)
    if request.get("kind") != "lesson" or request["state"] != ASSIGNED:
        raise WrongState(f"state: request {request_id} is not an assigned guest lesson")
    event = new_event(
        type=LESSON_GIVEN,
        source=SOURCE,
        subject=request_id,
        data=LessonGiven(
            assignment_id=request_id,
            volunteer_id=request["volunteer_id"],
            school=request["school"],
            municipality=request["municipality"],
            students_reached=students,
        ),
    )
    moved = await db.assignments.update_one(
        {"_id": request_id, "version": request["version"], "students_reached": None},
        change_with_events({"students_reached": students}, outbox_entry(settings.topic(EVENTS_TOPIC), event)),
    )
    if moved.modified_count != 1:
        raise WrongState(f"students_reached: lesson {request_id} was reported already")
    work.announced("assignments", request_id)


async def assign_waiting(work: UnitOfWork, settings: VolunteersSettings, municipalities: list[str]) -> list[str]:
    """Tries every waiting request in those of these municipalities that assign without a coordinator, oldest
    first; returns the ids now assigned."""
    automatic = sorted(await assigning_at_once(work.db, settings, municipalities))
    assigned = []
    async for request in work.db.assignments.find({"state": WAITING, "municipality": {"$in": automatic}}).sort(
        "created_at", 1
    ):
        try:
            if await assign(work, settings, request["_id"]) is not None:
                assigned.append(request["_id"])
        except (NoPlace, WrongState):
            continue
    return assigned
