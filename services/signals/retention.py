"""Erasure of personal data after its term (AVG art. 5(1)(e)), and the end of cases nobody works.

The platform uses no TTL indexes (the local server has none), so a scheduled run does it (plumbing.retention),
erasing what the register (services.signals.register) lists, by the terms it gives:
- a case below the threshold whose wait is over closes by itself as `below_threshold` (feedback `not_picked_up`);
- closed cases past their term lose their personal data, and so do their signals; one erasure record per case;
- eviction reports lose their address, and the audit log its old entries.
Figures and pseudonyms stay. Each step works a round of up to `ROUND` documents with a bounded number of operations
(a read, one bulk write per collection) and is safe to run again at any time, also after stopping halfway.
"""

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from plumbing import audit
from plumbing.events import new_event
from plumbing.outbox import change_with_events, outbox_entry
from plumbing.register import erased_paths
from plumbing.retention import Administration
from plumbing.unit_of_work import UnitOfWork
from services.signals.bundling import CLOSED, REGISTERED
from services.signals.casework import closing_of
from services.signals.events import CASE_CLOSED, EVENTS_TOPIC
from services.signals.intake import SOURCE
from services.signals.labels import AUDIT_ACTIONS, RETENTION_COUNTS
from services.signals.partner_feedback import feedback_entries, signals_by_partner
from services.signals.register import CASE_TERM, EVICTION_TERM, REGISTER
from services.signals.rules import FOLLOW_UP_OUTCOMES, PICKED_UP_OUTCOMES, Outcome
from services.signals.settings import SignalsSettings

logger = logging.getLogger(__name__)

ROUND = 500
HELP_OUTCOMES = sorted(FOLLOW_UP_OUTCOMES | PICKED_UP_OUTCOMES)
CLOSED_BY_RETENTION = "system:retention"  # no username has a colon
# which erasure a case had: 2 also erases notes and contract references, which the first one (personal only) kept
ERASURE = 2


async def run_retention(work: UnitOfWork, settings: SignalsSettings, now: datetime | None = None) -> dict[str, int]:
    """Everything due now, in order: a case closed here is erased when its own term has passed, like any other."""
    now = now or datetime.now(UTC)
    report = {
        "closed_below_threshold": await close_registered_due(work, settings, now),
        "erased_cases": await erase_expired(work.db, settings, now),
        "erased_eviction_addresses": await erase_eviction_addresses(work.db, settings, now),
        "expired_audit_entries": await audit.expire_entries(work.db, settings, now),
    }
    if any(report.values()):
        logger.info("retention run", extra=report)
    return report


def closes_by_itself_on(case: dict[str, Any], settings: SignalsSettings) -> date | None:
    """The day a case below the threshold closes by itself unless a counted signal comes first."""
    if case["status"] != REGISTERED:
        return None
    waiting_since: datetime = case.get("last_signal_at") or case["first_signal_at"]
    return (waiting_since + timedelta(days=settings.registered_close_days)).date()


async def close_registered_due(work: UnitOfWork, settings: SignalsSettings, now: datetime | None = None) -> int:
    """Closes the cases below the threshold whose last counted signal is `registered_close_days` old; returns how
    many. A signal that arrives meanwhile wins: the close is guarded by the case's version."""
    now = now or datetime.now(UTC)
    waited_since = now - timedelta(days=settings.registered_close_days)
    query = {
        "status": REGISTERED,
        "$or": [
            {"last_signal_at": {"$lte": waited_since}},
            {"last_signal_at": {"$exists": False}, "first_signal_at": {"$lte": waited_since}},  # cases of before
        ],
    }
    topic = settings.topic(EVENTS_TOPIC)
    closed = 0
    while cases := await work.db.cases.find(query, {"outbox": 0}).limit(ROUND).to_list():
        writes, event_of = [], {}
        creditors = await signals_by_partner(work.db, [case["_id"] for case in cases])
        for case in cases:
            announced, changes = closing_of(case, settings, Outcome.BELOW_THRESHOLD, "", CLOSED_BY_RETENTION, now)
            event = new_event(type=CASE_CLOSED, source=SOURCE, subject=case["household_ref"], data=announced)
            event_of[case["_id"]] = event.id
            heard = feedback_entries(settings, case["_id"], creditors[case["_id"]], Outcome.BELOW_THRESHOLD, now.date())
            writes.append(
                UpdateOne(
                    {"_id": case["_id"], "status": REGISTERED, "version": case["version"]},
                    change_with_events(changes, outbox_entry(topic, event), *heard),
                )
            )
        result = await work.db.cases.bulk_write(writes, ordered=False)
        ids = list(event_of)
        if result.modified_count < len(cases):  # a signal, a worker or another run came first: which are ours?
            ours = {f"outbox.{event_id}.event_id": 1 for event_id in event_of.values()}
            stored = await work.db.cases.find({"_id": {"$in": ids}}, ours).to_list()
            ids = [case["_id"] for case in stored if event_of[case["_id"]] in case.get("outbox", {})]
        work.announced("cases", *ids)
        for case_id in ids:
            work.audit("case.closed", f"case:{case_id}", reason="below the threshold: closed by the retention run")
        closed += len(ids)
        if len(cases) < ROUND:
            break
    return closed


