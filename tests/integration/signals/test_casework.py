"""Working the queue: order, filters, contact attempts, closing, feedback, retention and the DDAS export."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plumbing.events import CloudEvent
from services.signals.retention import erase_expired
from services.signals.sealing import Sealer
from tests.conftest import Servers
from tests.integration.kafka_helpers import read_all
from tests.integration.signals.conftest import Signals, signal_body

pytestmark = pytest.mark.integration
TODAY = date.today().isoformat()


async def submit(signals: Signals, house: int, partner: str = "woonstad-almelo", **changes: Any) -> str:
    body = signal_body(address={"postcode": changes.pop("postcode", "7607 AB"), "house_number": house}, **changes)
    response = await signals.client.post("/api/v1/signals", json=body, headers=signals.as_partner(partner))
    assert response.status_code == 202, response.text
    return str(response.json()["case_id"])


async def test_queue_is_ordered_by_deadline_then_crisis_creditors_and_amount(signals: Signals) -> None:
    small = await submit(signals, 1, arrears_cents=10_000)
    large = await submit(signals, 2, arrears_cents=90_000)
    two_creditors = await submit(signals, 3, arrears_cents=10_000)
    await submit(signals, 3, partner="vitens", creditor_type="water", arrears_cents=6_000)
    crisis = await submit(signals, 4, arrears_cents=8_000, eviction_planned=True)
    queue = (await signals.client.get("/api/v1/cases", params={"municipality": "GM0141"})).json()["items"]
    assert [case["id"] for case in queue] == [crisis, two_creditors, large, small]
    assert queue[0]["deadline"] < queue[1]["deadline"]


async def test_queue_filters_by_neighbourhood_creditor_type_and_status(signals: Signals) -> None:
    in_area = await submit(signals, 1, postcode="7607 AB")
    elsewhere = await submit(signals, 2, partner="enexis", postcode="7604 GH", creditor_type="energy")
    by_area = (
        await signals.client.get("/api/v1/cases", params={"municipality": "GM0141", "postcode_area": "7607"})
    ).json()["items"]
    by_type = (
        await signals.client.get("/api/v1/cases", params={"municipality": "GM0141", "creditor_type": "energy"})
    ).json()["items"]
    assert [case["id"] for case in by_area] == [in_area]
    assert [case["id"] for case in by_type] == [elsewhere]
    bad = await signals.client.get("/api/v1/cases", params={"municipality": "GM0141", "status": "lost"})
    assert bad.status_code == 422


async def test_case_past_its_deadline_is_marked_overdue(signals: Signals) -> None:
    case_id = await submit(signals, 1)
    await signals.db.cases.update_one({"_id": case_id}, {"$set": {"deadline": "2026-01-02"}})
    case = (await signals.client.get(f"/api/v1/cases/{case_id}")).json()
    assert case["overdue"] is True


async def test_contact_attempts_and_closing_publish_events_without_personal_data(
    signals: Signals,
    servers: Servers,
) -> None:
    case_id = await submit(signals, 1)
    missed = {"kind": "letter", "on": TODAY, "part_of_day": "morning", "reached": False}
    reached = {"kind": "home_visit", "on": TODAY, "part_of_day": "evening", "reached": True, "note": "thuis"}
    for attempt in (missed, reached):
        response = await signals.client.post(f"/api/v1/cases/{case_id}/contact-attempts", json=attempt)
        assert response.status_code == 201, response.text
    closed = await signals.client.post(f"/api/v1/cases/{case_id}/close", json={"outcome": "follow_up_financial"})
    assert closed.status_code == 204
    case = (await signals.client.get(f"/api/v1/cases/{case_id}")).json()
    assert (case["status"], case["reached"], case["contact_attempts"], case["outcome"]) == (
        "closed",
        True,
        2,
        "follow_up_financial",
    )

    records = await read_all(servers.kafka_bootstrap, signals.settings.topic("signals.events"), expected=5)
    events = [CloudEvent.model_validate_json(record.value) for record in records]
    assert [event.type.rsplit(".", 2)[-2:] for event in events][-3:] == [
        ["contact", "attempted"],
        ["contact", "attempted"],
        ["case", "closed"],
    ]
    closing = events[-1].data
    assert (closing["outcome"], closing["follow_up"], closing["reached"]) == ("follow_up_financial", True, True)
    everything = " ".join(record.value.decode() for record in records)
    assert "Jansen" not in everything and "7607" not in everything and "0612345678" not in everything


@pytest.mark.parametrize(
    ("attempt", "field"),
    [
        ({"kind": "pigeon", "on": TODAY, "part_of_day": "morning", "reached": False}, "kind"),
        (
            {
                "kind": "phone",
                "on": (date.today() + timedelta(days=2)).isoformat(),
                "part_of_day": "morning",
                "reached": False,
            },
            "on",
        ),
        ({"kind": "phone", "on": TODAY, "part_of_day": "night", "reached": False}, "part_of_day"),
        ({"kind": "phone", "on": TODAY, "part_of_day": "morning"}, "reached"),
    ],
)
async def test_bad_contact_attempt_is_refused_naming_the_field(
    signals: Signals, attempt: dict[str, Any], field: str
) -> None:
    case_id = await submit(signals, 1)
    response = await signals.client.post(f"/api/v1/cases/{case_id}/contact-attempts", json=attempt)
    assert response.status_code == 422
    assert [problem["loc"][-1] for problem in response.json()["detail"]] == [field]


async def test_closed_case_takes_no_more_attempts_or_outcomes(signals: Signals) -> None:
    case_id = await submit(signals, 1)
    await signals.client.post(f"/api/v1/cases/{case_id}/close", json={"outcome": "no_contact"})
    again = await signals.client.post(f"/api/v1/cases/{case_id}/close", json={"outcome": "quick_fix"})
    attempt = await signals.client.post(
        f"/api/v1/cases/{case_id}/contact-attempts",
        json={"kind": "phone", "on": TODAY, "part_of_day": "morning", "reached": True},
    )
    unknown = await signals.client.post("/api/v1/cases/case-nope/close", json={"outcome": "quick_fix"})
    bad_code = await signals.client.post(f"/api/v1/cases/{case_id}/close", json={"outcome": "solved"})
    assert (again.status_code, attempt.status_code, unknown.status_code, bad_code.status_code) == (409, 409, 404, 422)


async def test_next_signal_after_closing_opens_a_new_case(signals: Signals) -> None:
    first = await submit(signals, 1)
    await signals.client.post(f"/api/v1/cases/{first}/close", json={"outcome": "already_paid"})
    second = await submit(signals, 1, arrears_cents=80_000)
    assert second != first


async def test_creditor_sees_only_whether_its_own_signals_were_picked_up(signals: Signals) -> None:
    picked = await submit(signals, 1, contract_reference="HUUR-A")
    dropped = await submit(signals, 2, contract_reference="HUUR-B")
    await submit(signals, 3, partner="vitens", creditor_type="water", contract_reference="W-C")
    await signals.client.post(f"/api/v1/cases/{picked}/close", json={"outcome": "quick_fix"})
    await signals.client.post(f"/api/v1/cases/{dropped}/close", json={"outcome": "no_help_wanted"})
    answer = (await signals.client.get("/api/v1/feedback", headers=signals.as_partner("woonstad-almelo"))).json()
    feedback = answer["items"]
    assert {item["contract_reference"]: item["feedback"] for item in feedback} == {
        "HUUR-A": "picked_up",
        "HUUR-B": "not_picked_up",
    }
    assert all(set(item) == {"signal_id", "contract_reference", "received_at", "feedback"} for item in feedback)
    assert (await signals.client.get("/api/v1/feedback", headers={"Authorization": ""})).status_code == 401
    assert (await signals.client.get("/api/v1/feedback")).status_code == 403  # a caseworker is no creditor


async def test_retention_erases_personal_data_after_the_term_and_records_it(signals: Signals) -> None:
    expired = await submit(signals, 1)
    helped = await submit(signals, 2)
    still_open = await submit(signals, 3)
    for case_id, outcome in ((expired, "no_contact"), (helped, "follow_up_financial")):
        await signals.client.post(f"/api/v1/cases/{case_id}/close", json={"outcome": outcome})
    seven_months_ago = datetime.now(UTC) - timedelta(days=213)
    await signals.db.cases.update_many({"_id": {"$in": [expired, helped]}}, {"$set": {"closed_at": seven_months_ago}})

    assert await erase_expired(signals.db, signals.settings) == 1
    assert await erase_expired(signals.db, signals.settings) == 0
    erased = await signals.db.cases.find_one({"_id": expired})
    assert erased["personal"] is None and erased["total_arrears_cents"] == 45_000
    signal = await signals.db.signals.find_one({"case_id": expired})
    assert signal["submission"]["person"] is None and signal["submission"]["address"] is None
    record = await signals.db.erasures.find_one({"_id": expired})
    assert {"case.personal", "signal.submission.person", "signal.submission.address"} <= set(record["fields"])
    for kept in (helped, still_open):
        stored = (await signals.db.cases.find_one({"_id": kept}))["personal"]
        assert "Jansen" not in stored  # encrypted at rest
        assert Sealer(signals.settings).open(stored)["person"]["name"] == "J. Jansen"


async def test_ddas_export_counts_signals_attempts_and_outcomes_of_the_municipality(signals: Signals) -> None:
    first = await submit(signals, 1)
    await submit(signals, 1, partner="vitens", creditor_type="water")
    await submit(signals, 1, arrears_cents=10_000)  # repeat of the rent arrears, not grown
    await signals.client.post(
        f"/api/v1/cases/{first}/contact-attempts",
        json={"kind": "phone", "on": TODAY, "part_of_day": "morning", "reached": True},
    )
    await signals.client.post(f"/api/v1/cases/{first}/close", json={"outcome": "quick_fix"})
    response = await signals.client.get(
        "/api/v1/export/ddas", params={"municipality": "GM0141", "start": TODAY, "end": TODAY}
    )
    figures = response.json()
    assert figures["signalen"] == {"totaal": 3, "herhaalsignalen": 1, "per_schuldeiser_type": {"rent": 2, "water": 1}}
    assert figures["huishoudens_met_signaal"] == 1
    assert figures["contactpogingen"] == {"totaal": 1, "bereikt": 1, "per_soort": {"phone": 1}}
    assert figures["afgesloten"]["totaal"] == 1 and figures["afgesloten"]["per_uitkomst"]["quick_fix"] == 1
    reversed_period = await signals.client.get(
        "/api/v1/export/ddas", params={"municipality": "GM0141", "start": TODAY, "end": "2020-01-01"}
    )
    assert reversed_period.status_code == 422


async def test_a_contact_attempt_says_whether_it_fell_within_the_outreach_term(
    signals: Signals, servers: Servers
) -> None:
    late, in_time = await submit(signals, 1), await submit(signals, 2)
    await signals.db.cases.update_one(  # the term of this one ran out yesterday: an attempt today is late
        {"_id": late}, {"$set": {"deadline": (date.today() - timedelta(days=1)).isoformat()}}
    )
    attempt = {"kind": "home_visit", "on": TODAY, "part_of_day": "evening", "reached": True}
    for case_id in (late, in_time):
        assert (await signals.client.post(f"/api/v1/cases/{case_id}/contact-attempts", json=attempt)).status_code == 201
    records = await read_all(servers.kafka_bootstrap, signals.settings.topic("signals.events"), expected=6)
    attempts = {
        event.data["case_id"]: event.data["within_term"]
        for event in (CloudEvent.model_validate_json(record.value) for record in records)
        if event.type == "nl.redzaam.contact.attempted"
    }
    assert attempts == {late: False, in_time: True}


async def test_each_creditor_hears_on_its_own_topic_what_became_of_its_signals(
    signals: Signals, servers: Servers
) -> None:
    rent = await signals.client.post(
        "/api/v1/signals",
        json=signal_body(address={"postcode": "7607 AB", "house_number": 77}),
        headers=signals.as_partner("woonstad-almelo"),
    )
    water = await signals.client.post(
        "/api/v1/signals",
        json=signal_body(address={"postcode": "7607 AB", "house_number": 77}, creditor_type="water"),
        headers=signals.as_partner("vitens"),
    )
    case_id = rent.json()["case_id"]
    assert water.json()["case_id"] == case_id
    closed = await signals.client.post(f"/api/v1/cases/{case_id}/close", json={"outcome": "follow_up_financial"})
    assert closed.status_code == 204, closed.text
    heard = {}
    for partner, answer in (("woonstad-almelo", rent), ("vitens", water)):
        topic = signals.settings.topic(f"partners.{partner}.feedback")
        (record,) = await read_all(servers.kafka_bootstrap, topic, expected=1)
        heard[partner] = CloudEvent.model_validate_json(record.value)
        assert heard[partner].data["signal_ids"] == [answer.json()["signal_id"]]  # its own signals only
    assert {event.type for event in heard.values()} == {"nl.redzaam.signal.feedback"}
    assert {event.data["feedback"] for event in heard.values()} == {"picked_up"}
    assert set(heard["vitens"].data) == {"case_id", "signal_ids", "feedback", "on"}  # never why, nor who else
