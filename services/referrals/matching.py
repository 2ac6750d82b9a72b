"""Use cases: keep the catalogue, and match a household with a fresh signal to an offer."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.events import CloudEvent, new_event
from plumbing.outbox import new_document, outbox_entry
from plumbing.settings import PlatformSettings
from services.referrals.domain import OfferCreate, rank
from services.referrals.events import EVENTS_TOPIC, HOUSEHOLD_MATCHED, HouseholdMatched
from services.referrals.subscriptions import SignalRaised

SOURCE = "/redzaam/referrals"


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.offers.create_index([("municipalities", 1), ("status", 1)])
    await db.referrals.create_index([("outbox_pending", 1)])
    await db.referrals.create_index([("municipality", 1), ("created_at", -1)])


async def save_offer(db: AsyncDatabase[Any], offer: OfferCreate) -> bool:
    """Creates or replaces the offer; True when it was new."""
    result = await db.offers.replace_one({"_id": offer.id}, offer_document(offer), upsert=True)
    return result.upserted_id is not None


def offer_document(offer: OfferCreate) -> dict[str, Any]:
    document = offer.model_dump(mode="json")
    document["_id"] = document.pop("id")
    return document


def offer_from_document(document: dict[str, Any]) -> OfferCreate:
    fields = {key: value for key, value in document.items() if key != "_id"}
    return OfferCreate.model_validate({**fields, "id": document["_id"]})


async def match_household(db: AsyncDatabase[Any], settings: PlatformSettings, event: CloudEvent) -> str | None:
    """One referral per case: a later signal of the same case, or a redelivery, changes nothing.
    Returns the id of the referral it created, if it created one."""
    signal = event.data_as(SignalRaised)
    if await db.referrals.find_one({"_id": signal.case_id}, {"_id": 1}) is not None:
        return None
    candidates = [offer_from_document(doc) async for doc in db.offers.find({"municipalities": signal.municipality})]
    ranked = rank(candidates, signal.municipality)
    referral: dict[str, Any] = {
        "_id": signal.case_id,
        "household_ref": signal.household_ref,
        "municipality": signal.municipality,
        "source_event_id": event.id,
        "created_at": event.time,
    }
    if not ranked:
        document = new_document({**referral, "state": "unmatched", "offer_id": None})
    else:
        offer = ranked[0]
        matched = new_event(
            type=HOUSEHOLD_MATCHED,
            source=SOURCE,
            subject=signal.household_ref,
            data=HouseholdMatched(
                referral_id=signal.case_id,
                household_ref=signal.household_ref,
                municipality=signal.municipality,
                offer_id=offer.id,
                organisation=offer.organisation,
                phase=offer.phase,
                volunteer_role=offer.volunteer_role,
            ),
        )
        document = new_document(
            {**referral, "state": "matched", "offer_id": offer.id}, outbox_entry(settings.topic(EVENTS_TOPIC), matched)
        )
    try:
        await db.referrals.insert_one(document)
    except DuplicateKeyError:
        return None
    return str(document["_id"])
