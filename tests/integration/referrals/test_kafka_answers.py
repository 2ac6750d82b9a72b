"""A poll of partners' answers handled as one batch: the same answer twice in one poll is applied once, and what can
never be applied is rejected naming the field."""

import uuid
from datetime import UTC, datetime

import pytest

from plumbing.events import CloudEvent
from plumbing.kafka import Delivered, Origin
from services.referrals.kafka_answers import REFERRAL_ANSWERED, intake_topic, on_answers
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration


def delivered(referrals: Referrals, partner: str, offset: int, event_id: str, **data: object) -> Delivered:
    event = CloudEvent(
        id=event_id,
        source=f"/partners/{partner}",
        type=REFERRAL_ANSWERED,
        subject=str(data["referral_id"]),
        time=datetime.now(UTC),
        data=dict(data),
    )
    return Delivered(event, Origin(intake_topic(referrals.settings, partner), 0, offset))


async def test_an_answer_delivered_twice_in_one_poll_is_applied_once(referrals: Referrals) -> None:
    await referrals.offer("schuldhulp")
    referral = await referrals.refer(f"hh-{uuid.uuid4().hex[:16]}")
    accept = str(uuid.uuid4())
    batch = [
        delivered(referrals, "humanitas", 0, accept, referral_id=referral["id"], answer="accept"),
        delivered(referrals, "humanitas", 1, accept, referral_id=referral["id"], answer="accept"),
        delivered(referrals, "humanitas", 2, str(uuid.uuid4()), referral_id="ref-0000000000000000", answer="start"),
        delivered(referrals, "budgetmaatje", 3, str(uuid.uuid4()), referral_id=referral["id"], answer="start"),
    ]
    runtime = referrals.app.state.runtime
    rejected = await on_answers(runtime, referrals.settings, batch)
    assert rejected == {
        2: "data.referral_id: referral ref-0000000000000000 does not exist",
        3: f"data.referral_id: referral {referral['id']} is addressed to another partner's offer",
    }
    stored = await referrals.db.referrals.find_one({"_id": referral["id"]})
    assert stored["state"] == "accepted"
    assert [step["state"] for step in stored["history"]].count("accepted") == 1
    assert await referrals.db.partner_answers.count_documents({}) == 1
    assert await on_answers(runtime, referrals.settings, batch[:2]) == {}  # redelivered: nothing changes
    assert (await referrals.db.offers.find_one({"_id": "schuldhulp"}))["capacity_available"] == 1  # one place held
