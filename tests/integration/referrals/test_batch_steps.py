"""Partners' answers taken as one batch on the real database: the cost of a poll does not grow with its size,
several answers to one referral apply in the order sent, and a referral that changes meanwhile is tried again."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from plumbing.events import CloudEvent
from plumbing.kafka import Delivered, Origin
from plumbing.runtime import Runtime
from services.referrals.kafka_answers import REFERRAL_ANSWERED, intake_topic, on_answers
from tests.conftest import Servers
from tests.integration.commands import CommandCounter
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration

# what each referral of a poll is sent, by its place modulo 4, and the state it should end in
PLAN: list[tuple[list[dict[str, Any]], str]] = [
    ([{"answer": "accept"}, {"answer": "start"}], "in_progress"),
    ([{"answer": "accept"}], "accepted"),
    ([{"answer": "accept"}, {"answer": "complete", "result": "stable"}], "completed"),
    ([{"answer": "decline", "reason": "past niet"}], "requested"),  # declined, and matched to the next offer
]


def answer(referrals: Referrals, offset: int, **data: object) -> Delivered:
    event = CloudEvent(
        id=str(uuid.uuid4()),
        source="/partners/humanitas",
        type=REFERRAL_ANSWERED,
        subject=str(data["referral_id"]),
        time=datetime.now(UTC),
        data=dict(data),
    )
    return Delivered(event, Origin(intake_topic(referrals.settings, "humanitas"), 0, offset))


def household() -> str:
    return f"hh-{uuid.uuid4().hex[:16]}"


async def test_a_poll_of_answers_costs_the_same_few_commands_however_many_it_holds(
    referrals: Referrals, servers: Servers
) -> None:
    await referrals.offer("eerste", capacity_available=200, capacity_maximum=200)
    await referrals.offer("tweede", capacity_available=200, capacity_maximum=200)
    listener = CommandCounter()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri, tz_aware=True, event_listeners=[listener])
    runtime = Runtime(referrals.settings)
    runtime.db = client[referrals.settings.database_name]
    costs = []
    try:
        for size in (8, 52):
            made = [await referrals.refer(household()) for _ in range(size)]
            first = made[0]["offer_id"]  # the best of two alike; a declined one goes to the other
            assert {referral["offer_id"] for referral in made} == {first}
            batch, expected = [], {}
            for n, referral in enumerate(made):
                answers, expected[referral["id"]] = PLAN[n % len(PLAN)]
                batch += [answer(referrals, len(batch), referral_id=referral["id"], **body) for body in answers]
            listener.commands.clear()
            assert await on_answers(runtime, referrals.settings, batch) == {}
            costs.append(sum(listener.commands.values()))
            stored = {doc["_id"]: doc async for doc in referrals.db.referrals.find({"_id": {"$in": list(expected)}})}
            assert {ref: doc["state"] for ref, doc in stored.items()} == expected
            declined = [doc for doc in stored.values() if doc["state"] == "requested"]
            assert {doc["offer_id"] for doc in declined} == {"eerste", "tweede"} - {first}
            audited = await referrals.db.audit.count_documents({"record": {"$in": [f"referral:{r}" for r in expected]}})
            assert audited == len(batch)
        accepted = sum(1 for size in (8, 52) for n in range(size) if n % 4 in (0, 1))  # held; completed ones freed
        free = [offer["capacity_available"] async for offer in referrals.db.offers.find({})]
        assert sum(free) == 400 - accepted
        assert await referrals.db.partner_answers.count_documents({}) == sum(
            len(PLAN[n % 4][0]) for size in (8, 52) for n in range(size)
        )
        assert costs[0] == costs[1] <= 16, listener.commands
    finally:
        await client.close()


async def test_two_answers_to_one_referral_in_one_poll_apply_in_the_order_sent(referrals: Referrals) -> None:
    await referrals.offer("schuldhulp")
    first, second = await referrals.refer(household()), await referrals.refer(household())
    batch = [
        answer(referrals, 0, referral_id=first["id"], answer="accept"),
        answer(referrals, 1, referral_id=first["id"], answer="start"),
        answer(referrals, 2, referral_id=second["id"], answer="start"),  # before its accept: refused
        answer(referrals, 3, referral_id=second["id"], answer="accept"),
    ]
    rejected = await on_answers(referrals.app.state.runtime, referrals.settings, batch)
    assert rejected == {2: "data.answer: state: a requested referral cannot become in_progress"}
    stored = await referrals.db.referrals.find_one({"_id": first["id"]})
    assert [step["state"] for step in stored["history"]] == ["requested", "accepted", "in_progress"]
    assert stored["capacity_held"] is True
    assert sorted(entry["event"]["type"] for entry in stored["outbox"].values()) == [
        "nl.redzaam.household.matched",
        "nl.redzaam.referral.accepted",
        "nl.redzaam.referral.started",
    ]
    assert (await referrals.db.referrals.find_one({"_id": second["id"]}))["state"] == "accepted"
    assert (await referrals.db.offers.find_one({"_id": "schuldhulp"}))["capacity_available"] == 0  # two held


async def test_two_polls_racing_on_the_same_referrals_apply_one_answer_to_each_and_lose_none(
    referrals: Referrals,
) -> None:
    await referrals.offer("eerste", capacity_available=50, capacity_maximum=50)
    await referrals.offer("tweede", capacity_available=50, capacity_maximum=50, organisation_id="budgetmaatje")
    made = [await referrals.refer(household()) for _ in range(20)]
    accepts = [answer(referrals, n, referral_id=r["id"], answer="accept") for n, r in enumerate(made)]
    declines = [answer(referrals, n, referral_id=r["id"], answer="decline", reason="vol") for n, r in enumerate(made)]
    runtime = referrals.app.state.runtime
    refused = await asyncio.gather(
        on_answers(runtime, referrals.settings, accepts), on_answers(runtime, referrals.settings, declines)
    )
    stored = [doc async for doc in referrals.db.referrals.find({"_id": {"$in": [r["id"] for r in made]}})]
    steps = [[step["state"] for step in doc["history"]] for doc in stored]
    assert all(states in (["requested", "accepted"], ["requested", "declined", "requested"]) for states in steps)
    accepted = [doc["_id"] for doc in stored if doc["state"] == "accepted"]
    # every answer either applied or refused naming why: the one that came second finds the other's state
    assert len(refused[0]) + len(refused[1]) == len(made)
    assert {made[n]["id"] for n in refused[1]} == set(accepted)
    assert all(why.startswith("data.answer: state: a ") for why in refused[1].values())
    assert all(why.endswith("is addressed to another partner's offer") for why in refused[0].values())
    assert (await referrals.db.offers.find_one({"_id": "eerste"}))["capacity_available"] == 50 - len(accepted)
