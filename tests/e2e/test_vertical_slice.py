"""A partner's signal travels through all four services, on real Kafka and MongoDB, over HTTP only."""

import time
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.platform import MEMBERS, Platform, hand_on

pytestmark = pytest.mark.e2e

OFFER = {
    "id": "vroeg-erop-af-e2e",
    "name": "Vroeg erop af!",
    "organisation": "Gemeente Almelo",
    "phase": "early_intervention",
    "municipalities": ["GM0141"],
    "capacity_available": 5,
    "capacity_maximum": 5,
    "volunteer_role": "debt_buddy",
}
VOLUNTEER = {
    "id": "vw-e2e",
    "name": "Eva Test",
    "roles": ["debt_buddy"],
    "municipalities": ["GM0141"],
    "max_households": 2,
    "status": "active",
    "certificate_of_conduct_date": "2026-03-01",
    "trained_roles": ["debt_buddy"],
    "recruited_through": "Bolk Transport",
}
SIGNAL = {
    "creditor_type": "rent",
    "municipality": "GM0141",
    "person": {"name": "J. Jansen"},
    "address": {"postcode": "7607 AB", "house_number": 12},
    "arrears_cents": 61_500,
    "arrears_since": (date.today() - timedelta(days=70)).isoformat(),
    "contract_reference": "HUUR-9",
    "eviction_planned": True,
}


def counters(platform: Platform) -> dict[str, dict[str, Any]]:
    rows = httpx.get(
        f"{platform.url('reporting')}/api/v1/counters",
        params={"municipality": "GM0141"},
        headers=platform.headers("lead"),
    ).json()
    return {row["metric"]: row for row in rows}


def wait_for_counters(platform: Platform, metrics: set[str], timeout: float = 30) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = counters(platform)
        if metrics <= seen.keys():
            return seen
        time.sleep(0.2)
    raise AssertionError(f"counters {metrics} not all seen; have {counters(platform)}")


def test_signal_is_matched_assigned_and_counted_exactly_once(platform: Platform) -> None:
    admin, coordinator = platform.headers("beheerder"), platform.headers("coordinator")
    offer = httpx.put(f"{platform.url('referrals')}/api/v1/offers/{OFFER['id']}", json=OFFER, headers=admin)
    assert offer.status_code == 201, offer.text
    volunteer = httpx.put(f"{platform.url('volunteers')}/api/v1/volunteers/vw-e2e", json=VOLUNTEER, headers=coordinator)
    assert volunteer.status_code == 201, volunteer.text

    headers = {**platform.partner_headers(), "Idempotency-Key": "e2e-signal-1"}
    first = httpx.post(f"{platform.url('signals')}/api/v1/signals", json=SIGNAL, headers=headers)
    assert first.status_code == 202, first.text
    repeated = httpx.post(f"{platform.url('signals')}/api/v1/signals", json=SIGNAL, headers=headers)
    assert repeated.json() == {**first.json(), "duplicate": True}
    hand_on(platform, first.json()["case_id"])

    seen = wait_for_counters(
        platform, {"signals_raised", "households_matched", "volunteers_assigned", "employers_recruiting"}
    )
    time.sleep(2)  # give a duplicate, if any were published, time to be counted wrongly
    seen = counters(platform)
    assert {metric: (row["total"], row["distinct"]) for metric, row in seen.items()} == {
        "signals_raised": (1, 1),
        "cases_opened": (1, 1),
        "cases_closed": (1, 1),
        "households_matched": (1, 1),
        "volunteers_assigned": (1, 1),
        "volunteers_active": (1, 1),
        "volunteers_registered": (1, 1),  # screened for one role, in the registry
        "volunteers_via_employers": (1, 1),
        "employers_recruiting": (1, 1),
        # the partners the administrator registered: the housing corporation and the further members
        "members_joined": (1 + len(MEMBERS), 1 + len(MEMBERS)),
    }

    caseworker = platform.headers("outreach")
    referrals = httpx.get(f"{platform.url('referrals')}/api/v1/referrals", headers=caseworker).json()["items"]
    assert [(r["state"], r["offer_id"]) for r in referrals] == [("requested", OFFER["id"])]
    assignments = httpx.get(f"{platform.url('volunteers')}/api/v1/assignments", headers=coordinator).json()["items"]
    assert [(a["state"], a["volunteer_id"]) for a in assignments] == [("assigned", "vw-e2e")]
    assert referrals[0]["household_ref"] == assignments[0]["household_ref"]
    assert referrals[0]["household_ref"].startswith("hh-")


def test_no_personal_data_leaves_the_signals_service(platform: Platform) -> None:
    for service, listing, user in (
        ("referrals", "referrals", "outreach"),
        ("volunteers", "assignments", "coordinator"),
    ):
        headers = platform.headers(user)
        records = httpx.get(f"{platform.url(service)}/api/v1/{listing}", headers=headers).json()
        assert records, f"{service} has nothing yet: run after the vertical slice"
        body = httpx.get(f"{platform.url(service)}/", headers=headers).text + str(records)
        assert "Jansen" not in body and "7607" not in body


def test_signal_without_a_token_is_refused(platform: Platform) -> None:
    response = httpx.post(f"{platform.url('signals')}/api/v1/signals", json=SIGNAL)
    assert response.status_code == 401


def test_invalid_signal_is_refused_naming_each_field(platform: Platform) -> None:
    bad = {**SIGNAL, "municipality": "GM9999", "arrears_cents": -10}
    response = httpx.post(f"{platform.url('signals')}/api/v1/signals", json=bad, headers=platform.partner_headers())
    assert response.status_code == 422
    fields = {tuple(problem["loc"]) for problem in response.json()["detail"]}
    assert fields == {("body", "municipality"), ("body", "arrears_cents")}


def test_metrics_count_what_was_produced_and_consumed(platform: Platform) -> None:
    produced = httpx.get(f"{platform.url('signals')}/metrics").text
    consumed = httpx.get(f"{platform.url('reporting')}/metrics").text
    assert (
        f'redzaam_events_produced_total{{topic="{platform.namespace}.signals.events",'
        f'type="nl.redzaam.signal.raised"}} 1.0' in produced
    )
    assert (
        f'redzaam_events_consumed_total{{topic="{platform.namespace}.volunteers.events",'
        f'type="nl.redzaam.volunteer.assigned"}} 1.0' in consumed
    )


def test_every_service_reports_ready_and_serves_metrics_and_docs(platform: Platform) -> None:
    for service in ("signals", "referrals", "volunteers", "reporting"):
        ready = httpx.get(f"{platform.url(service)}/readyz").json()
        assert ready["status"] == "ready", ready
        assert httpx.get(f"{platform.url(service)}/metrics").status_code == 200
        assert httpx.get(f"{platform.url(service)}/docs").status_code == 200
        assert httpx.get(f"{platform.url(service)}/healthz").json() == {"status": "ok"}
