"""Use case: accept a batch of creditors' signals and fold each into its household's case.

A batch of any size costs a bounded number of database operations: the signals already recorded, the households'
hints and their active cases are each read with one `$in`; the signals are folded into their cases in memory; the
cases are written with one bulk write (inserts, and updates guarded by the case's version), then the signals are
recorded with one insert. Each case update carries the events announcing the change in the case's outbox, so state
and events cannot diverge. Cases are written before the signals are recorded: a retried request, or a crash
between the two writes, finds the signal already in its case and only finishes the record, doing nothing twice.
Only a household whose case another writer changed meanwhile is read and folded again.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from plumbing.events import new_event
from plumbing.outbox import change_with_events, new_document, outbox_entry
from plumbing.unit_of_work import UnitOfWork
from services.signals.bundling import ACTIVE_STATUSES, Folded, Policy, fold_signal, new_case_fields
from services.signals.domain import Address, SignalSubmission, household_reference
from services.signals.events import EVENTS_TOPIC
from services.signals.municipality_settings import policies_for
from services.signals.sealing import Sealer
from services.signals.settings import SignalsSettings
from services.signals.teams import team_for, teams_by_municipality

SOURCE = "/redzaam/signals"
MAX_FOLD_ATTEMPTS = 20
DUPLICATE_KEY = 11000


class Contention(Exception):
    """The case kept changing under this signal; the caller may retry."""


@dataclass(frozen=True)
class Accepted:
    signal_id: str
    case_id: str
    repeat: bool
    duplicate: bool


@dataclass(frozen=True)
class Submitted:
    submission: SignalSubmission
    idempotency_key: str | None = None


@dataclass
class _Pending:
    """A signal of this batch that is not yet in its case."""

    index: int
    signal_id: str
    household: str
    submission: SignalSubmission
    recorded: bool  # recorded by an earlier attempt that crashed before finishing


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.cases.create_index([("household_ref", 1), ("status", 1)])
    await db.cases.create_index([("municipality", 1), ("status", 1), ("deadline", 1)])
    await db.cases.create_index([("outbox_pending", 1)])
    await db.cases.create_index([("status", 1), ("closed_at", 1)])
    await db.cases.create_index([("status", 1), ("last_signal_at", 1)])
    await db.evictions.create_index([("received_at", 1)])
    await db.signals.create_index([("partner", 1), ("received_at", 1)])
    await db.signals.create_index([("case_id", 1)])


async def accept_signals(
    work: UnitOfWork, settings: SignalsSettings, partner: str, items: Sequence[Submitted]
) -> list[Accepted]:
    """Accepts the signals in order; the result has one entry per item, in the same order."""
    db = work.db
    ids = [f"{partner}:{item.idempotency_key}" if item.idempotency_key else str(uuid.uuid4()) for item in items]
    keyed = [signal_id for signal_id, item in zip(ids, items, strict=True) if item.idempotency_key]
    recorded = {doc["_id"]: doc for doc in await db.signals.find({"_id": {"$in": keyed}}).to_list()} if keyed else {}
    results: dict[int, Accepted] = {}
    first_of: dict[str, int] = {}
    pending: list[_Pending] = []
    new_addresses: dict[int, Address] = {}
    for index, (signal_id, item) in enumerate(zip(ids, items, strict=True)):
        earlier = recorded.get(signal_id)
        if earlier is not None and earlier.get("case_id"):
            results[index] = Accepted(signal_id, earlier["case_id"], earlier.get("repeat", False), duplicate=True)
        elif signal_id in first_of:
            continue  # the same key twice in one batch: answered as a duplicate of the first below
        else:
            first_of[signal_id] = index
            household = earlier["household_ref"] if earlier else ""
            pending.append(_Pending(index, signal_id, household, item.submission, recorded=earlier is not None))
            if earlier is None:
                new_addresses[index] = item.submission.address
    households = dict(zip(new_addresses, await households_for(db, settings, list(new_addresses.values())), strict=True))
    for item_pending in pending:
        if not item_pending.household:
            item_pending.household = households[item_pending.index]
    folded = await _fold_all(db, settings, partner, pending)
    await _record(db, settings, partner, pending, folded)
    for item_pending in pending:
        case_id, repeat = folded[item_pending.signal_id]
        results[item_pending.index] = Accepted(item_pending.signal_id, case_id, repeat, duplicate=False)
    for index, signal_id in enumerate(ids):
        if index not in results:
            first = results[first_of[signal_id]]
            results[index] = Accepted(signal_id, first.case_id, first.repeat, duplicate=True)
    work.announced("cases", *{result.case_id for result in results.values() if not result.duplicate})
    return [results[index] for index in range(len(items))]


async def households_for(db: AsyncDatabase[Any], settings: SignalsSettings, addresses: list[Address]) -> list[str]:
    """Each address's pseudonymous household reference, in order. After the key was rotated, a household whose case
    is still active keeps the reference it had, so that its case and the help that follows stay one; all others get
    the new key's."""
    current = settings.pseudonym_key.get_secret_value().encode()
    references = [household_reference(current, address) for address in addresses]
    undecided = set(range(len(addresses)))
    for previous in settings.previous_pseudonym_keys:
        if not undecided:
            break
        key = previous.get_secret_value().encode()
        earlier = {index: household_reference(key, addresses[index]) for index in undecided}
        hints = await db.households.find({"_id": {"$in": list(set(earlier.values()))}}).to_list()
        case_ids = [_case_id(hint["_id"], hint["generation"]) for hint in hints]
        active = {
            case["household_ref"]
            for case in await db.cases.find({"_id": {"$in": case_ids}}, {"status": 1, "household_ref": 1}).to_list()
            if case["status"] in ACTIVE_STATUSES
        }
        for index, reference in earlier.items():
            if reference in active:
                references[index] = reference
                undecided.discard(index)
    return references


