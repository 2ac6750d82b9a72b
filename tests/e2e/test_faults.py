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

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pymongo import MongoClient

from plumbing.events import encode
from tests.conftest import Servers
from tests.e2e.fault_stream import (
    BAD,
    CLOSED,
    STREAM_DUPLICATES,
    Origin,
    answer_referrals,
    assert_end_states,
    counters,
    dead_letter_origins,
    expected_counters,
    hand_on,
    publish_help,
    raised,
    schema_invalid_intake,
    schema_invalid_stream,
    submitted,
    until,
    wait_for_referrals,
    wait_until_counted,
)
from tests.e2e.platform import REPO, SERVICES, Platform
from tests.integration.kafka_helpers import read_to_end

pytestmark = pytest.mark.e2e

SIGNALS = 120  # through the signals service, each delivered twice
STREAM = 10_000  # signal.raised events straight onto the event topic, for the reporting service


async def publish(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> list[Origin]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=10)
    await producer.start()
    try:
        futures = [await producer.send(topic, value, key=key) for value, key in records]
        metadata = [await future for future in futures]
    finally:
        await producer.stop()
    return [(topic, item.partition, item.offset) for item in metadata]


def crash_server(name: str) -> None:
    """SIGKILL, as a crash would, then start again: acknowledged writes must survive it."""
    subprocess.run(["bash", str(REPO / "deploy/local/infra.sh"), "kill", name], check=True, timeout=180)


def test_nothing_is_lost_or_counted_twice_when_services_and_servers_fail(platform: Platform, servers: Servers) -> None:
    if servers.origin != "local":
        pytest.skip("killing Kafka and MongoDB needs the project's own local servers (deploy/local/infra.sh)")
    ns = platform.namespace
    publish_help(platform)

    # everything is published up front; the faults come while the services work through it
    intake = [submitted(number) for number in range(SIGNALS)]
    good_intake = [(encode(item), item.subject.encode()) for item in intake]
    bad_intake = [(b"{not json", b"bad")] * BAD + [(encode(item), b"bad") for item in schema_invalid_intake(SIGNALS)]
    stream = [raised(number) for number in range(STREAM)]
    good_stream = [(encode(item), item.subject.encode()) for item in stream]
    duplicates = good_stream[:STREAM_DUPLICATES]
    bad_stream = [(b"\x00\x01 garbage", b"bad")] * BAD + [(encode(item), b"bad") for item in schema_invalid_stream()]
    intake_topic = f"{ns}.signals.intake.woonstad-almelo"
    events_topic = f"{ns}.signals.events"

    async def send_all() -> set[Origin]:
        bad: set[Origin] = set()
        await publish(servers.kafka_bootstrap, intake_topic, good_intake + good_intake)
        bad |= set(await publish(servers.kafka_bootstrap, intake_topic, bad_intake))
        await publish(servers.kafka_bootstrap, events_topic, good_stream + duplicates)
        bad |= set(await publish(servers.kafka_bootstrap, events_topic, bad_stream))
        return bad

    bad_origins = asyncio.run(send_all())
    mongo = MongoClient(servers.mongo_uri)
    signals_db = mongo[f"{ns}_signals"]

    def counted(metric: str, municipality: str) -> int:
        return counters(platform).get((municipality, metric), (0, 0))[0]

    until(lambda: counted("signals_raised", "GM0177") >= 1_500, 180, "reporting under way")
    platform.kill("reporting")  # in the middle of the stream
    platform.restart("reporting")
    until(lambda: signals_db.cases.count_documents({}) >= 30, 180, "signals intake under way")
    platform.kill("signals")  # in the middle of the intake
    platform.restart("signals")
    crash_server("kafka")
    until(lambda: signals_db.cases.count_documents({}) == SIGNALS, 300, "every signal in a case")

    def faults_while_handing_on(number: int) -> None:
        if number == CLOSED // 2:
            platform.kill("referrals")  # while referrals arrive
            platform.restart("referrals")
        if number == 3 * CLOSED // 4:
            crash_server("mongo")

    hand_on(platform, during=faults_while_handing_on)
    wait_for_referrals(platform)
    platform.kill("volunteers")  # while volunteers are assigned
    platform.restart("volunteers")
    answer_referrals(platform)

    wait_until_counted(platform, expected_counters(SIGNALS, STREAM))
    assert_end_states(platform, SIGNALS)

    # every bad record is on the dead-letter topic with its origin, and no good one is
    dead = asyncio.run(read_to_end(servers.kafka_bootstrap, f"{ns}.deadletter"))
    origins = dead_letter_origins(dict(record.headers) for record in dead)
    assert bad_origins <= origins, f"not dead-lettered: {sorted(bad_origins - origins)[:5]}"
    assert origins <= bad_origins, f"dead-lettered, though valid: {sorted(origins - bad_origins)[:5]}"

    # and everything is healthy again, by itself
    for service in SERVICES:
        assert httpx.get(f"{platform.url(service)}/readyz", timeout=10).status_code == 200, service
    mongo.close()
