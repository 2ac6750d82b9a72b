"""Moving referrals through their closed loop, a batch of steps at a time (one step is a batch of one).

A round reads the referrals named (one `$in`) and, when steps need them, the offers (by id for accepts, by
municipality for declines, which are matched again); applies the state machine in memory, referral by referral and
step by step in the order asked, so that an accept and a start of one referral in the same batch both hold; holds
the places accepts need with one conditional update per offer (never below zero); and writes every changed referral,
with the events announcing its steps in its own outbox, in one bulk write guarded by its version. What loses a race
(a referral changed meanwhile, an offer's places gone meanwhile) has the places it held given back and is tried once
more from a fresh read, then refused with `Conflict`: never applied twice, never lost without an answer. Places
given back by the steps that ended a referral re-match the waiting ones once for the whole batch.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel
from pymongo import UpdateOne

from plumbing.errors import Refusal
from plumbing.events import CloudEvent, new_event
from plumbing.outbox import change_with_events, outbox_entry
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.referrals.catalogue import give_back_place, offers_in, offers_with_ids, take_place
from services.referrals.domain import (
    HOLDS_CAPACITY,
    DeclineCategory,
    OfferCreate,
    OfferStatus,
    ReferralState,
    Result,
    check_transition,
)
from services.referrals.events import (
    EVENTS_TOPIC,
    REFERRAL_ACCEPTED,
    REFERRAL_CANCELLED,
    REFERRAL_COMPLETED,
    REFERRAL_DECLINED,
    REFERRAL_STARTED,
    ReferralAccepted,
    ReferralCancelled,
    ReferralCompleted,
    ReferralDeclined,
    ReferralStarted,
)
from services.referrals.lifecycle import Conflict, NoCapacity, ReferralNotFound
from services.referrals.placing import SOURCE, placement, rematch_step, rematch_waiting, request_of, tried_of

ROUNDS = 2  # a step that loses a race is tried once more from a fresh read


@dataclass(frozen=True)
class Move:
    """One step asked for one referral."""

    referral_id: str
    wanted: ReferralState
    actor: str
    reason: str = ""
    result: Result | None = None
    category: DeclineCategory | None = None


Moved = tuple[dict[str, Any], dict[str, Any]]  # the referral before the step and after it
Outcome = Moved | Refusal | HTTPException
Check = Callable[[int, dict[str, Any]], None]  # raises when the asker of move `index` may not see it


@dataclass
class _Plan:
    """What one round writes for one referral: its steps' changes, history, events and the places they take."""

    read: dict[str, Any]
    current: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    asked: list[int] = field(default_factory=list)  # every move asked of it, refused in this round or not
    moves: list[int] = field(default_factory=list)  # the moves applied
    takes: Counter[str] = field(default_factory=Counter)
    releases: Counter[str] = field(default_factory=Counter)


async def move_many(work: UnitOfWork, settings: PlatformSettings, moves: Sequence[Move], check: Check) -> list[Outcome]:
    """Each move's outcome, in order: the referral before and after, or why it was refused (ReferralNotFound,
    IllegalTransition, NoCapacity, what `check` raises, or Conflict after a second lost race)."""
    outcomes: list[Outcome | None] = [None] * len(moves)
    pending = list(range(len(moves)))
    for _ in range(ROUNDS):
        if not pending:
            break
        pending = await _round(work, settings, moves, pending, check, outcomes)
    for index in pending:
        outcomes[index] = Conflict(moves[index].referral_id)
    return [outcome for outcome in outcomes if outcome is not None]