async def household_for(db: AsyncDatabase[Any], settings: SignalsSettings, address: Address) -> str:
    return (await households_for(db, settings, [address]))[0]


def _case_id(household: str, generation: int) -> str:
    return f"case-{household[3:]}-{generation}"


async def _active_cases(db: AsyncDatabase[Any], households: set[str]) -> dict[str, tuple[dict[str, Any] | None, str]]:
    """Each household's active case, or None and the id its next case gets.

    Cases of a household are numbered; `households` remembers the latest number as a hint, so that finding the
    cases takes reads by id only, one `$in` for all households (and one more per round of closed cases passed).
    """
    hints = {
        hint["_id"]: hint["generation"]
        for hint in await db.households.find({"_id": {"$in": list(households)}}).to_list()
    }
    generation = {household: hints.get(household, 1) for household in households}
    found: dict[str, tuple[dict[str, Any] | None, str]] = {}
    looking = set(households)
    while looking:
        wanted = {_case_id(household, generation[household]): household for household in looking}
        cases = {case["_id"]: case for case in await db.cases.find({"_id": {"$in": list(wanted)}}).to_list()}
        for case_id, household in wanted.items():
            case = cases.get(case_id)
            if case is None or case["status"] in ACTIVE_STATUSES:
                found[household] = (case, case_id)
                looking.discard(household)
            else:
                generation[household] += 1
    moved = [
        UpdateOne({"_id": household}, {"$set": {"generation": generation[household]}}, upsert=True)
        for household in households
        if hints.get(household) != generation[household]
    ]
    if moved:
        await db.households.bulk_write(moved, ordered=False)
    return found


async def _fold_all(
    db: AsyncDatabase[Any], settings: SignalsSettings, partner: str, pending: list[_Pending]
) -> dict[str, tuple[str, bool]]:
    """Folds every pending signal into its household's case; returns case id and repeat flag per signal id."""
    by_household: dict[str, list[_Pending]] = {}
    for item in pending:
        by_household.setdefault(item.household, []).append(item)
    sealer = Sealer(settings)
    teams = await teams_by_municipality(db, {item.submission.municipality for item in pending})
    # read once per batch, not cached: a change by the administrator counts from the next batch, on every replica
    policies = await policies_for(db, settings, {item.submission.municipality for item in pending})
    done: dict[str, tuple[str, bool]] = {}
    todo = set(by_household)
    for _ in range(MAX_FOLD_ATTEMPTS):
        if not todo:
            return done
        cases = await _active_cases(db, todo)
        writes: dict[str, InsertOne[Any] | UpdateOne] = {}
        outcome: dict[str, dict[str, tuple[str, bool]]] = {}
        for household in todo:
            case, case_id = cases[household]
            write, outcome[household] = _fold_household(
                settings, sealer, partner, case, case_id, by_household[household], teams, policies
            )
            if write is None:
                done.update(outcome[household])
            else:
                writes[household] = write
        todo = await _write_cases(db, writes, outcome, done)
    if todo:
        raise Contention(f"cases of {len(todo)} households changed {MAX_FOLD_ATTEMPTS} times during intake")
    return done