async def erase_expired(db: AsyncDatabase[Any], settings: SignalsSettings, now: datetime | None = None) -> int:
    """Erases the personal data of closed cases past their term, and of their signals; returns the number of
    cases erased. Signals first, then the erasure records, then the cases: should the run stop halfway, the case
    still matches next time and the steps are repeated harmlessly."""
    now = now or datetime.now(UTC)
    query = {
        "status": CLOSED,
        "erasure": {"$ne": ERASURE},
        "$or": [
            {
                "outcome": {"$nin": HELP_OUTCOMES},
                "closed_at": {"$lte": now - timedelta(days=settings.retention_days_without_help)},
            },
            {
                "outcome": {"$in": HELP_OUTCOMES},
                "closed_at": {"$lte": now - timedelta(days=settings.retention_days_after_help)},
            },
        ],
    }
    case_fields = REGISTER.erased_by("cases", CASE_TERM)
    signal_fields = REGISTER.erased_by("signals", CASE_TERM)
    recorded = [f"case.{entry.path}" for entry in case_fields] + [f"signal.{entry.path}" for entry in signal_fields]
    projection = {"outbox": 0, "personal": 0}
    erased = 0
    while cases := await db.cases.find(query, projection).limit(ROUND).to_list():
        signal_ids = [signal_id for case in cases for signal_id in case["signal_ids"] + case["repeat_signal_ids"]]
        await db.signals.update_many({"_id": {"$in": signal_ids}}, {"$set": erased_paths(signal_fields, {})})
        await db.erasures.bulk_write(
            [
                UpdateOne(
                    {"_id": case["_id"]},
                    {
                        "$setOnInsert": {
                            "case_id": case["_id"],
                            "erased_at": now,
                            "outcome": case["outcome"],
                            "closed_at": case["closed_at"],
                            "signal_ids": case["signal_ids"] + case["repeat_signal_ids"],
                        },
                        "$addToSet": {"fields": {"$each": recorded}},
                    },
                    upsert=True,
                )
                for case in cases
            ],
            ordered=False,
        )
        await db.cases.bulk_write(
            [
                UpdateOne(
                    {"_id": case["_id"]},
                    {"$set": {**erased_paths(case_fields, case), "erasure": ERASURE, "erased_at": now}},
                )
                for case in cases
            ],
            ordered=False,
        )
        erased += len(cases)
        if len(cases) < ROUND:
            break
    return erased


async def erase_eviction_addresses(
    db: AsyncDatabase[Any], settings: SignalsSettings, now: datetime | None = None
) -> int:
    """Erases the address of the eviction reports past their term, in one operation; returns how many."""
    received_before = (now or datetime.now(UTC)) - timedelta(days=settings.eviction_address_retention_days)
    fields = REGISTER.erased_by("evictions", EVICTION_TERM)
    result = await db.evictions.update_many(
        {"received_at": {"$lte": received_before}, "address_erased_at": {"$exists": False}},
        {"$set": {**erased_paths(fields, {}), "address_erased_at": now or datetime.now(UTC)}},
    )
    return result.modified_count


# the administration pages (plumbing.admin_pages) and the API run it alike
ADMINISTRATION = Administration(record="cases", retention=run_retention, actions=AUDIT_ACTIONS, counts=RETENTION_COUNTS)
