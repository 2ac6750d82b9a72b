"""What the two fault tests (one broker with services and servers killed, tests/e2e/test_faults.py; three brokers with
brokers and replicas killed, tests/cluster/test_cluster_faults.py) share: the known stream they publish, the help
the cases are handed on to, and the end state they check against the numbers computed from what they sent."""

import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from plumbing.events import CloudEvent
from tests.e2e.platform import Platform

CLOSED = 40  # handed on for help: referred, matched, a volunteer assigned
COMPLETED = 20
STREAM_HOUSEHOLDS = 2_000
STREAM_DUPLICATES = 500
BAD = 10  # malformed and schema-invalid records, each, on the intake topic and on the event topic
OFFER = {
    "id": "schuldhulpmaatje-faults",
    "name": "Schuldhulpmaatje",
    "organisation": "Humanitas",
    "organisation_id": "humanitas",
    "phase": "early_intervention",
    "municipalities": ["GM0141"],
    "capacity_available": 200,
    "capacity_maximum": 200,
    "volunteer_role": "debt_buddy",
}
VOLUNTEERS = 10
VOLUNTEER_PLACES = 5

Origin = tuple[str, int, int]  # topic, partition, offset
Counters = dict[tuple[str, str], tuple[int, int]]  # (municipality, metric) -> (total, distinct)


def event(event_type: str, source: str, subject: str, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()), source=source, type=event_type, subject=subject, time=datetime.now(UTC), data=data
    )


def submitted(number: int) -> CloudEvent:
    return event(
        "nl.redzaam.signal.submitted",
        "/partners/woonstad-almelo",
        f"faults-{number}",
        {
            "creditor_type": "rent",
            "municipality": "GM0141",
            "person": {"name": f"Huishouden {number}"},
            "address": {"postcode": "7608 CD", "house_number": number + 1},
            "arrears_cents": 61_500,
            "arrears_since": (date.today() - timedelta(days=70)).isoformat(),
            "contract_reference": f"F-{number}",
        },
    )


def raised(number: int) -> CloudEvent:
    household = f"hh-{number % STREAM_HOUSEHOLDS:024x}"
    return event(
        "nl.redzaam.signal.raised",
        "/redzaam/signals",
        household,
        {"household_ref": household, "municipality": "GM0177", "creditor_type": ("energy", "water")[number % 2]},
    )


def schema_invalid_intake(first: int) -> list[CloudEvent]:
    return [submitted(first + n).model_copy(update={"data": {"creditor_type": "rent"}}) for n in range(BAD)]


def schema_invalid_stream() -> list[CloudEvent]:
    return [event("nl.redzaam.signal.raised", "/tests", "x", {"municipality": "GM0177"}) for _ in range(BAD)]