def _fold_household(
    settings: SignalsSettings,
    sealer: Sealer,
    partner: str,
    case: dict[str, Any] | None,
    case_id: str,
    items: list[_Pending],
    teams: dict[str, list[dict[str, Any]]],
    policies: dict[str, Policy],
) -> tuple[InsertOne[Any] | UpdateOne | None, dict[str, tuple[str, bool]]]:
    """The one write that folds the household's signals into its case (None: all were folded before), and the
    case id and repeat flag of each signal. A new case goes to the team of its postcode area (`teams` of the
    batch's municipalities)."""
    now = datetime.now(UTC)
    original = case
    if case is None:
        first = items[0].submission
        case = new_case_fields(case_id, items[0].household, first, now, sealer.seal)
        case["team"] = team_for(first.address.postcode, teams[first.municipality])
    entries: list[dict[str, Any]] = []
    outcome: dict[str, tuple[str, bool]] = {}
    for item in items:
        if item.signal_id in case["signal_ids"] or item.signal_id in case["repeat_signal_ids"]:
            outcome[item.signal_id] = (case["_id"], item.signal_id in case["repeat_signal_ids"])  # before a crash
            continue
        policy = policies[item.submission.municipality]
        folded = fold_signal(case, item.signal_id, partner, item.submission, policy, now.date(), now)
        case = folded.case
        entries.extend(_entries(settings, folded))
        outcome[item.signal_id] = (case["_id"], folded.repeat)
    if not entries and original is not None and len(case["repeat_signal_ids"]) == len(original["repeat_signal_ids"]):
        return None, outcome
    if original is None:
        return InsertOne(new_document(case, *entries)), outcome
    changes = {
        key: value
        for key, value in case.items()
        if key not in ("_id", "version", "outbox", "outbox_pending") and value != original.get(key)
    }
    guard = {"_id": original["_id"], "version": original["version"]}
    return UpdateOne(guard, change_with_events(changes, *entries)), outcome


async def _write_cases(
    db: AsyncDatabase[Any],
    writes: dict[str, InsertOne[Any] | UpdateOne],
    outcome: dict[str, dict[str, tuple[str, bool]]],
    done: dict[str, tuple[str, bool]],
) -> set[str]:
    """One bulk write of the folded cases; returns the households another writer got to first, to fold again."""
    if not writes:
        return set()
    households = list(writes)
    conflicted: set[str] = set()
    try:
        result = await db.cases.bulk_write([writes[household] for household in households], ordered=False)
        unmatched = result.matched_count < sum(isinstance(write, UpdateOne) for write in writes.values())
    except BulkWriteError as error:
        problems = error.details["writeErrors"]
        if any(problem["code"] != DUPLICATE_KEY for problem in problems):
            raise
        conflicted = {households[problem["index"]] for problem in problems}
        updates = sum(isinstance(writes[household], UpdateOne) for household in households)
        unmatched = error.details.get("nMatched", updates) < updates
    if unmatched:  # a guarded update found another version: see which of the cases hold their signals now
        updated = [household for household in households if isinstance(writes[household], UpdateOne)]
        last_signal = {household: list(outcome[household])[-1] for household in updated}
        case_ids = {outcome[household][last_signal[household]][0]: household for household in updated}
        stored = await db.cases.find(
            {"_id": {"$in": list(case_ids)}}, {"signal_ids": 1, "repeat_signal_ids": 1}
        ).to_list()
        holding = {
            case_ids[case["_id"]]
            for case in stored
            if last_signal[case_ids[case["_id"]]] in case["signal_ids"] + case["repeat_signal_ids"]
        }
        conflicted |= set(updated) - holding
    for household in households:
        if household not in conflicted:
            done.update(outcome[household])
    return conflicted


async def _record(
    db: AsyncDatabase[Any],
    settings: SignalsSettings,
    partner: str,
    pending: list[_Pending],
    folded: dict[str, tuple[str, bool]],
) -> None:
    """Records the signals, after their cases hold them; an earlier attempt's record only gets its case."""
    sealer = Sealer(settings)
    now = datetime.now(UTC)
    fresh = [
        {
            "_id": item.signal_id,
            "partner": partner,
            "household_ref": item.household,
            "municipality": item.submission.municipality,
            "creditor_type": item.submission.creditor_type.value,
            "arrears_cents": item.submission.arrears_cents,
            "contract_reference": item.submission.contract_reference,
            "received_at": now,
            "case_id": folded[item.signal_id][0],
            "repeat": folded[item.signal_id][1],
            "submission": _sealed_submission(item.submission, sealer),
        }
        for item in pending
        if not item.recorded
    ]
    finishing = [
        UpdateOne(
            {"_id": item.signal_id},
            {"$set": {"case_id": folded[item.signal_id][0], "repeat": folded[item.signal_id][1]}},
        )
        for item in pending
        if item.recorded
    ]
    if fresh:
        try:
            await db.signals.insert_many(fresh, ordered=False)
        except BulkWriteError as error:  # the same key raced in on another request: its record stands
            if any(problem["code"] != DUPLICATE_KEY for problem in error.details["writeErrors"]):
                raise
    if finishing:
        await db.signals.bulk_write(finishing, ordered=False)


def _sealed_submission(submission: SignalSubmission, sealer: Sealer) -> dict[str, Any]:
    """The submission as received, its personal parts encrypted."""
    stored = submission.model_dump(mode="json")
    stored["person"], stored["address"] = sealer.seal(stored["person"]), sealer.seal(stored["address"])
    return stored


def _entries(settings: SignalsSettings, folded: Folded) -> list[dict[str, Any]]:
    case = folded.case
    return [
        outbox_entry(
            settings.topic(EVENTS_TOPIC),
            new_event(type=event_type, source=SOURCE, subject=case["household_ref"], data=data),
        )
        for event_type, data in folded.events
    ]
