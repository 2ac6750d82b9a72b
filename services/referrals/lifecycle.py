"""Use cases of a referral: create and match it; its steps through the closed loop are `moves.py`'s.

A referral and the events announcing its changes are one document (outbox). Capacity is held on accept with a
conditional decrement of the offer (never below zero, so two referrals racing for the last place cannot both get
it) and released when the referral ends.
"""

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing import errors
from plumbing.outbox import new_document
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.referrals.catalogue import all_offers
from services.referrals.domain import MatchRequest, ReferralState
from services.referrals.placing import placement


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
