"""Use cases of a referral: create and match it, then move it through its closed loop.

A referral and the events announcing its changes are one document (outbox). Capacity is held on accept with a
conditional decrement of the offer (never below zero, so two referrals racing for the last place cannot both get
it) and released when the referral ends.
"""

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing import errors
from plumbing.events import CloudEvent, new_event
from plumbing.outbox import change_with_events, new_document, outbox_entry
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.referrals.catalogue import all_offers, give_back_place, take_place
from services.referrals.domain import (
    HOLDS_CAPACITY,
    DeclineCategory,
    MatchRequest,
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
from services.referrals.placing import SOURCE, placement, rematch_step, rematch_waiting, request_of, tried_of


class ReferralNotFound(errors.NotFound):
    def __init__(self, referral_id: str) -> None:
        super().__init__(f"referral {referral_id} does not exist")


class NoCapacity(errors.Conflict):
    """The referral's offer has no place free, or it has no offer; `why` says which."""

    def __init__(self, why: str) -> None:
        super().__init__(f"capacity: {why}")
        self.why = why


class Conflict(errors.Conflict):
    """The referral changed meanwhile; read it again."""

    def __init__(self, referral_id: str) -> None:
        super().__init__("the referral changed meanwhile; try again")
        self.referral_id = referral_id


class OfferDoesNotFit(errors.Conflict):
    """The offer chosen for a referral does not fit it or has no room; the message says why."""


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.offers.create_index([("municipalities", 1), ("status", 1)])
    await db.referrals.create_index([("outbox_pending", 1)])
    await db.referrals.create_index([("municipality", 1), ("created_at", -1)])
    await db.referrals.create_index([("organisation_id", 1), ("state", 1)])
    await db.referrals.create_index([("state", 1), ("offer_id", 1), ("created_at", 1)])  # the unmet ones


async def create_referral(
    work: UnitOfWork,
    settings: PlatformSettings,
    referral_id: str,
    household_ref: str,
    request: MatchRequest,
    source: str,
    at: datetime | None = None,
    offer_id: str | None = None,
) -> bool:
    """Creates the referral matched to the best offer, or unmet (waiting for one) when none fits; False when it
    exists already (redelivery, retry). With `offer_id` (chosen by a caseworker) it goes to that offer only, and
    OfferDoesNotFit is raised when that one does not fit or is full."""
    db = work.db
    if await db.referrals.find_one({"_id": referral_id}, {"_id": 1}) is not None:
        return False
    offers = await all_offers(db, request.municipality)
    if offer_id is not None:
        offers = [offer for offer in offers if offer.id == offer_id]
        if not offers:
            raise OfferDoesNotFit(f"offer_id: {offer_id} does not serve {request.municipality}")
    fields: dict[str, Any] = {
        "_id": referral_id,
        "household_ref": household_ref,
        "municipality": request.municipality,
        "needs": [need.value for need in request.needs],
        "age_band": request.age_band,
        "age": request.age,
        "phase": request.phase.value if request.phase else None,
        "source": source,
        "state": ReferralState.REQUESTED.value,
        "capacity_held": False,
        "created_at": at or datetime.now(UTC),
        "history": [{"state": ReferralState.REQUESTED.value, "at": datetime.now(UTC), "by": source}],
    }
    matched, entries = placement(settings, referral_id, household_ref, request, offers)
    if offer_id is not None and matched["offer_id"] is None:
        raise OfferDoesNotFit(f"offer_id: {'; '.join(matched['explanation'][1:])}")
    fields.update(matched)
    try:
        await db.referrals.insert_one(new_document(fields, *entries))
    except DuplicateKeyError:
        return False
    work.announced("referrals", referral_id)
    return True


async def get_referral(db: AsyncDatabase[Any], referral_id: str) -> dict[str, Any]:
    referral: dict[str, Any] | None = await db.referrals.find_one({"_id": referral_id})
    if referral is None:
        raise ReferralNotFound(referral_id)
    return referral


async def move(
    work: UnitOfWork,
    settings: PlatformSettings,
    referral_id: str,
    wanted: ReferralState,
    actor: str,
    reason: str = "",
    result: Result | None = None,
    category: DeclineCategory | None = None,
) -> dict[str, Any]:
    """Moves the referral to `wanted`; raises IllegalTransition, NoCapacity, Conflict or ReferralNotFound.
    A decline may say why as a `category` too, which the outreach worker gets to see (the words stay here).

    A declined referral is matched again in the same write: to the best offer it has not been to yet, or left
    unmet (requested, without an offer) until a place frees up. A place given back re-matches unmet referrals."""
    db = work.db
    referral = await get_referral(db, referral_id)
    current = ReferralState(referral["state"])
    check_transition(current, wanted)
    if referral["offer_id"] is None and wanted is not ReferralState.CANCELLED:
        raise NoCapacity("offer_id: this referral has no offer yet")
    held = referral["capacity_held"]
    if wanted is ReferralState.ACCEPTED:
        if not await take_place(db, referral["offer_id"]):
            raise NoCapacity(f"offer {referral['offer_id']} has no place free")
        held = True
    releases = held and wanted not in HOLDS_CAPACITY
    now = datetime.now(UTC)
    step: dict[str, Any] = {"state": wanted.value, "at": now, "by": actor}
    if reason:
        step["reason"] = reason
    if result is not None:
        step["result"] = result.value
    if category is not None:
        step["category"] = category.value
    event = _event(referral, wanted, reason, result, category)
    changes = {"state": wanted.value, "capacity_held": held and not releases, "updated_at": step["at"]}
    if result is not None:
        changes["result"] = result.value
    entries = [outbox_entry(settings.topic(EVENTS_TOPIC), event)] if event else []
    steps = [step]
    if wanted is ReferralState.DECLINED:
        offers = await all_offers(db, referral["municipality"])
        rematched, matched_entries = placement(
            settings, referral_id, referral["household_ref"], request_of(referral), offers, tried_of(referral)
        )
        changes.update(rematched, state=ReferralState.REQUESTED.value)
        entries += matched_entries
        steps.append(rematch_step(rematched, now))
    update = change_with_events(changes, *entries)
    update["$push"] = {"history": {"$each": steps}}
    moved = await db.referrals.update_one({"_id": referral_id, "version": referral["version"]}, update)
    if moved.modified_count != 1:
        if wanted is ReferralState.ACCEPTED:
            await give_back_place(db, referral["offer_id"])
        raise Conflict(referral_id)
    work.announced("referrals", referral_id)
    if releases:
        await give_back_place(db, referral["offer_id"])
        await rematch_waiting(work, settings, [referral["offer_id"]])
    return await get_referral(db, referral_id)


def _event(
    referral: dict[str, Any],
    wanted: ReferralState,
    reason: str,
    result: Result | None,
    category: DeclineCategory | None = None,
) -> CloudEvent | None:
    common = {
        "referral_id": referral["_id"],
        "household_ref": referral["household_ref"],
        "municipality": referral["municipality"],
        "offer_id": referral["offer_id"] or "",
    }
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
