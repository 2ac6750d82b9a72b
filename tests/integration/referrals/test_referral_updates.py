"""A help-offer partner that polls follows its referral updates by cursor: new referrals and their changes, never
one missed or repeated, also while referrals come in between its pages."""

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

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
