"""Fault injection: a known stream of more than 10,000 events goes through the four services while each consumer
service is killed with SIGKILL in the middle of its work and started again, the Kafka broker and the MongoDB
server are killed with SIGKILL and started again, every signal arrives twice, and malformed and schema-invalid
records are mixed in.

At the end the counters equal the numbers this test computes from what it sent, every case, referral and
assignment is in the state it should be, every bad record is on the dead-letter topic with its origin (and no good
one is), and every service is ready again without anyone stepping in.
"""

import asyncio
import subprocess
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pymongo import MongoClient

from plumbing.events import CloudEvent, encode
from tests.conftest import Servers
from tests.e2e.platform import REPO, SERVICES, Platform
from tests.integration.kafka_helpers import read_to_end

pytestmark = pytest.mark.e2e

SIGNALS = 120  # through the signals service, each delivered twice
CLOSED = 40  # handed on for help: referred, matched, a volunteer assigned
COMPLETED = 20
STREAM = 10_000  # signal.raised events straight onto the event topic, for the reporting service
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


Origins = set[tuple[str, int, int]]


async def publish(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> list[tuple[str, int, int]]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=10)
    await producer.start()
    try:
        futures = [await producer.send(topic, value, key=key) for value, key in records]
        metadata = [await future for future in futures]
    finally:
        await producer.stop()
    return [(topic, item.partition, item.offset) for item in metadata]


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


def crash_server(name: str) -> None:
    """SIGKILL, as a crash would, then start again: acknowledged writes must survive it."""
    subprocess.run(["bash", str(REPO / "deploy/local/infra.sh"), "kill", name], check=True, timeout=180)


