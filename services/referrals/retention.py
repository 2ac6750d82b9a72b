"""Erasure of what referrals keeps of households after its term (AVG art. 5(1)(e)), as the register
(services.referrals.register) lists it: a referral completed or cancelled loses the pseudonym, the age, the reasons
and names in its history and the events its relay kept; a household that left the cohort loses its plan's texts;
the audit log its old entries. Run on a timer (plumbing.retention) and by administrators.

Every step costs one read and one bulk write per round of `ROUND` documents, whatever is stored.
"""

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from plumbing import audit
from plumbing.access import Principal, Role, staff
from plumbing.register import PersonalField, erased_paths
from plumbing.retention import Administration, run_retention_now
from plumbing.unit_of_work import UnitOfWork
from plumbing.web import RuntimeDep
from services.referrals.domain import ReferralState
from services.referrals.labels import AUDIT_ACTIONS, RETENTION_COUNTS
from services.referrals.register import COHORT_TERM, REFERRAL_TERM, REGISTER
from services.referrals.settings import ReferralsSettings

logger = logging.getLogger(__name__)

ROUND = 500
CLOSED = [ReferralState.COMPLETED.value, ReferralState.CANCELLED.value]


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.referrals.create_index([("state", 1), ("updated_at", 1)])
    await db.cohort_members.create_index([("exited.on", 1)])
    await audit.ensure_index(db)


async def run_retention(
    db: AsyncDatabase[Any], settings: ReferralsSettings, now: datetime | None = None
) -> dict[str, int]:
    now = now or datetime.now(UTC)
    closed_before = now - timedelta(days=settings.closed_referral_retention_days)
    left_before = (now - timedelta(days=settings.cohort_retention_days)).date()
    report = {
        "erased_referrals": await erase(
            db.referrals,
            {"state": {"$in": CLOSED}, "updated_at": {"$lte": closed_before}},
            REGISTER.erased_by("referrals", REFERRAL_TERM),
            now,
        ),
        "erased_cohort_members": await erase(
            db.cohort_members,
            {"exited.on": {"$lte": date.isoformat(left_before)}},
            REGISTER.erased_by("cohort_members", COHORT_TERM),
            now,
        ),
        "expired_audit_entries": await audit.expire_entries(db, settings, now),
    }
    if any(report.values()):
        logger.info("retention run", extra=report)
    return report


async def erase(
    collection: AsyncCollection[Any], due: dict[str, Any], entries: list[PersonalField], now: datetime
) -> int:
    """Erases `entries` of the documents `due`, a round at a time; one whose events are still to be published
    waits for the relay, and an erased one is not read again."""
    query = {**due, "erased_at": {"$exists": False}, "outbox_pending": {"$ne": True}}
    erased = 0
    while documents := await collection.find(query).limit(ROUND).to_list():
        writes = [
            UpdateOne(
                {"_id": document["_id"], "outbox_pending": {"$ne": True}},
                {"$set": {**erased_paths(entries, document), "erased_at": now}, "$inc": {"version": 1}},
            )
            for document in documents
        ]
        result = await collection.bulk_write(writes, ordered=False)
        erased += result.modified_count
        if len(documents) < ROUND or not result.modified_count:
            break
    return erased


router = APIRouter(prefix="/api/v1", tags=["retention"])


@router.post("/retention/run", summary="Erase what is kept of closed referrals and former cohort members, now")
async def post_retention_run(
    runtime: RuntimeDep, request: Request, admin: Annotated[Principal, staff(Role.ADMINISTRATOR)]
) -> dict[str, int]:
    return await run_retention_now(runtime, request, admin, ADMINISTRATION)


async def _run_for_administrator(work: UnitOfWork, settings: ReferralsSettings) -> dict[str, int]:
    return await run_retention(work.db, settings)


# the administration pages (plumbing.admin_pages) and the API run it alike
ADMINISTRATION = Administration(
    record="referrals", retention=_run_for_administrator, actions=AUDIT_ACTIONS, counts=RETENTION_COUNTS
)
