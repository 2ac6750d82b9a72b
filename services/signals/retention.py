"""Erasure of personal data after the retention term (AVG), and the record of what was erased.

The platform uses no TTL indexes (the local server has none), so a scheduled job does it: it erases the contact
data of closed cases whose term has passed, and of their signals, and writes one erasure record per case. Figures
and pseudonyms stay.
"""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.signals.bundling import CLOSED
from services.signals.rules import FOLLOW_UP_OUTCOMES, PICKED_UP_OUTCOMES
from services.signals.settings import SignalsSettings

logger = logging.getLogger(__name__)

PERSONAL_SIGNAL_FIELDS = ["submission.person", "submission.address"]
HELP_OUTCOMES = sorted(FOLLOW_UP_OUTCOMES | PICKED_UP_OUTCOMES)


async def erase_expired(db: AsyncDatabase[Any], settings: SignalsSettings, now: datetime | None = None) -> int:
    """Erases what is due; returns the number of cases erased. Safe to run again at any time."""
    now = now or datetime.now(UTC)
    due_without_help = now - timedelta(days=settings.retention_days_without_help)
    due_after_help = now - timedelta(days=settings.retention_days_after_help)
    query = {
        "status": CLOSED,
        "personal": {"$ne": None},
        "$or": [
            {"outcome": {"$nin": HELP_OUTCOMES}, "closed_at": {"$lte": due_without_help}},
            {"outcome": {"$in": HELP_OUTCOMES}, "closed_at": {"$lte": due_after_help}},
        ],
    }
    erased = 0
    async for case in db.cases.find(query, {"signal_ids": 1, "repeat_signal_ids": 1, "outcome": 1, "closed_at": 1}):
        signal_ids = case["signal_ids"] + case["repeat_signal_ids"]
        # signals first: should the job stop halfway, the case still matches the query next time
        await db.signals.update_many(
            {"_id": {"$in": signal_ids}}, {"$unset": dict.fromkeys(PERSONAL_SIGNAL_FIELDS, "")}
        )
        await db.erasures.update_one(
            {"_id": case["_id"]},
            {
                "$setOnInsert": {
                    "case_id": case["_id"],
                    "erased_at": now,
                    "outcome": case["outcome"],
                    "closed_at": case["closed_at"],
                    "fields": ["case.personal", *(f"signal.{name}" for name in PERSONAL_SIGNAL_FIELDS)],
                    "signal_ids": signal_ids,
                }
            },
            upsert=True,
        )
        await db.cases.update_one({"_id": case["_id"]}, {"$set": {"personal": None, "erased_at": now}})
        erased += 1
    if erased:
        logger.info("personal data erased", extra={"cases": erased})
    return erased


class RetentionJob:
    """Runs `erase_expired` now and then every `retention_interval_seconds`."""

    def __init__(self, db: AsyncDatabase[Any], settings: SignalsSettings) -> None:
        self._db = db
        self._settings = settings
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await erase_expired(self._db, self._settings)
            except Exception:
                logger.exception("retention run failed; trying again next interval")
            await asyncio.sleep(self._settings.retention_interval_seconds)
