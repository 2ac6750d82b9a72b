"""A help-offer partner that polls follows its referral updates by cursor: new referrals and their changes, never
one missed or repeated, also while referrals come in between its pages."""

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plumbing.events import CloudEvent
from services.referrals.partner_topics import referrals_topic
from tests.conftest import Servers
from tests.integration.kafka_helpers import read_all
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration


async def settled(referrals: Referrals, expected: int, age: timedelta) -> None:
    """Waits until the feed holds `expected` updates, then dates the new ones `age` back (settled)."""
    deadline = time.monotonic() + 60
    while await referrals.db.partner_feed.count_documents({}) < expected:
        assert time.monotonic() < deadline, "the partner feed did not fill in time"
        await asyncio.sleep(0.2)
    stamp = datetime.now(UTC) - age
    await referrals.db.partner_feed.update_many(
        {"dated": {"$exists": False}}, {"$set": {"created_at": stamp, "dated": True}}
    )


async def updates(referrals: Referrals, partner: str, **params: Any) -> dict[str, Any]:
    answer = await referrals.client.get(
        "/api/v1/referral-updates", params=params, headers=referrals.as_partner(partner)
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_partner_following_its_referral_updates_never_misses_or_repeats_one(referrals: Referrals) -> None:
    await referrals.offer("schuldhulp", capacity_available=10, capacity_maximum=10)
    made = [(await referrals.refer(f"hh-{uuid.uuid4().hex[:16]}"))["id"] for _ in range(3)]
    await settled(referrals, 3, timedelta(minutes=10))
    answer = await updates(referrals, "humanitas", per_page=2)
    seen = [item["data"]["referral_id"] for item in answer["items"]]
    assert answer["remaining"] == 1
    made += [(await referrals.refer(f"hh-{uuid.uuid4().hex[:16]}"))["id"] for _ in range(2)]  # between pages
    await settled(referrals, 5, timedelta(minutes=5))
    while answer["items"]:
        answer = await updates(referrals, "humanitas", per_page=2, cursor=answer["next"])
        seen += [item["data"]["referral_id"] for item in answer["items"]]
    assert sorted(seen) == sorted(made) and len(seen) == 5
    at_the_end = answer["next"]
    accepted = await referrals.client.post(
        f"/api/v1/referrals/{made[0]}/accept", headers=referrals.as_partner("humanitas")
    )
    assert accepted.status_code == 200, accepted.text
    assert (await updates(referrals, "humanitas", cursor=at_the_end))["items"] == []  # not settled yet
    await settled(referrals, 6, timedelta(seconds=31))
    (changed,) = (await updates(referrals, "humanitas", cursor=at_the_end))["items"]
    assert (changed["type"], changed["data"]["referral_id"], changed["data"]["state"]) == (
        "nl.redzaam.partner.referral_changed",
        made[0],
        "accepted",
    )
    assert (await updates(referrals, "budgetmaatje"))["items"] == []  # another partner sees none of them
    assert (await referrals.client.get("/api/v1/referral-updates")).status_code == 403  # a caseworker has none
    refused = await referrals.client.get(
        "/api/v1/referral-updates", params={"cursor": "bogus"}, headers=referrals.as_partner("humanitas")
    )
    assert refused.status_code == 422 and "cursor" in refused.text


async def test_a_partner_whose_offer_closes_is_told_its_referral_moved_away_and_not_where(
    referrals: Referrals, servers: Servers
) -> None:
    await referrals.offer("schuldhulp", capacity_available=10, capacity_maximum=10)
    referral = (await referrals.refer(f"hh-{uuid.uuid4().hex[:16]}"))["id"]
    await referrals.offer(
        "budgetcoach", organisation="Budgetmaatje", organisation_id="budgetmaatje", capacity_maximum=5
    )
    await referrals.offer("schuldhulp", status="temporarily_closed", capacity_available=10, capacity_maximum=10)
    await settled(referrals, 3, timedelta(seconds=31))  # offered to humanitas, moved, offered to budgetmaatje
    told = sorted((await updates(referrals, "humanitas"))["items"], key=lambda item: item["type"], reverse=True)
    assert [(item["type"], item["data"]["state"]) for item in told] == [
        ("nl.redzaam.partner.referral_offered", "requested"),
        ("nl.redzaam.partner.referral_changed", "moved"),
    ]
    moved = told[1]["data"]
    assert (moved["referral_id"], moved["offer_id"], moved["needs"], moved["result"]) == (
        referral,
        "schuldhulp",
        [],
        None,
    )
    assert "budgetcoach" not in str(told) and "Budgetmaatje" not in str(told)  # not where it went
    (offered,) = (await updates(referrals, "budgetmaatje"))["items"]
    assert (offered["data"]["referral_id"], offered["data"]["offer_id"]) == (referral, "budgetcoach")
    records = await read_all(servers.kafka_bootstrap, referrals_topic(referrals.settings, "humanitas"), expected=2)
    on_topic = [CloudEvent.model_validate_json(record.value) for record in records]
    assert sorted(event.data["state"] for event in on_topic) == ["moved", "requested"]  # and on its topic
