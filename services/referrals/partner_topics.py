"""Help-offer partners hear of their referrals as events: each new referral to one of its offers and each change
of it, on a topic of its own (`<prefix>.partners.<partner-id>.referrals`, which Kafka's ACLs let only that partner
read), CloudEvents in structured mode like every record.

The feed reads this service's own referral events back (its own consumer group, so the e-mail notifications keep
theirs) and writes, per poll, one document per event for the partner of the offer, holding the partner's event in
its outbox: one read of the offers (`$in`) and one insert of the poll's documents, keyed by the event they come
from, so a redelivered poll writes nothing twice and the relay publishes each once (event ids derived from the
source event's id, so a republished one is recognisable as the same). An offer without a partner id has nobody
to tell.

What the partner is told is what its HTTP API (`GET /api/v1/referrals/{id}`) shows it already: the referral,
the pseudonymous household, municipality, needs, the offer, the state and a result; never a reason written by
someone else, never contact data.
"""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from plumbing.event_fields import HouseholdRef, MunicipalityCode, OfferId, ReferralId
from plumbing.events import CloudEvent, new_event
from plumbing.kafka import EVERY_TYPE, Delivered, EventConsumer
from plumbing.outbox import new_document, outbox_entry
from plumbing.retention import RetentionJob
from plumbing.runtime import Runtime
from plumbing.settings import PlatformSettings
from services.referrals.events import EVENTS_TOPIC
from services.referrals.subscriptions import (
    HOUSEHOLD_MATCHED,
    REFERRAL_ACCEPTED,
    REFERRAL_CANCELLED,
    REFERRAL_COMPLETED,
    REFERRAL_DECLINED,
    REFERRAL_MOVED,
    REFERRAL_STARTED,
)

REFERRAL_OFFERED = "nl.redzaam.partner.referral_offered"
REFERRAL_CHANGED = "nl.redzaam.partner.referral_changed"
SOURCE = "/redzaam/referrals"
FEED_GROUP_SUFFIX = ".partner-feed"
FEED_KEPT_DAYS = 30  # a published feed document is only a copy of what the partner got: kept for a replay

# what each of the service's own events means for the offer's partner
STATE_OF = {
    HOUSEHOLD_MATCHED: "requested",
    REFERRAL_ACCEPTED: "accepted",
    REFERRAL_STARTED: "in_progress",
    REFERRAL_DECLINED: "declined",
    REFERRAL_COMPLETED: "completed",
    REFERRAL_CANCELLED: "cancelled",
    REFERRAL_MOVED: "moved",  # it left the offer (closed): the partner is not told where it went
}


def referrals_topic(settings: PlatformSettings, partner_id: str) -> str:
    return settings.topic(f"partners.{partner_id}.referrals")


class PartnerReferral(BaseModel):
    """A referral to one of the partner's offers, as the partner sees it: new (`referral_offered`, state
    `requested`) or changed (`referral_changed`: accepted, in_progress, declined by the partner itself, completed
    with a result, cancelled by the municipality, or moved: it left the partner's offer, which takes no referrals
    any more, and is no longer the partner's)."""

    model_config = ConfigDict(extra="forbid")

    referral_id: ReferralId
    household_ref: HouseholdRef
    municipality: MunicipalityCode
    offer_id: OfferId
    offer_name: str | None = Field(default=None, description="The offer's name.", examples=["Schuldhulp Almelo"])
    state: str = Field(
        description="requested, accepted, in_progress, declined, completed, cancelled or moved (away from the "
        "partner's offer, which takes no referrals any more; where to is not the partner's to know).",
        examples=["requested"],
    )
    needs: list[str] = Field(
        default_factory=list,
        description="What the household needs help with (new referrals).",
        examples=[["debt_help"]],
    )
    result: str | None = Field(default=None, description="How the help ended (completed).", examples=["stable"])
    at: datetime = Field(description="When it happened.")


