"""The referral loop, capacity, the catalogue and the cohort, on real Kafka and MongoDB."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent, encode
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce, read_all
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration


async def test_referral_is_matched_with_reasons_and_announced(referrals: Referrals, servers: Servers) -> None:
    await referrals.offer("budgetcoaching", needs=["budget_coaching"], volunteer_role="budget_coach")
    referral = await referrals.refer(needs=["budget_coaching"])
    assert (referral["state"], referral["offer_id"]) == ("requested", "budgetcoaching")
    assert referral["explanation"][0] == "helpt bij budgetcoaching"
    records = await read_all(servers.kafka_bootstrap, referrals.settings.topic("referrals.events"), expected=1)
    matched = CloudEvent.model_validate_json(records[0].value)
    assert (matched.type, matched.data["volunteer_role"]) == ("nl.redzaam.household.matched", "budget_coach")


async def test_referral_without_a_fitting_offer_says_why(referrals: Referrals) -> None:
    await referrals.offer("full", capacity_available=0, capacity_maximum=0)
    referral = await referrals.refer()
    assert referral["offer_id"] is None
    assert referral["explanation"] == ["nog geen passend aanbod", "full: geen plek vrij"]
    accept = await referrals.client.post(f"/api/v1/referrals/{referral['id']}/accept")
    assert accept.status_code == 409


async def test_closed_loop_holds_a_place_on_accept_and_frees_it_on_completion(referrals: Referrals) -> None:
    await referrals.offer("coaching")
    referral = await referrals.refer()
    for action, body in (("accept", None), ("start", None), ("complete", {"result": "stable"})):
        response = await referrals.client.post(f"/api/v1/referrals/{referral['id']}/{action}", json=body)
        assert response.status_code == 200, response.text
        if action == "accept":
            assert (await referrals.db.offers.find_one({"_id": "coaching"}))["capacity_available"] == 1
    done = (await referrals.client.get(f"/api/v1/referrals/{referral['id']}")).json()
    assert (done["state"], done["result"]) == ("completed", "stable")
    assert (await referrals.db.offers.find_one({"_id": "coaching"}))["capacity_available"] == 2


async def test_two_referrals_racing_for_the_last_place_cannot_both_get_it(referrals: Referrals) -> None:
    await referrals.offer("last-place", capacity_available=1, capacity_maximum=1)
    first, second = [await referrals.refer(household=f"hh-{n:016x}") for n in (1, 2)]
    results = await asyncio.gather(
        *(referrals.client.post(f"/api/v1/referrals/{r['id']}/accept") for r in (first, second))
    )
    assert sorted(response.status_code for response in results) == [200, 409]
    assert "capacity" in next(r.json()["detail"] for r in results if r.status_code == 409)
    assert (await referrals.db.offers.find_one({"_id": "last-place"}))["capacity_available"] == 0


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], ("complete", {"result": "stable"})),
        ([("accept", None)], ("decline", {"reason": "vol"})),
        ([("accept", None), ("complete", {"result": "stable"})], ("cancel", {"reason": "te laat"})),
    ],
)
async def test_illegal_transition_is_refused_naming_the_states(
    referrals: Referrals,
    steps: list[tuple[str, Any]],
    refused: tuple[str, Any],
) -> None:
    await referrals.offer("coaching")
    referral = await referrals.refer()
    for action, body in steps:
        assert (
            await referrals.client.post(f"/api/v1/referrals/{referral['id']}/{action}", json=body)
        ).status_code == 200
    response = await referrals.client.post(f"/api/v1/referrals/{referral['id']}/{refused[0]}", json=refused[1])
    assert response.status_code == 409
    assert "referral cannot become" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/referrals",
            {"household_ref": "Jan Jansen", "municipality": "GM0141", "needs": ["debt_help"]},
            "household_ref",
        ),
        ("/api/v1/referrals", {"household_ref": "hh-0123456789abcdef", "municipality": "GM0141", "needs": []}, "needs"),
        (
            "/api/v1/referrals",
            {"household_ref": "hh-0123456789abcdef", "municipality": "GM0141", "needs": ["cash"]},
            "needs",
        ),
        ("/api/v1/match", {"municipality": "Almelo", "needs": ["debt_help"]}, "municipality"),
        (
            "/api/v1/cohorts/doorbraak/members",
            {"household_ref": "hh-0123456789abcdef", "municipality": "GM0141", "goals": [], "steps": [], "reviews": []},
            "goals",
        ),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    referrals: Referrals, path: str, body: dict[str, Any], field: str
) -> None:
    response = await referrals.client.post(path, json=body)
    assert response.status_code == 422
    assert field in str([problem["loc"] for problem in response.json()["detail"]])


async def test_decline_needs_a_reason_and_completion_a_known_result(referrals: Referrals) -> None:
    await referrals.offer("coaching")
    referral = await referrals.refer()
    no_reason = await referrals.client.post(f"/api/v1/referrals/{referral['id']}/decline", json={"reason": ""})
    await referrals.client.post(f"/api/v1/referrals/{referral['id']}/accept")
    bad_result = await referrals.client.post(f"/api/v1/referrals/{referral['id']}/complete", json={"result": "happy"})
    assert (no_reason.status_code, bad_result.status_code) == (422, 422)


async def test_partner_sees_and_moves_only_referrals_to_its_own_offers(referrals: Referrals) -> None:
    await referrals.offer("coaching")
    referral = await referrals.refer()
    own = referrals.as_partner("humanitas")
    other = referrals.as_partner("gemeente-almelo")
    seen = (await referrals.client.get("/api/v1/referrals", headers=own)).json()
    assert ([r["id"] for r in seen["items"]], seen["total"]) == ([referral["id"]], 1)
    assert (await referrals.client.get("/api/v1/referrals", headers=other)).json()["items"] == []
    assert (await referrals.client.post(f"/api/v1/referrals/{referral['id']}/accept", headers=other)).status_code == 403
    assert (await referrals.client.post(f"/api/v1/referrals/{referral['id']}/accept", headers=own)).status_code == 200
    unknown = await referrals.client.get("/api/v1/referrals", headers={"Authorization": "Bearer forged.token.value"})
    assert unknown.status_code == 401


async def test_follow_up_case_outcome_creates_one_referral_however_often_it_is_delivered(
    referrals: Referrals,
    servers: Servers,
) -> None:
    await referrals.offer("jpf", needs=["debt_help"], age_minimum=18, age_maximum=27)
    await referrals.offer("for-older", needs=["debt_help"], age_minimum=28)

    def closed(case_id: str, outcome: str, follow_up: bool) -> bytes:
        return encode(
            CloudEvent(
                id=str(uuid.uuid4()),
                source="/redzaam/signals",
                type="nl.redzaam.case.closed",
                subject="hh-00aa",
                time=datetime.now(UTC),
                data={
                    "case_id": case_id,
                    "household_ref": "hh-00aa11bb22cc33dd",
                    "municipality": "GM0141",
                    "outcome": outcome,
                    "follow_up": follow_up,
                    "reached": True,
                    "creditor_types": ["rent"],
                    "age_band": "18-27",
                },
            )
        )

    helped = closed("case-1", "follow_up_financial", True)
    await produce(
        servers.kafka_bootstrap,
        referrals.settings.topic("signals.events"),
        [helped, helped, closed("case-2", "no_help_wanted", False)],
    )

    async def referred() -> bool:
        return await referrals.db.referrals.count_documents({}) >= 1

    await eventually(referred, what="referral from the case outcome")
    await asyncio.sleep(1)
    stored = await referrals.db.referrals.find({}).to_list()
    assert [(r["_id"], r["offer_id"], r["age_band"]) for r in stored] == [("case-1", "jpf", "18-27")]


async def test_catalogue_round_trips_through_hsds_and_reports_bad_services(referrals: Referrals) -> None:
    await referrals.offer("jpf", name="Jongeren Perspectief Fonds", age_minimum=18, age_maximum=27, needs=["youth"])
    exported = (await referrals.client.get("/api/v1/catalogue/hsds")).json()
    service = exported["services"][0]
    assert (service["minimum_age"], service["maximum_age"], service["capacity"]["available"]) == (18, 27, 2)
    broken = {**service, "id": "broken", "capacity": {"available": 9, "maximum": 1}}
    renamed = {**service, "id": "jpf-copy"}
    document = {"organizations": exported["organizations"], "services": [renamed, broken]}
    forbidden = await referrals.client.post("/api/v1/catalogue/hsds", json=document)
    assert forbidden.status_code == 403  # importing is for administrators
    admin = staff_headers(referrals.settings, Role.ADMINISTRATOR)
    result = (await referrals.client.post("/api/v1/catalogue/hsds", json=document, headers=admin)).json()
    assert result["imported"] == ["jpf-copy"]
    assert [(r["index"], "capacity_available may not exceed" in r["error"]) for r in result["rejected"]] == [(1, True)]
    offers = {o["id"]: o for o in (await referrals.client.get("/api/v1/offers")).json()}
    assert offers["jpf-copy"]["needs"] == ["youth"] and offers["jpf-copy"]["age_maximum"] == 27


async def test_doorbraak_cohort_is_capped_and_tracks_each_plan(referrals: Referrals) -> None:
    soon = (date.today() + timedelta(days=30)).isoformat()

    def member(n: int) -> dict[str, Any]:
        return {
            "household_ref": f"hh-{n:016x}",
            "municipality": "GM0141",
            "goals": ["huur betaald"],
            "steps": [{"text": "budgetplan", "due": soon}, {"text": "afspraak woningcorporatie", "due": soon}],
            "reviews": [soon],
        }

    results = await asyncio.gather(
        *(referrals.client.post("/api/v1/cohorts/doorbraak/members", json=member(n)) for n in range(4))
    )
    assert sorted(response.status_code for response in results) == [201, 201, 409, 409]
    enrolled = next(member(n)["household_ref"] for n in range(4) if results[n].status_code == 201)
    assert (
        await referrals.client.post(f"/api/v1/cohorts/doorbraak/members/{enrolled}/steps/1/done")
    ).status_code == 204
    assert (
        await referrals.client.post(f"/api/v1/cohorts/doorbraak/members/{enrolled}/steps/7/done")
    ).status_code == 404
    cohort = (await referrals.client.get("/api/v1/cohorts/doorbraak")).json()
    assert (cohort["cap"], cohort["enrolled"]) == (2, 2)
    progress = {m["household_ref"]: m for m in cohort["members"]}[enrolled]
    assert (progress["steps_done"], progress["steps"], progress["next_review"]) == (1, 2, soon)


async def test_the_cohort_announces_enrolment_each_step_done_and_exit(referrals: Referrals, servers: Servers) -> None:
    soon = (date.today() + timedelta(days=30)).isoformat()
    household = "hh-00000000000000c1"
    enrolment = {
        "household_ref": household,
        "municipality": "GM0141",
        "goals": ["huur betaald"],
        "steps": [{"text": "budgetplan", "due": soon}, {"text": "afspraak woningcorporatie", "due": soon}],
        "reviews": [soon],
    }
    members = "/api/v1/cohorts/doorbraak/members"
    assert (await referrals.client.post(members, json=enrolment)).status_code == 201
    for _ in range(2):  # a step ticked twice is announced once
        assert (await referrals.client.post(f"{members}/{household}/steps/0/done")).status_code == 204
    exit_path = f"{members}/{household}/exit"
    bad = await referrals.client.post(exit_path, json={"reason": "bored"})
    assert bad.status_code == 422 and "reason" in bad.text
    assert (await referrals.client.post(exit_path, json={"reason": "plan_completed"})).status_code == 204
    assert (await referrals.client.post(exit_path, json={"reason": "moved"})).status_code == 409
    assert (
        await referrals.client.post(f"{members}/hh-00000000000000c2/exit", json={"reason": "moved"})
    ).status_code == 404

    records = await read_all(servers.kafka_bootstrap, referrals.settings.topic("referrals.events"), expected=3)
    announced = [CloudEvent.model_validate_json(record.value) for record in records]
    assert [(item.type, item.subject) for item in announced] == [
        ("nl.redzaam.cohort.enrolled", household),
        ("nl.redzaam.cohort.step_completed", household),
        ("nl.redzaam.cohort.exited", household),
    ]
    assert (announced[0].data["steps"], announced[1].data["steps_done"], announced[2].data["reason"]) == (
        2,
        1,
        "plan_completed",
    )
    actions = [entry["action"] async for entry in referrals.db.audit.find({"record": f"household:{household}"})]
    assert sorted(set(actions)) == ["cohort.enrolled", "cohort.exited", "cohort.step_done"]
    member = {
        m["household_ref"]: m for m in (await referrals.client.get("/api/v1/cohorts/doorbraak")).json()["members"]
    }
    assert member[household]["exited"]["reason"] == "plan_completed"


async def test_free_places_stay_the_maximum_less_the_held_ones_whatever_interleaves(referrals: Referrals) -> None:
    await referrals.offer("coaching", capacity_available=4, capacity_maximum=4)
    referred = [await referrals.refer(household=f"hh-{n:016x}") for n in range(6)]
    for referral in referred[:2]:
        assert (await referrals.client.post(f"/api/v1/referrals/{referral['id']}/accept")).status_code == 200

    async def republish(maximum: int) -> None:  # the partner edits the offer meanwhile, sending its own "free"
        await referrals.offer("coaching", capacity_available=maximum, capacity_maximum=maximum)

    async def move(referral: dict[str, Any], action: str, body: dict[str, Any] | None = None) -> None:
        await referrals.client.post(f"/api/v1/referrals/{referral['id']}/{action}", json=body)

    await asyncio.gather(
        move(referred[0], "cancel", {"reason": "verhuisd"}),
        move(referred[1], "start"),
        *(move(referral, "accept") for referral in referred[2:]),
        republish(3),
        republish(5),
    )
    offer = await referrals.db.offers.find_one({"_id": "coaching"})
    holding = await referrals.db.referrals.count_documents(
        {"offer_id": "coaching", "state": {"$in": ["accepted", "in_progress"]}}
    )
    assert offer["capacity_held"] == holding
    assert offer["capacity_available"] == max(0, offer["capacity_maximum"] - holding)
    assert 0 <= offer["capacity_available"] <= offer["capacity_maximum"]
    await move(referred[0], "cancel", {"reason": "twee keer"})  # a release with nothing held frees nothing
    assert (await referrals.db.offers.find_one({"_id": "coaching"}))["capacity_available"] == offer[
        "capacity_available"
    ]
