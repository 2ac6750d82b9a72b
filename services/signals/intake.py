"""Use case: accept a creditor's signal, bundle it into the household's open case, announce it.

The signal document holds the `signal.raised` event in its outbox, so the signal and its announcement are
stored together. The case is updated afterwards and idempotently, so a retried request repairs a crash
between the two writes.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.events import new_event
from plumbing.outbox import new_document, outbox_entry
from services.signals.domain import SignalSubmission, household_reference, postcode_area
from services.signals.events import EVENTS_TOPIC, SIGNAL_RAISED, SignalRaised
from services.signals.settings import SignalsSettings

SOURCE = "/redzaam/signals"


@dataclass(frozen=True)
class Accepted:
    signal_id: str
    case_id: str
    household_ref: str
    duplicate: bool


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.cases.create_index([("household_ref", 1), ("status", 1)])
    await db.cases.create_index([("municipality", 1), ("status", 1), ("first_signal_at", 1)])
    await db.signals.create_index([("outbox_pending", 1)])


async def accept_signal(
    db: AsyncDatabase[Any],
    settings: SignalsSettings,
    partner: str,
    submission: SignalSubmission,
    idempotency_key: str | None,
) -> Accepted:
    signal_id = f"{partner}:{idempotency_key}" if idempotency_key else str(uuid.uuid4())
    existing = await db.signals.find_one({"_id": signal_id})
    if existing is not None:
        return Accepted(signal_id, existing["case_id"], existing["household_ref"], duplicate=True)

    household = household_reference(settings.pseudonym_key.get_secret_value().encode(), submission.address)
    now = datetime.now(UTC)
    case = await _join_open_case(db, household, submission, signal_id, partner, now)
    event = new_event(
        type=SIGNAL_RAISED,
        source=SOURCE,
        subject=household,
        data=SignalRaised(
            signal_id=signal_id,
            case_id=case["_id"],
            household_ref=household,
            municipality=submission.municipality,
            creditor_partner=partner,
            creditor_type=submission.creditor_type,
            arrears_cents=submission.arrears_cents,
            arrears_since=submission.arrears_since,
            crisis=submission.crisis,
            creditor_count=len(case["creditors"]),
        ),
    )
    signal = new_document(
        {
            "_id": signal_id,
            "case_id": case["_id"],
            "household_ref": household,
            "partner": partner,
            "received_at": now,
            "submission": submission.model_dump(mode="json"),
        },
        outbox_entry(settings.topic(EVENTS_TOPIC), event),
    )
    try:
        await db.signals.insert_one(signal)
    except DuplicateKeyError:
        return Accepted(signal_id, case["_id"], household, duplicate=True)
    return Accepted(signal_id, case["_id"], household, duplicate=False)


async def _join_open_case(
    db: AsyncDatabase[Any],
    household: str,
    submission: SignalSubmission,
    signal_id: str,
    partner: str,
    now: datetime,
) -> dict[str, Any]:
    """Adds the signal to the household's open case, opening one if there is none."""
    changes: dict[str, Any] = {"updated_at": now}
    if submission.crisis:
        changes["crisis"] = True
    case: dict[str, Any] | None = await db.cases.find_one_and_update(
        {"household_ref": household, "status": "open", "signal_ids": {"$ne": signal_id}},
        {
            "$push": {"signal_ids": signal_id},
            "$addToSet": {"creditors": partner, "creditor_types": submission.creditor_type.value},
            "$inc": {"total_arrears_cents": submission.arrears_cents},
            "$set": changes,
        },
        return_document=ReturnDocument.AFTER,
    )
    if case is not None:
        return case
    joined: dict[str, Any] | None = await db.cases.find_one({"household_ref": household, "status": "open"})
    if joined is not None:
        return joined  # this signal already joined it in an earlier, interrupted attempt
    case = {
        "_id": str(uuid.uuid4()),
        "household_ref": household,
        "status": "open",
        "municipality": submission.municipality,
        "postcode_area": postcode_area(submission.address.postcode),
        "address": submission.address.model_dump(mode="json"),
        "person": submission.person.model_dump(mode="json"),
        "signal_ids": [signal_id],
        "creditors": [partner],
        "creditor_types": [submission.creditor_type.value],
        "total_arrears_cents": submission.arrears_cents,
        "crisis": submission.crisis,
        "first_signal_at": now,
        "updated_at": now,
    }
    await db.cases.insert_one(case)
    return case