def until(check: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass  # a service or server is restarting
        time.sleep(2)
    raise AssertionError(f"{what}: not within {within} s")


def call(method: str, url: str, headers: dict[str, str], **kwargs: Any) -> httpx.Response:
    """As a partner system or a browser would: try again while the service or its database is restarting."""
    deadline = time.monotonic() + 120
    while True:
        try:
            response = httpx.request(method, url, headers=headers, timeout=30, **kwargs)
            if response.status_code < 500:
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{method} {url} kept failing")
        time.sleep(0.5)


def publish_help(platform: Platform) -> None:
    """The offer the closed cases are matched to, and the volunteers who are assigned to them."""
    admin, coordinator = platform.headers("beheerder"), platform.headers("coordinator")
    call("PUT", f"{platform.url('referrals')}/api/v1/offers/{OFFER['id']}", admin, json=OFFER).raise_for_status()
    for number in range(VOLUNTEERS):
        volunteer = {
            "id": f"vw-faults-{number}",
            "name": f"Vrijwilliger {number}",
            "roles": ["debt_buddy"],
            "municipalities": ["GM0141"],
            "max_households": VOLUNTEER_PLACES,
            "status": "active",
            "certificate_of_conduct_date": "2026-03-01",
            "trained_roles": ["debt_buddy"],
        }
        url = f"{platform.url('volunteers')}/api/v1/volunteers/{volunteer['id']}"
        call("PUT", url, coordinator, json=volunteer).raise_for_status()


def hand_on(platform: Platform, during: Callable[[int], None] = lambda number: None) -> None:
    """The outreach worker closes CLOSED cases as handed on for help; `during(n)` runs before the n-th close."""
    worker = platform.headers("outreach")
    cases = httpx.get(
        f"{platform.url('signals')}/api/v1/cases", params={"municipality": "GM0141", "per_page": 200}, headers=worker
    ).json()["items"]
    for number, case_id in enumerate(sorted(case["id"] for case in cases)[:CLOSED]):
        during(number)
        url = f"{platform.url('signals')}/api/v1/cases/{case_id}/close"
        assert call("POST", url, worker, json={"outcome": "follow_up_financial"}).status_code in (204, 409)


def referrals_url(platform: Platform) -> str:
    return f"{platform.url('referrals')}/api/v1/referrals"


def wait_for_referrals(platform: Platform) -> None:
    humanitas = platform.partner_headers("humanitas")
    url = referrals_url(platform)
    until(lambda: httpx.get(url, headers=humanitas).json()["total"] == CLOSED, 180, "a referral per case")


def answer_referrals(platform: Platform) -> None:
    """The partner accepts every referral and completes COMPLETED of them."""
    humanitas, url = platform.partner_headers("humanitas"), referrals_url(platform)
    handed_on = httpx.get(url, params={"per_page": 200}, headers=humanitas).json()["items"]
    for number, referral_id in enumerate(sorted(item["id"] for item in handed_on)):
        accepted = call("POST", f"{url}/{referral_id}/accept", humanitas)
        assert accepted.status_code in (200, 409), accepted.text
        if number < COMPLETED:
            done = call("POST", f"{url}/{referral_id}/complete", humanitas, json={"result": "stable"})
            assert done.status_code in (200, 409), done.text


def expected_counters(signals: int, stream: int) -> dict[tuple[str, str], int]:
    """What the counters must say, from what the test sent and did."""
    return {
        ("GM0177", "signals_raised"): stream,
        ("GM0141", "signals_raised"): signals,
        ("GM0141", "cases_opened"): signals,
        ("GM0141", "cases_closed"): CLOSED,
        ("GM0141", "households_matched"): CLOSED,
        ("GM0141", "referrals_accepted"): CLOSED,
        ("GM0141", "referrals_completed"): COMPLETED,
        ("GM0141", "volunteers_assigned"): CLOSED,
    }


def counters(platform: Platform) -> Counters:
    """One read of every counter: the reporting service counts while it answers, so ask sparingly."""
    rows = httpx.get(f"{platform.url('reporting')}/api/v1/counters", headers=platform.headers("lead"), timeout=120)
    totals: Counters = {}
    for row in rows.json():
        total, distinct = totals.get((row["municipality"], row["metric"]), (0, 0))
        totals[(row["municipality"], row["metric"])] = (total + row["total"], distinct + row["distinct"])
    return totals


def wait_until_counted(platform: Platform, expected: dict[tuple[str, str], int]) -> None:
    """The counters reach what is expected, and stay there once late redeliveries would have landed."""
    last: Counters = {}

    def all_counted() -> bool:
        last.update(counters(platform))
        return all(last.get(key, (0, 0))[0] == total for key, total in expected.items())

    try:
        until(all_counted, 300, "the counters")
    except AssertionError:
        raise AssertionError(f"expected {expected}, counted {last}") from None
    time.sleep(3)  # late redeliveries, if any, would land now
    final = counters(platform)
    assert {key: final[key][0] for key in expected} == expected
    assert final[("GM0177", "signals_raised")][1] == STREAM_HOUSEHOLDS


def assert_end_states(platform: Platform, signals: int) -> None:
    """Every case, referral and assignment in the state the test brought it to."""
    worker, coordinator = platform.headers("outreach"), platform.headers("coordinator")
    humanitas = platform.partner_headers("humanitas")
    by_status = {
        status: httpx.get(
            f"{platform.url('signals')}/api/v1/cases",
            params={"municipality": "GM0141", "status": status},
            headers=worker,
        ).json()["total"]
        for status in ("open", "closed")
    }
    assert by_status == {"open": signals - CLOSED, "closed": CLOSED}
    referred = httpx.get(referrals_url(platform), params={"per_page": 200}, headers=humanitas).json()["items"]
    states = sorted(item["state"] for item in referred)
    assert states == ["accepted"] * (CLOSED - COMPLETED) + ["completed"] * COMPLETED
    assignments = httpx.get(
        f"{platform.url('volunteers')}/api/v1/assignments", params={"per_page": 200}, headers=coordinator
    ).json()["items"]
    assert sorted(item["state"] for item in assignments) == ["assigned"] * CLOSED


def dead_letter_origins(letters: Iterable[dict[str, bytes]]) -> set[Origin]:
    """Where each dead letter came from, by its headers."""
    return {
        (
            headers["redzaam_dlq_topic"].decode(),
            int(headers["redzaam_dlq_partition"]),
            int(headers["redzaam_dlq_offset"]),
        )
        for headers in letters
    }