async def _round(
    work: UnitOfWork,
    settings: PlatformSettings,
    moves: Sequence[Move],
    pending: list[int],
    check: Check,
    outcomes: list[Outcome | None],
) -> list[int]:
    """Applies the pending moves; returns the ones that lost a race."""
    db = work.db
    ids = sorted({moves[index].referral_id for index in pending})
    read = {doc["_id"]: doc async for doc in db.referrals.find({"_id": {"$in": ids}}, {"outbox": 0})}
    wanted = {moves[index].wanted for index in pending}
    by_id: dict[str, OfferCreate] = {}
    if ReferralState.ACCEPTED in wanted:
        held_at = sorted({doc["offer_id"] for doc in read.values() if doc.get("offer_id")})
        by_id = {offer.id: offer for offer in await offers_with_ids(db, held_at)}
    in_area: dict[str, list[OfferCreate]] = {}
    if ReferralState.DECLINED in wanted:
        for offer in await offers_in(db, sorted({doc["municipality"] for doc in read.values()})):
            for code in offer.municipalities:
                in_area.setdefault(code, []).append(offer)
    free = {offer_id: offer.capacity_available for offer_id, offer in by_id.items()}
    now = datetime.now(UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as stored, to find this round's steps again
    plans: dict[str, _Plan] = {}
    for index in pending:
        move = moves[index]
        document = read.get(move.referral_id)
        plan = plans.get(move.referral_id)
        if plan is None and document is not None:
            plan = plans[move.referral_id] = _Plan(read=document, current={**document})
        try:
            if plan is None:
                raise ReferralNotFound(move.referral_id)
            plan.asked.append(index)
            check(index, plan.current)
            before = {**plan.current}
            _apply(settings, plan, move, by_id, free, in_area.get(plan.current["municipality"], []), now)
        except (Refusal, HTTPException) as refusal:
            outcomes[index] = refusal
            continue
        plan.moves.append(index)
        outcomes[index] = (before, {**plan.current})
    lost = await _write(work, settings, [plan for plan in plans.values() if plan.moves], now)
    for plan in lost:  # refusals too: they followed from steps that did not hold
        for index in plan.asked:
            outcomes[index] = None
    return sorted(index for plan in lost for index in plan.asked)


def _apply(
    settings: PlatformSettings,
    plan: _Plan,
    move: Move,
    offers: dict[str, OfferCreate],
    free: dict[str, int],
    in_area: list[OfferCreate],
    now: datetime,
) -> None:
    """One step on the referral as this round has it so far; raises IllegalTransition or NoCapacity."""
    referral = plan.current
    check_transition(ReferralState(referral["state"]), move.wanted)
    offer_id = referral["offer_id"]
    if offer_id is None and move.wanted is not ReferralState.CANCELLED:
        raise NoCapacity("offer_id: this referral has no offer yet")
    held = referral["capacity_held"]
    if move.wanted is ReferralState.ACCEPTED:
        offer = offers.get(offer_id)
        if offer is None or offer.status is not OfferStatus.ACTIVE or free.get(offer_id, 0) <= 0:
            raise NoCapacity(f"offer {offer_id} has no place free")
        free[offer_id] -= 1
        plan.takes[offer_id] += 1
        held = True
    releases = held and move.wanted not in HOLDS_CAPACITY
    step: dict[str, Any] = {"state": move.wanted.value, "at": now, "by": move.actor}
    if move.reason:
        step["reason"] = move.reason
    if move.result is not None:
        step["result"] = move.result.value
    if move.category is not None:
        step["category"] = move.category.value
    changes: dict[str, Any] = {"state": move.wanted.value, "capacity_held": held and not releases, "updated_at": now}
    if move.result is not None:
        changes["result"] = move.result.value
    event = _event(referral, move)
    entries = [outbox_entry(settings.topic(EVENTS_TOPIC), event)] if event else []
    steps = [step]
    if move.wanted is ReferralState.DECLINED:
        rematched, matched_entries = placement(
            settings, referral["_id"], referral["household_ref"], request_of(referral), in_area, tried_of(referral)
        )
        changes.update(rematched, state=ReferralState.REQUESTED.value)
        entries += matched_entries
        steps.append(rematch_step(rematched, now))
    if releases:
        plan.releases[offer_id] += 1
    plan.changes.update(changes)
    plan.history += steps
    plan.entries += entries
    referral.update(changes)
    referral["history"] = [*referral.get("history", []), *steps]


async def _write(work: UnitOfWork, settings: PlatformSettings, plans: list[_Plan], now: datetime) -> list[_Plan]:
    """Holds the places, writes the referrals, gives back what they free; returns the plans that lost a race."""
    db = work.db
    takes: Counter[str] = Counter()
    for plan in plans:
        takes.update(plan.takes)
    short = {offer_id for offer_id, count in takes.items() if not await take_place(db, offer_id, count)}
    lost = [plan for plan in plans if short & set(plan.takes)]
    writing = [plan for plan in plans if not short & set(plan.takes)]
    if writing:
        updates = []
        for plan in writing:
            update = change_with_events(plan.changes, *plan.entries)
            update["$push"] = {"history": {"$each": plan.history}}
            updates.append(UpdateOne({"_id": plan.read["_id"], "version": plan.read["version"]}, update))
        written = await db.referrals.bulk_write(updates, ordered=False)
        if written.modified_count != len(updates):
            stored = await _written(work, writing, now)
            lost += [plan for plan in writing if plan.read["_id"] not in stored]
            writing = [plan for plan in writing if plan.read["_id"] in stored]
        work.announced("referrals", *[plan.read["_id"] for plan in writing])
    given: Counter[str] = Counter()
    for plan in lost:
        given.update({offer_id: count for offer_id, count in plan.takes.items() if offer_id not in short})
    released: Counter[str] = Counter()
    for plan in writing:
        released.update(plan.releases)
    for offer_id, count in (given + released).items():
        await give_back_place(db, offer_id, count)
    if released:
        await rematch_waiting(work, settings, sorted(released))
    return lost


async def _written(work: UnitOfWork, plans: list[_Plan], now: datetime) -> set[str]:
    """The referrals of `plans` whose write went through: their history holds this round's first step."""
    first = {plan.read["_id"]: plan.history[0] for plan in plans}
    stored: set[str] = set()
    async for document in work.db.referrals.find({"_id": {"$in": sorted(first)}}, {"history": 1}):
        step = first[document["_id"]]
        for entry in document.get("history", []):
            at = entry.get("at")
            same_time = isinstance(at, datetime) and at.replace(tzinfo=None) == now.replace(tzinfo=None)
            if same_time and entry.get("by") == step["by"] and entry.get("state") == step["state"]:
                stored.add(document["_id"])
                break
    return stored


def _event(referral: dict[str, Any], move: Move) -> CloudEvent | None:
    common = {
        "referral_id": referral["_id"],
        "household_ref": referral["household_ref"],
        "municipality": referral["municipality"],
        "offer_id": referral["offer_id"] or "",
    }
    wanted, reason, result, category = move.wanted, move.reason, move.result, move.category
    data: BaseModel
    if wanted is ReferralState.ACCEPTED:
        event_type, data = REFERRAL_ACCEPTED, ReferralAccepted(**common)
    elif wanted is ReferralState.DECLINED:
        event_type, data = (
            REFERRAL_DECLINED,
            ReferralDeclined(**common, reason=reason, category=category.value if category else None),
        )
    elif wanted is ReferralState.IN_PROGRESS:
        event_type, data = REFERRAL_STARTED, ReferralStarted(**common)
    elif wanted is ReferralState.CANCELLED:
        event_type, data = REFERRAL_CANCELLED, ReferralCancelled(**common, reason=reason)
    elif wanted is ReferralState.COMPLETED and result is not None:
        event_type, data = REFERRAL_COMPLETED, ReferralCompleted(**common, result=result)
    else:
        return None
    return new_event(type=event_type, source=SOURCE, subject=referral["household_ref"], data=data)
