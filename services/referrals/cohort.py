"""The Doorbraakmethode cohort: a capped number of high-risk households, each with a tailored plan. Enrolment,
each step done and leaving are announced as events, so that reporting counts the cohort itself.

The cap holds under concurrency: a place is taken with a conditional increment of the cohort's count before the
member is stored, and given back if the member already existed.
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.errors import Conflict, NotFound
from plumbing.events import CloudEvent, new_event
from plumbing.outbox import change_with_events, new_document, outbox_entry
from plumbing.reference import Municipality
from plumbing.register import PERSONAL
from plumbing.unit_of_work import UnitOfWork
from services.referrals.events import (
    COHORT_ENROLLED,
    COHORT_EXITED,
    COHORT_STEP_COMPLETED,
    CohortEnrolled,
    CohortExited,
    CohortStepCompleted,
)

COHORT = "doorbraak"
SOURCE = "/redzaam/referrals"


class PlanStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=300, json_schema_extra=PERSONAL)
    due: date


class Enrolment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    household_ref: str = Field(pattern=r"^hh-[0-9a-f]{8,64}$")
    municipality: Municipality
    goals: list[str] = Field(min_length=1, max_length=10, json_schema_extra=PERSONAL)
    steps: list[PlanStep] = Field(min_length=1, max_length=30)
    reviews: list[date] = Field(min_length=1, max_length=20, description="Dates the plan is reviewed.")


class ExitReason(StrEnum):
    PLAN_COMPLETED = "plan_completed"
    DROPPED_OUT = "dropped_out"
    MOVED = "moved"
    REFERRED_ON = "referred_on"


class CohortFull(Conflict):
    def __init__(self, cap: int) -> None:
        super().__init__(f"cohort: the cohort has its {cap} households")


class AlreadyEnrolled(Conflict):
    def __init__(self, household_ref: str) -> None:
        super().__init__(f"household_ref: {household_ref} is already enrolled")


class NotEnrolled(NotFound):
    def __init__(self, household_ref: str) -> None:
        super().__init__(f"household_ref: {household_ref} is not in the cohort")


class AlreadyLeft(Conflict):
    def __init__(self, household_ref: str, on: str) -> None:
        super().__init__(f"household_ref: {household_ref} left the cohort on {on}")


async def ensure_cohort(db: AsyncDatabase[Any], cap: int) -> None:
    await db.cohorts.update_one({"_id": COHORT}, {"$setOnInsert": {"enrolled": 0}, "$set": {"cap": cap}}, upsert=True)
    await db.cohort_members.create_index([("outbox_pending", 1)])


def _event(event_type: str, member: dict[str, Any], data: BaseModel) -> CloudEvent:
    return new_event(type=event_type, source=SOURCE, subject=member["_id"], data=data)


async def enrol(work: UnitOfWork, topic: str, enrolment: Enrolment) -> None:
    """Takes a place in the cohort and stores the member with the event announcing it, in one insert."""
    db = work.db
    work.audit("cohort.enrolled", f"household:{enrolment.household_ref}")
    cohort: dict[str, Any] = await db.cohorts.find_one({"_id": COHORT}) or {"cap": 0}
    taken = await db.cohorts.update_one({"_id": COHORT, "enrolled": {"$lt": cohort["cap"]}}, {"$inc": {"enrolled": 1}})
    if taken.modified_count != 1:
        raise CohortFull(cohort["cap"])
    member = enrolment.model_dump(mode="json")
    member["steps"] = [{**step, "done": False} for step in member["steps"]]
    member = {"_id": enrolment.household_ref, **member, "enrolled_at": datetime.now(UTC), "exited": None}
    data = CohortEnrolled(
        household_ref=enrolment.household_ref,
        municipality=enrolment.municipality,
        cohort=COHORT,
        steps=len(enrolment.steps),
    )
    try:
        await db.cohort_members.insert_one(
            new_document(member, outbox_entry(topic, _event(COHORT_ENROLLED, member, data)))
        )
    except DuplicateKeyError as error:
        await db.cohorts.update_one({"_id": COHORT}, {"$inc": {"enrolled": -1}})
        raise AlreadyEnrolled(enrolment.household_ref) from error
    work.announced("cohort_members", enrolment.household_ref)


async def _member(db: AsyncDatabase[Any], household_ref: str) -> dict[str, Any]:
    member: dict[str, Any] | None = await db.cohort_members.find_one({"_id": household_ref}, {"outbox": 0})
    if member is None:
        raise NotEnrolled(household_ref)
    return member


async def mark_step_done(work: UnitOfWork, topic: str, household_ref: str, index: int) -> bool:
    """Ticks a step of the plan; False when the plan has no such step. A step ticked twice announces nothing new."""
    work.audit("cohort.step_done", f"household:{household_ref}", reason=f"step {index}")
    member = await _member(work.db, household_ref)
    if not 0 <= index < len(member["steps"]):
        return False
    if member["steps"][index]["done"]:
        return True
    data = CohortStepCompleted(
        household_ref=household_ref,
        municipality=member["municipality"],
        cohort=COHORT,
        step=index,
        steps_done=1 + sum(1 for step in member["steps"] if step["done"]),
    )
    changed = await work.db.cohort_members.update_one(
        {"_id": household_ref, "version": member["version"], f"steps.{index}.done": False},
        change_with_events(
            {f"steps.{index}.done": True}, outbox_entry(topic, _event(COHORT_STEP_COMPLETED, member, data))
        ),
    )
    if changed.modified_count != 1:  # ticked or changed meanwhile: read it again
        return await mark_step_done(work, topic, household_ref, index)
    work.announced("cohort_members", household_ref)
    return True


async def leave(work: UnitOfWork, topic: str, household_ref: str, reason: ExitReason) -> None:
    """The household leaves the cohort; its place is not handed on (the cap counts households taken in)."""
    work.audit("cohort.exited", f"household:{household_ref}", reason=reason.value)
    member = await _member(work.db, household_ref)
    if member.get("exited"):
        raise AlreadyLeft(household_ref, member["exited"]["on"])
    data = CohortExited(household_ref=household_ref, municipality=member["municipality"], cohort=COHORT, reason=reason)
    changed = await work.db.cohort_members.update_one(
        {"_id": household_ref, "version": member["version"]},
        change_with_events(
            {"exited": {"on": date.today().isoformat(), "reason": reason.value}},
            outbox_entry(topic, _event(COHORT_EXITED, member, data)),
        ),
    )
    if changed.modified_count != 1:
        return await leave(work, topic, household_ref, reason)
    work.announced("cohort_members", household_ref)


async def progress(db: AsyncDatabase[Any], today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    cohort = await db.cohorts.find_one({"_id": COHORT}) or {"cap": 0, "enrolled": 0}
    members = []
    async for member in db.cohort_members.find({}, {"outbox": 0}).sort("enrolled_at", 1):
        upcoming = sorted(review for review in member["reviews"] if review >= today.isoformat())
        members.append(
            {
                "household_ref": member["_id"],
                "municipality": member["municipality"],
                "goals": member["goals"],
                "steps_done": sum(1 for step in member["steps"] if step["done"]),
                "steps": len(member["steps"]),
                "next_review": None if member.get("exited") else (upcoming[0] if upcoming else None),
                "exited": member.get("exited"),
                "overdue_steps": sum(
                    1 for step in member["steps"] if not step["done"] and step["due"] < today.isoformat()
                ),
            }
        )
    return {"cap": cohort["cap"], "enrolled": cohort["enrolled"], "members": members}


async def member_plan(db: AsyncDatabase[Any], household_ref: str) -> dict[str, Any]:
    """One member's plan with its steps; raises NotEnrolled."""
    return await _member(db, household_ref)
