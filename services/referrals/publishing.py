"""Use cases of a partner's own offers: publish (create or edit) one, through the API and the pages alike."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from plumbing.access import Principal, Role
from plumbing.errors import Forbidden
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.referrals.catalogue import offer_from_document, save_offer
from services.referrals.domain import OfferCreate
from services.referrals.placing import rematch_saved


class NotOwnOffer(Forbidden):
    """A partner may publish only its own organisation's offers; the message names the field at fault."""


def may_publish(publisher: Principal, organisation_id: str) -> bool:
    return publisher.role is Role.ADMINISTRATOR or organisation_id == publisher.organisation


async def publish_offer(work: UnitOfWork, settings: PlatformSettings, publisher: Principal, offer: OfferCreate) -> bool:
    """Creates or replaces the offer, and re-matches the referrals it changes things for; True when it was new.
    Administrators publish any offer; a partner only its own organisation's, and never one that another
    organisation published under the same id."""
    if not may_publish(publisher, offer.organisation_id):
        raise NotOwnOffer("organisation_id: you may publish only your own offers")
    current = await work.db.offers.find_one({"_id": offer.id}, {"organisation_id": 1})
    if current is not None and not may_publish(publisher, current.get("organisation_id", "")):
        raise NotOwnOffer("id: this offer belongs to another organisation")
    work.audit("offer.published", f"offer:{offer.id}")
    created = await save_offer(work.db, offer)
    await rematch_saved(work, settings, [offer.id])
    return created


async def offers_of(db: AsyncDatabase[Any], publisher: Principal) -> list[OfferCreate]:
    """What the publisher may edit: all offers for an administrator, a partner's own organisation's otherwise."""
    query = {} if publisher.role is Role.ADMINISTRATOR else {"organisation_id": publisher.organisation}
    return [offer_from_document(document) async for document in db.offers.find(query).sort("_id", 1)]


async def editable_offer(db: AsyncDatabase[Any], publisher: Principal, offer_id: str) -> tuple[OfferCreate, int] | None:
    """The offer and the places its referrals hold, or None when there is none; NotOwnOffer when it is another
    organisation's."""
    document = await db.offers.find_one({"_id": offer_id})
    if document is None:
        return None
    if not may_publish(publisher, document.get("organisation_id", "")):
        raise NotOwnOffer("id: this offer belongs to another organisation")
    return offer_from_document(document), int(document.get("capacity_held", 0))
