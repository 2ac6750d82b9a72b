"""The names of the cooperative's member organisations, kept from the signals service's `partner.joined`, so that
pages name a partner rather than show its client id."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from plumbing.events import CloudEvent
from services.referrals.subscriptions import PartnerJoined


async def remember_partner(db: AsyncDatabase[Any], event: CloudEvent) -> None:
    """Idempotent: a redelivered event sets the same name again."""
    joined = event.data_as(PartnerJoined)
    await db.partner_names.update_one({"_id": joined.partner_id}, {"$set": {"name": joined.name}}, upsert=True)


async def partner_names(db: AsyncDatabase[Any], partner_ids: list[str]) -> dict[str, str]:
    """Name by client id, read at once; an id not (yet) known is its own name."""
    known = {
        document["_id"]: document["name"] async for document in db.partner_names.find({"_id": {"$in": partner_ids}})
    }
    return {partner_id: known.get(partner_id, partner_id) for partner_id in partner_ids}
