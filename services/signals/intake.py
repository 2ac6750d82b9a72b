"""Use case: accept a creditor's signal and fold it into the household's case.

The signal is first recorded under its id (the partner's idempotency key when given), then folded into the
household's active case with a conditional update guarded by the case's version. That update carries the events
announcing the change in the case's outbox, so state and events cannot diverge. A retried request, or a crash
between the two writes, finishes the fold without doing anything twice.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.events import new_event
from plumbing.outbox import change_with_events, new_document, outbox_entry
from services.signals.bundling import ACTIVE_STATUSES, Folded, Policy, fold_signal, new_case_fields
from services.signals.domain import Address, SignalSubmission, household_reference
from services.signals.events import EVENTS_TOPIC
from services.signals.sealing import Sealer
from services.signals.settings import SignalsSettings

SOURCE = "/redzaam/signals"
MAX_FOLD_ATTEMPTS = 20


class Contention(Exception):
    """The case kept changing under this signal; the caller may retry."""


@dataclass(frozen=True)
class Accepted:
    signal_id: str
    case_id: str
    repeat: bool
    duplicate: bool


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.cases.create_index([("household_ref", 1), ("status", 1)])
    await db.cases.create_index([("municipality", 1), ("status", 1), ("deadline", 1)])
    await db.cases.create_index([("outbox_pending", 1)])
    await db.cases.create_index([("status", 1), ("closed_at", 1)])
    await db.signals.create_index([("partner", 1), ("received_at", 1)])
    await db.signals.create_index([("case_id", 1)])


async def accept_signal(
    db: AsyncDatabase[Any],
    settings: SignalsSettings,
    partner: str,
    submission: SignalSubmission,
    idempotency_key: str | None,
) -> Accepted:
    signal_id = f"{partner}:{idempotency_key}" if idempotency_key else str(uuid.uuid4())
    recorded = await _record(db, signal_id, partner, submission, settings)
    if recorded.get("case_id"):
        return Accepted(signal_id, recorded["case_id"], recorded.get("repeat", False), duplicate=True)

    household = recorded["household_ref"]
    policy = Policy(settings.threshold_for(submission.municipality), settings.term_for(submission.municipality))
    for _ in range(MAX_FOLD_ATTEMPTS):
        case, case_id = await _active_case(db, household)
        if case is not None and signal_id in case["signal_ids"] + case["repeat_signal_ids"]:
            repeat = signal_id in case["repeat_signal_ids"]  # folded before a crash; finish the record
            break
        folded = await _fold(db, settings, case, case_id, signal_id, partner, submission, policy)
        if folded is not None:
            case, repeat = folded.case, folded.repeat
            break
    else:
        raise Contention(f"case of household {household} changed {MAX_FOLD_ATTEMPTS} times during intake")
    await db.signals.update_one({"_id": signal_id}, {"$set": {"case_id": case["_id"], "repeat": repeat}})
    return Accepted(signal_id, case["_id"], repeat, duplicate=False)


async def _record(
    db: AsyncDatabase[Any], signal_id: str, partner: str, submission: SignalSubmission, settings: SignalsSettings
) -> dict[str, Any]:
    existing: dict[str, Any] | None = await db.signals.find_one({"_id": signal_id})
    if existing is not None:
        return existing
    document = {
        "_id": signal_id,
        "partner": partner,
        "household_ref": await household_for(db, settings, submission.address),
        "municipality": submission.municipality,
        "creditor_type": submission.creditor_type.value,
        "arrears_cents": submission.arrears_cents,
        "contract_reference": submission.contract_reference,
        "received_at": datetime.now(UTC),
        "case_id": None,
        "repeat": False,
        "submission": _sealed_submission(submission, Sealer(settings)),
    }
    try:
        await db.signals.insert_one(document)
    except DuplicateKeyError:
        raced: dict[str, Any] = await db.signals.find_one({"_id": signal_id}) or document
        return raced
    return document


async def household_for(db: AsyncDatabase[Any], settings: SignalsSettings, address: Address) -> str:
    """The household's pseudonymous reference. After the key was rotated, a household whose case is still active
    keeps the reference it had, so that its case and the help that follows stay one; all others get the new key's."""
    for previous in settings.previous_pseudonym_keys:
        earlier = household_reference(previous.get_secret_value().encode(), address)
        hint = await db.households.find_one({"_id": earlier})
        if hint is not None:
            case = await db.cases.find_one({"_id": f"case-{earlier[3:]}-{hint['generation']}"}, {"status": 1})
            if case is not None and case["status"] in ACTIVE_STATUSES:
                return earlier
    return household_reference(settings.pseudonym_key.get_secret_value().encode(), address)


async def _active_case(db: AsyncDatabase[Any], household: str) -> tuple[dict[str, Any] | None, str]:
    """The household's active case, or None and the id its next case gets.

    Cases of a household are numbered; `households` remembers the latest number as a hint, so that finding the
    case takes reads by id only (FerretDB v1 scans a whole collection for any other filter).
    """
    hint = await db.households.find_one({"_id": household})
    generation = hint["generation"] if hint else 1
    while True:
        case_id = f"case-{household[3:]}-{generation}"
        case: dict[str, Any] | None = await db.cases.find_one({"_id": case_id})
        if case is None or case["status"] in ACTIVE_STATUSES:
            if hint is None or hint["generation"] != generation:
                await db.households.update_one({"_id": household}, {"$set": {"generation": generation}}, upsert=True)
            return case, case_id
        generation += 1


def _sealed_submission(submission: SignalSubmission, sealer: Sealer) -> dict[str, Any]:
    """The submission as received, its personal parts encrypted."""
    stored = submission.model_dump(mode="json")
    stored["person"], stored["address"] = sealer.seal(stored["person"]), sealer.seal(stored["address"])
    return stored


async def _fold(
    db: AsyncDatabase[Any],
    settings: SignalsSettings,
    case: dict[str, Any] | None,
    case_id: str,
    signal_id: str,
    partner: str,
    submission: SignalSubmission,
    policy: Policy,
) -> Folded | None:
    """One optimistic attempt; None when another writer got there first."""
    now = datetime.now(UTC)
    if case is None:
        household = "hh-" + case_id.removeprefix("case-").rsplit("-", 1)[0]
        case = new_case_fields(case_id, household, submission, now, Sealer(settings).seal)
        folded = fold_signal(case, signal_id, partner, submission, policy)
        document = new_document(folded.case, *_entries(settings, folded))
        try:
            await db.cases.insert_one(document)
        except DuplicateKeyError:
            return None
        return folded
    folded = fold_signal(case, signal_id, partner, submission, policy)
    changes = {
        key: value
        for key, value in folded.case.items()
        if key not in ("_id", "version", "outbox", "outbox_pending") and value != case.get(key)
    }
    result = await db.cases.update_one(
        {"_id": case["_id"], "version": case["version"]}, change_with_events(changes, *_entries(settings, folded))
    )
    return folded if result.modified_count == 1 else None


def _entries(settings: SignalsSettings, folded: Folded) -> list[dict[str, Any]]:
    case = folded.case
    return [
        outbox_entry(
            settings.topic(EVENTS_TOPIC),
            new_event(type=event_type, source=SOURCE, subject=case["household_ref"], data=data),
        )
        for event_type, data in folded.events
    ]
