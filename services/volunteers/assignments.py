"""Use cases: register volunteers, and assign one to a household that needs one.

Assigning touches two documents without a transaction, so each step is idempotent and ordered: first a place
is reserved on the volunteer with an atomic conditional update (no over-booking when requests race), then the
assignment is inserted with its `volunteer.assigned` event. A redelivered request finds its reservation again.
"""

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.events import CloudEvent, new_event
from plumbing.outbox import new_document, outbox_entry
from plumbing.settings import PlatformSettings
from services.volunteers.domain import VolunteerCreate, screened_roles
from services.volunteers.events import EVENTS_TOPIC, VOLUNTEER_ASSIGNED, VolunteerAssigned
from services.volunteers.subscriptions import HouseholdMatched

SOURCE = "/redzaam/volunteers"


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.volunteers.create_index([("assignable_roles", 1), ("municipalities", 1), ("free_places", -1)])
    await db.volunteers.create_index([("requests", 1)])
    await db.assignments.create_index([("outbox_pending", 1)])
    await db.assignments.create_index([("state", 1), ("created_at", 1)])


async def register_volunteer(db: AsyncDatabase[Any], volunteer: VolunteerCreate) -> bool:
    """Creates or updates a volunteer, keeping their current assignments; True when new."""
    fields = volunteer.model_dump(mode="json", exclude={"id"})
    fields["assignable_roles"] = screened_roles(volunteer)
    existing = await db.volunteers.find_one({"_id": volunteer.id}, {"requests": 1})
    taken = len(existing.get("requests", [])) if existing else 0
    fields["free_places"] = volunteer.max_households - taken
    result = await db.volunteers.update_one(
        {"_id": volunteer.id}, {"$set": fields, "$setOnInsert": {"requests": []}}, upsert=True
    )
    return result.upserted_id is not None


async def assign_volunteer(db: AsyncDatabase[Any], settings: PlatformSettings, event: CloudEvent) -> str | None:
    """Assigns a volunteer, or records the request as waiting; returns the id of the assignment it created."""
    match = event.data_as(HouseholdMatched)
    if match.volunteer_role is None:
        return None
    request_id = match.referral_id
    if await db.assignments.find_one({"_id": request_id}, {"_id": 1}) is not None:
        return None
    volunteer = await db.volunteers.find_one({"requests": request_id}) or await db.volunteers.find_one_and_update(
        {"assignable_roles": match.volunteer_role, "municipalities": match.municipality, "free_places": {"$gt": 0}},
        {"$inc": {"free_places": -1}, "$push": {"requests": request_id}},
        sort=[("free_places", -1), ("_id", 1)],
        return_document=ReturnDocument.AFTER,
    )
    base = {
        "_id": request_id,
        "household_ref": match.household_ref,
        "municipality": match.municipality,
        "role": match.volunteer_role,
        "created_at": event.time,
    }
    if volunteer is None:
        document = new_document({**base, "state": "waiting", "volunteer_id": None})
    else:
        assigned = new_event(
            type=VOLUNTEER_ASSIGNED,
            source=SOURCE,
            subject=match.household_ref,
            data=VolunteerAssigned(
                assignment_id=request_id,
                volunteer_id=volunteer["_id"],
                role=match.volunteer_role,
                household_ref=match.household_ref,
                municipality=match.municipality,
                recruited_through=volunteer.get("recruited_through", ""),
            ),
        )
        document = new_document(
            {**base, "state": "assigned", "volunteer_id": volunteer["_id"]},
            outbox_entry(settings.topic(EVENTS_TOPIC), assigned),
        )
    try:
        await db.assignments.insert_one(document)
    except DuplicateKeyError:
        return None
    return request_id
