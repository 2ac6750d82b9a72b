"""The Doorbraakmethode cohort: a capped number of high-risk households, each with a tailored plan.

The cap holds under concurrency: a place is taken with a conditional increment of the cohort's count before the
member is stored, and given back if the member already existed.
"""

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COHORT = "doorbraak"


class PlanStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=300)
    due: date


class Enrolment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    household_ref: str = Field(pattern=r"^hh-[0-9a-f]{8,64}$")
    municipality: str = Field(pattern=r"^GM\d{4}$")
    goals: list[str] = Field(min_length=1, max_length=10)
    steps: list[PlanStep] = Field(min_length=1, max_length=30)
    reviews: list[date] = Field(min_length=1, max_length=20, description="Dates the plan is reviewed.")


class CohortFull(Exception):
    pass


class AlreadyEnrolled(Exception):
    pass


async def ensure_cohort(db: AsyncDatabase[Any], cap: int) -> None:
    await db.cohorts.update_one({"_id": COHORT}, {"$setOnInsert": {"enrolled": 0}, "$set": {"cap": cap}}, upsert=True)


async def enrol(db: AsyncDatabase[Any], enrolment: Enrolment) -> None:
    cohort: dict[str, Any] = await db.cohorts.find_one({"_id": COHORT}) or {"cap": 0}
    taken = await db.cohorts.update_one({"_id": COHORT, "enrolled": {"$lt": cohort["cap"]}}, {"$inc": {"enrolled": 1}})
    if taken.modified_count != 1:
        raise CohortFull(f"the cohort has its {cohort['cap']} households")
    member = enrolment.model_dump(mode="json")
    member["steps"] = [{**step, "done": False} for step in member["steps"]]
    try:
        await db.cohort_members.insert_one({"_id": enrolment.household_ref, **member, "enrolled_at": datetime.now(UTC)})
    except DuplicateKeyError as error:
        await db.cohorts.update_one({"_id": COHORT}, {"$inc": {"enrolled": -1}})
        raise AlreadyEnrolled(enrolment.household_ref) from error


async def mark_step_done(db: AsyncDatabase[Any], household_ref: str, index: int) -> bool:
    result = await db.cohort_members.update_one(
        {"_id": household_ref, f"steps.{index}": {"$exists": True}}, {"$set": {f"steps.{index}.done": True}}
    )
    return result.matched_count == 1


async def progress(db: AsyncDatabase[Any], today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    cohort = await db.cohorts.find_one({"_id": COHORT}) or {"cap": 0, "enrolled": 0}
    members = []
    async for member in db.cohort_members.find().sort("enrolled_at", 1):
        upcoming = sorted(review for review in member["reviews"] if review >= today.isoformat())
        members.append(
            {
                "household_ref": member["_id"],
                "municipality": member["municipality"],
                "goals": member["goals"],
                "steps_done": sum(1 for step in member["steps"] if step["done"]),
                "steps": len(member["steps"]),
                "next_review": upcoming[0] if upcoming else None,
                "overdue_steps": sum(
                    1 for step in member["steps"] if not step["done"] and step["due"] < today.isoformat()
                ),
            }
        )
    return {"cap": cohort["cap"], "enrolled": cohort["enrolled"], "members": members}