def test_nothing_is_lost_or_counted_twice_when_services_and_servers_fail(platform: Platform, servers: Servers) -> None:
    if servers.origin != "local":
        pytest.skip("killing Kafka and MongoDB needs the project's own local servers (deploy/local/infra.sh)")
    ns = platform.namespace
    admin, coordinator, worker = (platform.headers(name) for name in ("beheerder", "coordinator", "outreach"))
    humanitas = platform.partner_headers("humanitas")
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

    # everything is published up front; the faults come while the services work through it
    intake = [submitted(number) for number in range(SIGNALS)]
    good_intake = [(encode(item), item.subject.encode()) for item in intake]
    bad_intake = [(b"{not json", b"bad")] * BAD + [
        (encode(submitted(SIGNALS + n).model_copy(update={"data": {"creditor_type": "rent"}})), b"bad")
        for n in range(BAD)
    ]
    stream = [raised(number) for number in range(STREAM)]
    good_stream = [(encode(item), item.subject.encode()) for item in stream]
    duplicates = good_stream[:STREAM_DUPLICATES]
    bad_stream = [(b"\x00\x01 garbage", b"bad")] * BAD + [
        (encode(event("nl.redzaam.signal.raised", "/tests", "x", {"municipality": "GM0177"})), b"bad")
        for _ in range(BAD)
    ]
    intake_topic = f"{ns}.signals.intake.woonstad-almelo"
    events_topic = f"{ns}.signals.events"

    async def send_all() -> Origins:
        bad: Origins = set()
        await publish(servers.kafka_bootstrap, intake_topic, good_intake + good_intake)
        bad |= set(await publish(servers.kafka_bootstrap, intake_topic, bad_intake))
        await publish(servers.kafka_bootstrap, events_topic, good_stream + duplicates)
        bad |= set(await publish(servers.kafka_bootstrap, events_topic, bad_stream))
        return bad

    bad_origins = asyncio.run(send_all())
    mongo = MongoClient(servers.mongo_uri)
    signals_db, reporting = mongo[f"{ns}_signals"], platform.url("reporting")
    lead = platform.headers("lead")

    def counters() -> dict[tuple[str, str], tuple[int, int]]:
        """One read of every counter: the reporting service counts while it answers, so ask sparingly."""
        rows = httpx.get(f"{reporting}/api/v1/counters", headers=lead, timeout=120).json()
        totals: dict[tuple[str, str], tuple[int, int]] = {}
        for row in rows:
            total, distinct = totals.get((row["municipality"], row["metric"]), (0, 0))
            totals[(row["municipality"], row["metric"])] = (total + row["total"], distinct + row["distinct"])
        return totals

    def counted(metric: str, municipality: str) -> int:
        return counters().get((municipality, metric), (0, 0))[0]

    until(lambda: counted("signals_raised", "GM0177") >= 1_500, 180, "reporting under way")
    platform.kill("reporting")  # in the middle of the stream
    platform.restart("reporting")
    until(lambda: signals_db.cases.count_documents({}) >= 30, 180, "signals intake under way")
    platform.kill("signals")  # in the middle of the intake
    platform.restart("signals")
    crash_server("kafka")
    until(lambda: signals_db.cases.count_documents({}) == SIGNALS, 300, "every signal in a case")

    cases = httpx.get(
        f"{platform.url('signals')}/api/v1/cases", params={"municipality": "GM0141", "per_page": 200}, headers=worker
    ).json()["items"]
    to_close = sorted(case["id"] for case in cases)[:CLOSED]
    for number, case_id in enumerate(to_close):
        if number == CLOSED // 2:
            platform.kill("referrals")  # while referrals arrive
            platform.restart("referrals")
        if number == 3 * CLOSED // 4:
            crash_server("mongo")
        url = f"{platform.url('signals')}/api/v1/cases/{case_id}/close"
        assert call("POST", url, worker, json={"outcome": "follow_up_financial"}).status_code in (204, 409)

    referrals_url = f"{platform.url('referrals')}/api/v1/referrals"
    until(lambda: httpx.get(referrals_url, headers=humanitas).json()["total"] == CLOSED, 180, "a referral per case")
    platform.kill("volunteers")  # while volunteers are assigned
    platform.restart("volunteers")
    handed_on = httpx.get(referrals_url, params={"per_page": 200}, headers=humanitas).json()["items"]
    referrals = sorted(item["id"] for item in handed_on)
    for number, referral_id in enumerate(referrals):
        accepted = call("POST", f"{referrals_url}/{referral_id}/accept", humanitas)
        assert accepted.status_code in (200, 409), accepted.text
        if number < COMPLETED:
            done = call("POST", f"{referrals_url}/{referral_id}/complete", humanitas, json={"result": "stable"})
            assert done.status_code in (200, 409), done.text

    # what the counters must say, from what this test sent and did
    expected = {
        ("GM0177", "signals_raised"): STREAM,
        ("GM0141", "signals_raised"): SIGNALS,
        ("GM0141", "cases_opened"): SIGNALS,
        ("GM0141", "cases_closed"): CLOSED,
        ("GM0141", "households_matched"): CLOSED,
        ("GM0141", "referrals_accepted"): CLOSED,
        ("GM0141", "referrals_completed"): COMPLETED,
        ("GM0141", "volunteers_assigned"): CLOSED,
    }

    last: dict[tuple[str, str], tuple[int, int]] = {}

    def all_counted() -> bool:
        last.update(counters())
        return all(last.get(key, (0, 0))[0] == total for key, total in expected.items())

    try:
        until(all_counted, 300, "the counters")
    except AssertionError:
        raise AssertionError(f"expected {expected}, counted {last}") from None
    time.sleep(3)  # late redeliveries, if any, would land now
    final = counters()
    assert {key: final[key][0] for key in expected} == expected
    assert final[("GM0177", "signals_raised")][1] == STREAM_HOUSEHOLDS

    # every case, referral and assignment in its expected state
    by_status = {
        status: httpx.get(
            f"{platform.url('signals')}/api/v1/cases",
            params={"municipality": "GM0141", "status": status},
            headers=worker,
        ).json()["total"]
        for status in ("open", "closed")
    }
    assert by_status == {"open": SIGNALS - CLOSED, "closed": CLOSED}
    referred = httpx.get(referrals_url, params={"per_page": 200}, headers=humanitas).json()["items"]
    states = sorted(item["state"] for item in referred)
    assert states == ["accepted"] * (CLOSED - COMPLETED) + ["completed"] * COMPLETED
    assignments = httpx.get(
        f"{platform.url('volunteers')}/api/v1/assignments", params={"per_page": 200}, headers=coordinator
    ).json()["items"]
    assert sorted(item["state"] for item in assignments) == ["assigned"] * CLOSED

    # every bad record is on the dead-letter topic with its origin, and no good one is
    dead = asyncio.run(read_to_end(servers.kafka_bootstrap, f"{ns}.deadletter"))
    origins = {
        (
            headers["redzaam_dlq_topic"].decode(),
            int(headers["redzaam_dlq_partition"]),
            int(headers["redzaam_dlq_offset"]),
        )
        for headers in (dict(record.headers) for record in dead)
    }
    assert bad_origins <= origins, f"not dead-lettered: {sorted(bad_origins - origins)[:5]}"
    assert origins <= bad_origins, f"dead-lettered, though valid: {sorted(origins - bad_origins)[:5]}"

    # and everything is healthy again, by itself
    for service in SERVICES:
        assert httpx.get(f"{platform.url(service)}/readyz", timeout=10).status_code == 200, service
    mongo.close()
