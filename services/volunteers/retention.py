"""Erasure of volunteers' personal data after its term (AVG art. 5(1)(e)), as the register
(services.volunteers.register) lists it: sign-ups never screened are deleted, volunteers who left lose their
personal data, and the audit log its old entries. Run on a timer (plumbing.retention) and by administrators.

When a sign-up came in, or a volunteer left, is stamped by the first run that sees them so (`seen_applicant_at`,
`left_at`): a coordinator changes the status anywhere (page, API, screening) and the run needs no hook in each; the
clock starts at most one interval late. Every step is a bounded number of operations per round of `ROUND`.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from plumbing import audit
from plumbing.register import erased_paths
from plumbing.retention import Administration
from plumbing.unit_of_work import UnitOfWork
from services.volunteers.domain import VolunteerStatus
from services.volunteers.labels import AUDIT_ACTIONS, RETENTION_COUNTS
from services.volunteers.register import LEFT_TERM, REGISTER
from services.volunteers.settings import VolunteersSettings

logger = logging.getLogger(__name__)

ROUND = 500
APPLICANT, LEFT = VolunteerStatus.APPLICANT.value, VolunteerStatus.LEFT.value


async def run_retention(
    db: AsyncDatabase[Any], settings: VolunteersSettings, now: datetime | None = None
) -> dict[str, int]:
    now = now or datetime.now(UTC)
    await stamp_status_changes(db, now)
    report = {
        "deleted_applicants": await delete_stale_applicants(db, settings, now),
        "erased_volunteers": await erase_leavers(db, settings, now),
        "expired_audit_entries": await audit.expire_entries(db, settings, now),
    }
    if any(report.values()):
        logger.info("retention run", extra=report)
    return report


async def stamp_status_changes(db: AsyncDatabase[Any], now: datetime) -> None:
    """Starts the clocks of applicants and leavers not seen before, and stops them for those who moved on."""
    await db.volunteers.update_many(
        {"status": APPLICANT, "seen_applicant_at": {"$exists": False}}, {"$set": {"seen_applicant_at": now}}
    )
    await db.volunteers.update_many(
        {"status": {"$ne": APPLICANT}, "seen_applicant_at": {"$exists": True}}, {"$unset": {"seen_applicant_at": ""}}
    )
    await db.volunteers.update_many({"status": LEFT, "left_at": {"$exists": False}}, {"$set": {"left_at": now}})
    await db.volunteers.update_many(
        {"status": {"$ne": LEFT}, "left_at": {"$exists": True}}, {"$unset": {"left_at": "", "erased_at": ""}}
    )


async def delete_stale_applicants(db: AsyncDatabase[Any], settings: VolunteersSettings, now: datetime) -> int:
    """Deletes the sign-ups never screened within the term, in one operation; one whose change is still to be
    announced waits for the relay."""
    result = await db.volunteers.delete_many(
        {
            "status": APPLICANT,
            "seen_applicant_at": {"$lte": now - timedelta(days=settings.applicant_retention_days)},
            "requests": {"$size": 0},
            "outbox_pending": {"$ne": True},
        }
    )
    return result.deleted_count


async def erase_leavers(db: AsyncDatabase[Any], settings: VolunteersSettings, now: datetime) -> int:
    """Erases the personal data of volunteers who left more than the term ago, and their name on hours logged."""
    query = {
        "status": LEFT,
        "left_at": {"$lte": now - timedelta(days=settings.left_retention_days)},
        "erased_at": {"$exists": False},
    }
    volunteer_fields = REGISTER.erased_by("volunteers", LEFT_TERM)
    assignment_fields = REGISTER.erased_by("assignments", LEFT_TERM)
    erased = 0
    while leavers := await db.volunteers.find(query, {"_id": 1}).limit(ROUND).to_list():
        ids = [leaver["_id"] for leaver in leavers]
        # their assignments first: should the run stop halfway, the volunteers still match next time
        worked = await db.assignments.find({"volunteer_id": {"$in": ids}}, {"hours": 1}).to_list()
        writes = [
            UpdateOne({"_id": assignment["_id"]}, {"$set": erased_paths(assignment_fields, assignment)})
            for assignment in worked
            if assignment.get("hours")
        ]
        if writes:
            await db.assignments.bulk_write(writes, ordered=False)
        await db.volunteers.update_many(
            {"_id": {"$in": ids}}, {"$set": {**erased_paths(volunteer_fields, {}), "erased_at": now}}
        )
        erased += len(ids)
        if len(ids) < ROUND:
            break
    return erased


async def _run_for_administrator(work: UnitOfWork, settings: VolunteersSettings) -> dict[str, int]:
    return await run_retention(work.db, settings)


# the administration pages (plumbing.admin_pages) and the API run it alike
ADMINISTRATION = Administration(
    record="volunteers", retention=_run_for_administrator, actions=AUDIT_ACTIONS, counts=RETENTION_COUNTS
)
