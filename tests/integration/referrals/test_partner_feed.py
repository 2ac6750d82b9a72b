"""The partner feed: a poll of the service's own referral events becomes the offers' partners' events, once each
however often the poll is delivered, and nothing for an offer without a partner or for an event of another kind."""

import uuid
from datetime import UTC, datetime

import pytest

from plumbing.events import CloudEvent
from plumbing.kafka import Delivered, Origin
from services.referrals.partner_topics import REFERRAL_CHANGED, REFERRAL_OFFERED, feed_partners, referrals_topic
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration


def own_event(event_type: str, offset: int, **data: object) -> Delivered:
    event = CloudEvent(
        id=str(uuid.uuid4()),
        source="/redzaam/referrals",
        type=event_type,
        subject="hh-0123456789abcdef",
        time=datetime.now(UTC),
        data={"household_ref": "hh-0123456789abcdef", "municipality": "GM0141", **data},
    )
    return Delivered(event, Origin("referrals.events", 0, offset))


async def test_a_poll_of_own_events_becomes_each_partners_events_once(referrals: Referrals) -> None:
    await referrals.offer("schuldhulp")  # organisation_id humanitas
    await referrals.offer("buurtteam", organisation_id="")  # nobody to tell
    batch = [
        own_event("nl.redzaam.household.matched", 0, referral_id="ref-1", offer_id="schuldhulp", needs=["debt_help"]),
        own_event("nl.redzaam.referral.completed", 1, referral_id="ref-2", offer_id="schuldhulp", result="stable"),
        own_event("nl.redzaam.household.matched", 2, referral_id="ref-3", offer_id="buurtteam", needs=["debt_help"]),
        own_event("nl.redzaam.cohort.enrolled", 3, cohort="doorbraak", steps=3),
    ]
    assert await feed_partners(referrals.db, referrals.settings, batch) == {}
    assert await feed_partners(referrals.db, referrals.settings, batch) == {}  # delivered again
    documents = await referrals.db.partner_feed.find({}).sort("_id", 1).to_list()
    assert sorted(document["_id"] for document in documents) == sorted(d.event.id for d in batch[:2])
    told = {document["event"]["data"]["referral_id"]: document["event"] for document in documents}
    assert told["ref-1"]["type"] == REFERRAL_OFFERED and told["ref-1"]["data"]["needs"] == ["debt_help"]
    assert told["ref-2"]["type"] == REFERRAL_CHANGED
    assert (told["ref-2"]["data"]["state"], told["ref-2"]["data"]["result"]) == ("completed", "stable")
    topics = {entry["topic"] for document in documents for entry in document["outbox"].values()}
    assert topics == {referrals_topic(referrals.settings, "humanitas")}
