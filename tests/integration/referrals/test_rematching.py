"""A declined or unmet referral is matched again, on real Kafka and MongoDB: it never waits forever."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from plumbing.access import Role
from plumbing.events import CloudEvent
from plumbing.outbox import new_document
from plumbing.unit_of_work import UnitOfWork
from services.referrals.placing import rematch_waiting
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.commands import CommandCounter
from tests.integration.kafka_helpers import read_all
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration


def household() -> str:
    return f"hh-{uuid.uuid4().hex[:16]}"


async def act(referrals: Referrals, referral: dict[str, Any], action: str, body: Any = None) -> dict[str, Any]:
    response = await referrals.client.post(f"/api/v1/referrals/{referral['id']}/{action}", json=body)
    assert response.status_code == 200, response.text
    moved: dict[str, Any] = response.json()
    return moved


async def events_of(referrals: Referrals, servers: Servers, expected: int) -> list[tuple[str, str]]:
    records = await read_all(servers.kafka_bootstrap, referrals.settings.topic("referrals.events"), expected=expected)
    events = [CloudEvent.model_validate_json(record.value) for record in records]
    return [(event.type.removeprefix("nl.redzaam."), event.data["offer_id"]) for event in events]


async def test_declined_referral_goes_to_the_next_best_offer_not_yet_tried_then_waits(
    referrals: Referrals, servers: Servers
) -> None:
    await referrals.offer("roomy", capacity_available=5, capacity_maximum=5)
    await referrals.offer("second", capacity_available=1, capacity_maximum=2)
    referral = await referrals.refer()
    assert referral["offer_id"] == "roomy"
    moved = await act(referrals, referral, "decline", {"reason": "past niet bij ons"})
    assert (moved["state"], moved["offer_id"]) == ("requested", "second")
    assert moved["explanation"][0] == "helpt bij schuldhulp"
    waiting = await act(referrals, moved, "decline", {"reason": "wachtlijst"})
    assert (waiting["state"], waiting["offer_id"]) == ("requested", None)
    assert sorted(waiting["explanation"][1:]) == [
        "roomy: al geprobeerd voor dit huishouden",
        "second: al geprobeerd voor dit huishouden",
    ]
    announced = await events_of(referrals, servers, expected=4)
    assert announced == [
        ("household.matched", "roomy"),
        ("referral.declined", "roomy"),
        ("household.matched", "second"),
        ("referral.declined", "second"),
    ]
    listed = (await referrals.client.get("/api/v1/referrals", params={"unmet": "true"})).json()
    assert (listed["total"], [r["id"] for r in listed["items"]]) == (1, [referral["id"]])


async def test_unmet_referral_is_matched_when_a_place_is_given_back(referrals: Referrals, servers: Servers) -> None:
    await referrals.offer("one-place", capacity_available=1, capacity_maximum=1)
    holding = await referrals.refer(household=household())
    await act(referrals, holding, "accept")
    waiting = await referrals.refer(household=household())
    assert waiting["offer_id"] is None and "one-place: geen plek vrij" in waiting["explanation"]
    await act(referrals, holding, "complete", {"result": "stable"})
    matched = (await referrals.client.get(f"/api/v1/referrals/{waiting['id']}")).json()
    assert (matched["state"], matched["offer_id"]) == ("requested", "one-place")
    announced = await events_of(referrals, servers, expected=4)  # two households: no order between them
    assert sorted(announced) == [
        ("household.matched", "one-place"),
        ("household.matched", "one-place"),
        ("referral.accepted", "one-place"),
        ("referral.completed", "one-place"),
    ]
    stored = await referrals.db.referrals.find_one({"_id": waiting["id"]})
    assert stored["history"][-1]["reason"] == "opnieuw gekoppeld aan one-place"


async def test_unmet_referrals_are_matched_when_an_offer_is_published_or_gets_more_places_oldest_first(
    referrals: Referrals,
) -> None:
    first, second = [await referrals.refer(household=household()) for _ in range(2)]
    assert first["offer_id"] is None and second["offer_id"] is None
    await referrals.offer("new", capacity_available=1, capacity_maximum=1)

    async def offer_of(referral: dict[str, Any]) -> str | None:
        found: str | None = (await referrals.client.get(f"/api/v1/referrals/{referral['id']}")).json()["offer_id"]
        return found

    assert (await offer_of(first), await offer_of(second)) == ("new", None)  # one place: the longest waiting
    await referrals.offer("new", capacity_available=2, capacity_maximum=2)
    assert await offer_of(second) == "new"
    listed = (await referrals.client.get("/api/v1/referrals", params={"unmet": "true"})).json()
    assert (listed["total"], listed["items"]) == (0, [])


async def test_outreach_offer_published_later_does_not_take_waiting_referrals(referrals: Referrals) -> None:
    waiting = await referrals.refer()
    await referrals.offer("erop-af", kind="outreach", capacity_available=9, capacity_maximum=9)
    stored = (await referrals.client.get(f"/api/v1/referrals/{waiting['id']}")).json()
    assert stored["offer_id"] is None


async def test_rematching_costs_the_same_few_commands_however_many_referrals_wait(
    referrals: Referrals, servers: Servers
) -> None:
    listener = CommandCounter()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri, event_listeners=[listener])
    db = client[referrals.settings.database_name]
    costs = []
    try:
        for size in (3, 40):
            offer_id = f"batch-{size}"
            await referrals.offer(offer_id, municipalities=["GM0150"], capacity_available=0, capacity_maximum=0)
            start = datetime.now(UTC)
            await db.referrals.insert_many(
                [
                    new_document(
                        {
                            "_id": f"ref-{size}-{n}",
                            "household_ref": household(),
                            "municipality": "GM0150",
                            "needs": ["debt_help"],
                            "state": "requested",
                            "offer_id": None,
                            "capacity_held": False,
                            "created_at": start + timedelta(milliseconds=n),
                            "history": [],
                        }
                    )
                    for n in range(size)
                ]
            )
            await db.offers.update_one(
                {"_id": offer_id}, {"$set": {"capacity_available": size, "capacity_maximum": size}}
            )
            listener.commands.clear()
            matched = await rematch_waiting(UnitOfWork(db, None), referrals.settings, [offer_id])
            costs.append(sum(listener.commands.values()))
            assert len(matched) == size
            await db.offers.update_one({"_id": offer_id}, {"$set": {"status": "inactive"}})
        assert costs[0] == costs[1] <= 5, listener.commands
    finally:
        await client.close()


async def test_partner_that_declines_sees_its_decline_not_where_the_household_went_next(referrals: Referrals) -> None:
    await referrals.offer("eigen")  # ranks first: as roomy, and first by id
    await referrals.offer("gemeente", organisation="Gemeente Almelo", organisation_id="gemeente-almelo")
    referral = await referrals.refer()
    partner = referrals.as_partner("humanitas")
    declined = await referrals.client.post(
        f"/api/v1/referrals/{referral['id']}/decline", json={"reason": "vol"}, headers=partner
    )
    assert declined.status_code == 200, declined.text
    assert (declined.json()["state"], declined.json()["offer_id"]) == ("declined", "eigen")
    assert (await referrals.client.get(f"/api/v1/referrals/{referral['id']}", headers=partner)).status_code == 403
    assert (await referrals.client.get(f"/api/v1/referrals/{referral['id']}")).json()["offer_id"] == "gemeente"

    second = await referrals.refer(household=household())
    assert second["offer_id"] == "eigen"
    employee = staff_headers(referrals.settings, Role.PARTNER_EMPLOYEE, organisation="humanitas")
    page = await referrals.client.post(
        f"/verwijzingen/{second['id']}/afwijzen",
        data={"reden": "no_capacity", "toelichting": "geen tijd"},
        headers=employee,
    )
    assert (page.status_code, page.headers["location"]) == (303, "/?afgewezen=1")
    overview = await referrals.client.get("/?afgewezen=1", headers=employee)
    assert (
        overview.status_code == 200
        and "Afgewezen. De verwijzing gaat naar het volgende passende aanbod" in overview.text
    )


async def test_referrals_requested_at_an_offer_that_closes_go_to_the_next_offer_or_wait(
    referrals: Referrals, servers: Servers
) -> None:
    await referrals.offer("closing", capacity_available=5, capacity_maximum=5)
    first, second = [await referrals.refer(household=household()) for _ in range(2)]
    assert first["offer_id"] == second["offer_id"] == "closing"
    await referrals.offer("other", capacity_available=1, capacity_maximum=1)
    await referrals.offer("closing", status="temporarily_closed", capacity_available=5, capacity_maximum=5)

    async def stored(referral: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = await referrals.db.referrals.find_one({"_id": referral["id"]})
        return found

    moved, waiting = await stored(first), await stored(second)
    assert (moved["state"], moved["offer_id"], waiting["state"], waiting["offer_id"]) == (
        "requested",
        "other",
        "requested",
        None,
    )  # one place at the other offer: the longest waiting gets it
    assert moved["history"][-1]["reason"] == "closing neemt geen verwijzingen meer aan; opnieuw gekoppeld aan other"
    assert "closing: niet actief" in waiting["explanation"]
    await referrals.offer("closing", capacity_available=5, capacity_maximum=5)  # reopens: it refused no one
    assert (await stored(second))["offer_id"] == "closing"
    announced = await events_of(referrals, servers, expected=6)
    assert (
        sorted(announced)
        == [("household.matched", "closing")] * 3
        + [("household.matched", "other")]
        + [
            ("referral.moved", "closing")  # both left it when it closed: its partner is told (partner_topics)
        ]
        * 2
    )
