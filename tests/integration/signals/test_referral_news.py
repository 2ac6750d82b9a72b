"""Signals' projection of what became of a referral, on the real MongoDB server: batches, redelivery, order."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from plumbing.events import CloudEvent
from plumbing.kafka import Delivered, Origin
from services.signals.referral_news import ensure_indexes, record_referral_news, referrals_of
from tests.conftest import Servers
from tests.integration.commands import CommandCounter

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def news(kind: str, referral: str, household: str, minutes: int, offset: int, **data: Any) -> Delivered:
    event = CloudEvent(
        id=str(uuid.uuid4()),
        source="/redzaam/referrals",
        type=f"nl.redzaam.{kind}",
        subject=household,
        time=START + timedelta(minutes=minutes),
        data={"referral_id": referral, "household_ref": household, "municipality": "GM0141", **data},
    )
    return Delivered(event, Origin("referrals.events", 0, offset))


def loop(referral: str, household: str) -> list[Delivered]:
    """A referral declined by one partner, matched to the next, accepted, started and completed."""
    return [
        news("household.matched", referral, household, 0, 0, offer_id="eerste", offer_name="Schuldhulp A",
             organisation="Humanitas"),
        news("referral.declined", referral, household, 5, 1, offer_id="eerste", reason="vol", category="no_capacity"),
        news("household.matched", referral, household, 5, 2, offer_id="tweede", offer_name="Budgetcoaching",
             organisation="Budgetbureau Almelo"),
        news("referral.accepted", referral, household, 60, 3, offer_id="tweede"),
        news("referral.started", referral, household, 120, 4, offer_id="tweede"),
        news("referral.completed", referral, household, 600, 5, offer_id="tweede", result="stable"),
    ]  # fmt: skip


async def test_the_newest_state_of_each_referral_is_kept_with_its_offer_and_partner_name(mongo: Any) -> None:
    await ensure_indexes(mongo)
    household = f"hh-{uuid.uuid4().hex[:16]}"
    events = loop("case-1", household)
    for end in (1, 2, 3, 6):  # one poll after another, as the consumer hands them over
        assert await record_referral_news(mongo, events[end - 1 : end] if end != 6 else events[3:]) == {}
        (referral,) = await referrals_of(mongo, household)
        expected = {1: "matched", 2: "declined", 3: "matched", 6: "completed"}[end]
        assert referral["state"] == expected
    assert (referral["offer_name"], referral["organisation"], referral["result"]) == (
        "Budgetcoaching",
        "Budgetbureau Almelo",
        "stable",
    )


async def test_redelivered_events_change_nothing(mongo: Any) -> None:
    household = f"hh-{uuid.uuid4().hex[:16]}"
    events = loop("case-2", household)
    await record_referral_news(mongo, events)
    before = await mongo.referral_news.find_one({"_id": "case-2"})
    await record_referral_news(mongo, events)  # the whole poll again, as after a crash before the commit
    await record_referral_news(mongo, events[3:4] * 3)  # and one event three times in a poll
    assert await mongo.referral_news.find_one({"_id": "case-2"}) == before
    assert await mongo.referral_news.count_documents({"household_ref": household}) == 1


async def test_an_older_event_arriving_late_does_not_undo_a_newer_state(mongo: Any) -> None:
    household = f"hh-{uuid.uuid4().hex[:16]}"
    matched_first, declined, matched_next, accepted, started, completed = loop("case-3", household)
    await record_referral_news(mongo, [accepted])  # its match not yet read: state known, names not yet
    (referral,) = await referrals_of(mongo, household)
    assert (referral["state"], referral["offer_id"], referral["offer_name"]) == ("accepted", "tweede", None)
    await record_referral_news(mongo, [matched_next, declined])  # older news, out of order, in a later poll
    (referral,) = await referrals_of(mongo, household)
    assert (referral["state"], referral["offer_name"], referral["organisation"]) == (
        "accepted",
        "Budgetcoaching",
        "Budgetbureau Almelo",
    )
    await record_referral_news(mongo, [completed, started, matched_first])  # a poll out of order in itself
    (referral,) = await referrals_of(mongo, household)
    assert (referral["state"], referral["result"], referral["offer_name"]) == ("completed", "stable", "Budgetcoaching")


async def test_a_poll_of_many_referrals_costs_one_write_and_a_decline_shows_its_category(
    mongo: Any, servers: Servers
) -> None:
    households = [f"hh-{uuid.uuid4().hex[:16]}" for _ in range(200)]
    batch = []
    for number, household in enumerate(households):
        batch += [
            news("household.matched", f"ref-{number}", household, 0, 2 * number, offer_id="eerste",
                 offer_name="Schuldhulp A", organisation="Humanitas"),
            news("referral.declined", f"ref-{number}", household, 1, 2 * number + 1, offer_id="eerste",
                 reason="eigen woorden", category="not_eligible"),
        ]  # fmt: skip
    batch.append(news("referral.declined", "ref-bad", households[0], 2, 999, category="other"))  # no offer_id: ok
    batch.append(news("referral.accepted", "ref-broken", "hh-00000000", 2, 1000))
    batch[-1].event.data.pop("household_ref")
    listener = CommandCounter()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri, event_listeners=[listener], tz_aware=True)
    try:
        rejected = await record_referral_news(client[mongo.name], batch)
    finally:
        await client.close()
    assert (listener.commands["update"], sum(listener.commands.values())) == (1, 1)
    assert list(rejected) == [len(batch) - 1] and "household_ref" in rejected[len(batch) - 1]
    assert await mongo.referral_news.count_documents({"state": "declined", "category": "not_eligible"}) == 200
    (declined,) = [r for r in await referrals_of(mongo, households[7]) if r["_id"] == "ref-7"]
    assert (declined["offer_name"], declined["organisation"]) == ("Schuldhulp A", "Humanitas")
    assert "reason" not in declined  # the partner's words stay with referrals