def partner_event(event: CloudEvent, offers: Mapping[str, dict[str, Any]]) -> tuple[str, CloudEvent] | None:
    """The partner this event concerns and what it is told; None when the offer has no partner (or the event is
    not about a referral)."""
    state = STATE_OF.get(event.type)
    offer = offers.get(str(event.data.get("offer_id", "")))
    if state is None or offer is None or not offer.get("organisation_id"):
        return None
    data = event.data
    told = PartnerReferral(
        referral_id=data["referral_id"],
        household_ref=data["household_ref"],
        municipality=data["municipality"],
        offer_id=data["offer_id"],
        offer_name=offer.get("name"),
        state=state,
        needs=list(data.get("needs", [])) if state == "requested" else [],
        result=data.get("result"),
        at=event.time,
    )
    kind = REFERRAL_OFFERED if state == "requested" else REFERRAL_CHANGED
    partner_copy = new_event(type=kind, source=SOURCE, subject=data["referral_id"], data=told, time=event.time)
    stable_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"redzaam:partner-feed:{event.id}"))
    return offer["organisation_id"], partner_copy.model_copy(update={"id": stable_id})


async def feed_partners(
    db: AsyncDatabase[Any], settings: PlatformSettings, batch: list[Delivered]
) -> Mapping[int, str]:
    """A poll of the service's own referral events, as partners' events in the feed's outbox: two operations."""
    offer_ids = sorted({str(d.event.data.get("offer_id")) for d in batch if d.event.type in STATE_OF})
    if not offer_ids:
        return {}
    offers = {
        offer["_id"]: offer
        async for offer in db.offers.find({"_id": {"$in": offer_ids}}, {"organisation_id": 1, "name": 1})
    }
    documents = []
    for delivered in batch:
        told = partner_event(delivered.event, offers)
        if told is None:
            continue
        partner, event = told
        fields = {
            "_id": delivered.event.id,
            "partner": partner,
            "created_at": datetime.now(UTC),
            "event": event.model_dump(mode="json"),  # what GET /api/v1/referral-updates answers
        }
        documents.append(new_document(fields, outbox_entry(referrals_topic(settings, partner), event)))
    if documents:
        try:
            await db.partner_feed.insert_many(documents, ordered=False)
        except BulkWriteError as error:  # a redelivered poll: those written already stay as they are
            if any(problem.get("code") != 11000 for problem in error.details.get("writeErrors", [])):
                raise
    return {}


async def prune_feed(db: AsyncDatabase[Any], now: datetime | None = None) -> int:
    """Drops published feed documents older than FEED_KEPT_DAYS; the partner has had them."""
    before = (now or datetime.now(UTC)) - timedelta(days=FEED_KEPT_DAYS)
    dropped = await db.partner_feed.delete_many({"created_at": {"$lt": before}, "outbox_pending": False})
    return dropped.deleted_count


async def subscribe_feed(runtime: Runtime, settings: PlatformSettings) -> None:
    """The feed's own consumer group on the service's events topic (it keeps up however the other handlers do),
    and the job that drops what partners have had."""
    await runtime.db.partner_feed.create_index([("outbox_pending", 1)])
    await runtime.db.partner_feed.create_index([("created_at", 1)])
    await runtime.db.partner_feed.create_index([("partner", 1), ("created_at", 1), ("_id", 1)])  # the poll
    runtime.jobs.append(RetentionJob(lambda: prune_feed(runtime.db), settings.retention_interval_seconds))

    async def on_events(batch: list[Delivered]) -> Mapping[int, str]:
        return await feed_partners(runtime.db, settings, batch)

    runtime.consumers.append(
        EventConsumer(
            bootstrap=settings.kafka_bootstrap,
            group_id=settings.consumer_group + FEED_GROUP_SUFFIX,
            topics=[settings.topic(EVENTS_TOPIC)],
            handlers={},
            batch_handlers={EVERY_TYPE: on_events},
            publisher=runtime.publisher,
            dead_letter_topic=settings.dead_letter_topic,
            metrics=runtime.metrics,
            max_attempts=settings.consumer_max_attempts,
            backoff_seconds=settings.consumer_retry_backoff_seconds,
        )
    )
