"""What became of a household handed on: a projection of the referrals service's events, one document per referral
with its household reference, so that the case page shows the offer and partner, acceptance, start, the result, or
a decline's reason category. Never a call to the referrals service's database.

A poll of events costs one bulk write, whatever its size: the events are folded in memory per referral (the newest
wins), and each write is conditional on the order of the state it replaces, so that
- a redelivered event (the same order) changes nothing, and
- an event that arrives after a newer one (a relay sending again after a crash) does not undo it;
the names of a matched offer are kept per offer, whatever the order, since a later step names only the offer id.
"""

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from pydantic import ValidationError
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from plumbing.kafka import Delivered
from services.signals.subscriptions import (
    HOUSEHOLD_MATCHED,
    REFERRAL_ACCEPTED,
    REFERRAL_CANCELLED,
    REFERRAL_COMPLETED,
    REFERRAL_DECLINED,
    REFERRAL_STARTED,
    ReferralNews,
)

DUPLICATE_KEY = 11000
# the state each event announces, and its rank among events of the same instant: a decline and the match to the
# next offer are made in one write, the match after the decline
STATES = {
    REFERRAL_DECLINED: ("declined", 1),
    HOUSEHOLD_MATCHED: ("matched", 2),
    REFERRAL_ACCEPTED: ("accepted", 3),
    REFERRAL_STARTED: ("in_progress", 4),
    REFERRAL_COMPLETED: ("completed", 5),
    REFERRAL_CANCELLED: ("cancelled", 5),
}


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.referral_news.create_index([("household_ref", 1)])


async def record_referral_news(db: AsyncDatabase[Any], batch: list[Delivered]) -> Mapping[int, str]:
    """Applies a poll of referral events; returns those whose data does not fit, by index, for the dead-letter
    topic."""
    rejected: dict[int, str] = {}
    newest: dict[str, dict[str, Any]] = {}
    offer_names: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(batch):
        if item.event.type not in STATES:
            continue
        try:
            news = ReferralNews.model_validate(item.event.data)
        except ValidationError as error:
            rejected[index] = f"InvalidEvent: {error.errors()[0]['loc']}: {error.errors()[0]['msg']}"
            continue
        state, rank = STATES[item.event.type]
        at = item.event.time.astimezone(UTC)
        fields = {
            "household_ref": news.household_ref,
            "municipality": news.municipality,
            "state": state,
            "offer_id": news.offer_id or None,
            "result": news.result,
            "category": news.category,
            "at": at,
            "order": f"{at.isoformat(timespec='microseconds')}|{rank}",
        }
        kept = newest.get(news.referral_id)
        if kept is None or fields["order"] > kept["order"]:
            newest[news.referral_id] = fields
        if item.event.type == HOUSEHOLD_MATCHED and news.offer_id:
            names = {"name": news.offer_name or news.offer_id, "organisation": news.organisation or ""}
            offer_names.setdefault(news.referral_id, {})[f"offers.{news.offer_id}"] = names
    writes = [UpdateOne({"_id": referral}, {"$set": names}, upsert=True) for referral, names in offer_names.items()]
    writes += [
        UpdateOne(
            {"_id": referral, "$or": [{"order": {"$lt": fields["order"]}}, {"order": {"$exists": False}}]},
            {"$set": fields},
            upsert=True,
        )
        for referral, fields in newest.items()
    ]
    if writes:
        try:
            await db.referral_news.bulk_write(writes, ordered=True)
        except BulkWriteError as error:
            # a duplicate key is an upsert that found the referral at a newer state: nothing to do; an ordered bulk
            # stops there, so the writes after it are made again
            await _finish(db, writes, error)
    return rejected


async def _finish(db: AsyncDatabase[Any], writes: list[UpdateOne], error: BulkWriteError) -> None:
    while True:
        problems = error.details.get("writeErrors", [])
        if any(problem["code"] != DUPLICATE_KEY for problem in problems):
            raise error
        failed = problems[0]["index"] if problems else len(writes)
        writes = writes[failed + 1 :]
        if not writes:
            return
        try:
            await db.referral_news.bulk_write(writes, ordered=True)
            return
        except BulkWriteError as again:
            error = again


async def referrals_of(db: AsyncDatabase[Any], household_ref: str) -> list[dict[str, Any]]:
    """What became of this household's referrals, the newest news first, with the offer's and partner's names."""
    found = await db.referral_news.find({"household_ref": household_ref}).sort("at", -1).to_list(20)
    for referral in found:
        offer = referral.get("offers", {}).get(referral.get("offer_id") or "", {})
        referral["offer_name"] = offer.get("name")
        referral["organisation"] = offer.get("organisation")
    return found
