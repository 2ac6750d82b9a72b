"""Fault injection on the three-node Kafka cluster: more than 20,000 events go through the four services, each
running twice in one consumer group, while the broker leading most partitions is killed with SIGKILL and started
again, then another, and a replica of the signals and of the reporting service is killed in the middle of its work.

The test's own producers publish while the brokers fail, with acks=all and idempotence as the services do; every
write they were told succeeded must be on the log at the offset they were told. At the end the counters equal what
the test sent, every case, referral and assignment is in its state, every bad record is on the dead-letter topic
with its origin, and the longest stall seen by the intake and by the counters is printed.
"""

import asyncio
import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError
from pymongo import MongoClient

from plumbing.events import encode
from tests.cluster.conftest import ClusterPlatform, infra, leaders
from tests.conftest import Servers
from tests.e2e.fault_stream import (
    BAD,
    STREAM_DUPLICATES,
    Origin,
    answer_referrals,
    assert_end_states,
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
from tests.integration.kafka_helpers import read_to_end

pytestmark = pytest.mark.cluster

SIGNALS = 1_500  # through the signals service's Kafka intake, each delivered twice
STREAM = 17_000  # signal.raised straight onto the event topic, for the reporting service
RATE = 200  # records per second: the writes go on for some 100 s, through both broker failures

Record = tuple[str, bytes, bytes]  # topic, value, key


@dataclass
class Intake:
    """A partner system's producer, paced, that resends what it was told failed, as a partner system must."""

    bootstrap: str
    records: list[Record]
    acknowledged: dict[Origin, bytes] = field(default_factory=dict)
    refused: int = 0  # sends reported failed (and sent again)
    longest_wait: float = 0.0  # from a send to its acknowledgement
    finished: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self.publish())
        except BaseException as error:
            self.error = error
        finally:
            self.finished.set()

    async def publish(self) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
        await producer.start()

        async def deliver(topic: str, value: bytes, key: bytes) -> None:
            while True:
                started = time.monotonic()
                try:
                    metadata = await (await producer.send(topic, value, key=key))
                except KafkaError:
                    self.refused += 1
                    await asyncio.sleep(0.5)
                    continue
                self.longest_wait = max(self.longest_wait, time.monotonic() - started)
                self.acknowledged[(topic, metadata.partition, metadata.offset)] = value
                return

        try:
            tasks = []
            step = RATE // 10
            for start in range(0, len(self.records), step):
                tasks += [asyncio.create_task(deliver(*record)) for record in self.records[start : start + step]]
                await asyncio.sleep(0.1)
            await asyncio.gather(*tasks)
        finally:
            await producer.stop()


@dataclass
class CounterWatch:
    """Reads the counters every second; the longest time they did not move while work was left is the stall."""

    url: str
    headers: dict[str, str]
    target: int
    longest_stall: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        last_value, last_change = -1, time.monotonic()
        while not self.stop.is_set():
            try:
                rows = httpx.get(f"{self.url}/api/v1/counters", headers=self.headers, timeout=30).json()
                value = sum(row["total"] for row in rows if row["metric"] in ("signals_raised", "cases_opened"))
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                value = last_value
            now = time.monotonic()
            if value != last_value:
                last_value, last_change = value, now
            elif value < self.target:
                self.longest_stall = max(self.longest_stall, now - last_change)
            if value >= self.target:
                return
            self.stop.wait(1.0)


async def describe(bootstrap: str, prefix: str) -> list[dict[str, object]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [name for name in await admin.list_topics() if name.startswith(prefix + ".")]
        return list(await admin.describe_topics([*topics, "__consumer_offsets"]))
    finally:
        await admin.close()


async def min_insync_replicas(bootstrap: str, topic: str) -> str:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    return str({name: value for name, value, *_ in response.resources[0][4]}["min.insync.replicas"])


def in_sync(bootstrap: str, prefix: str) -> bool:
    try:
        description = asyncio.run(describe(bootstrap, prefix))
    except KafkaError:
        return False
    return all(
        sorted(partition["isr"]) == sorted(partition["replicas"])
        for topic in description
        for partition in topic["partitions"]  # type: ignore[attr-defined]
    )


def busiest_broker(bootstrap: str, prefix: str, besides: int | None = None) -> tuple[int, int]:
    counts = leaders(asyncio.run(describe(bootstrap, prefix)))
    node = max((node for node in counts if node != besides), key=lambda node: counts[node])
    return node, counts[node]


def test_nothing_is_lost_when_brokers_and_replicas_fail(cluster_platform: ClusterPlatform, cluster: Servers) -> None:
    platform, bootstrap = cluster_platform, cluster.kafka_bootstrap
    ns = platform.namespace
    began = time.monotonic()
    lead = platform.headers("lead")
    publish_help(platform)

    # the topics the services created are replicated as their settings say
    for topic in asyncio.run(describe(bootstrap, ns)):
        assert {len(partition["replicas"]) for partition in topic["partitions"]} == {3}, topic["topic"]  # type: ignore[attr-defined]
    assert asyncio.run(min_insync_replicas(bootstrap, f"{ns}.signals.events")) == "2"

    intake_topic, events_topic = f"{ns}.signals.intake.woonstad-almelo", f"{ns}.signals.events"
    intake = [submitted(number) for number in range(SIGNALS)]
    stream = [raised(number) for number in range(STREAM)]
    good: list[Record] = [(intake_topic, encode(item), item.subject.encode()) for item in intake] * 2
    good += [(events_topic, encode(item), item.subject.encode()) for item in stream]
    good += good[2 * SIGNALS : 2 * SIGNALS + STREAM_DUPLICATES]
    bad: list[Record] = [(intake_topic, b"{not json", b"bad")] * BAD
    bad += [(intake_topic, encode(item), b"bad") for item in schema_invalid_intake(SIGNALS)]
    bad += [(events_topic, b"\x00\x01 garbage", b"bad")] * BAD
    bad += [(events_topic, encode(item), b"bad") for item in schema_invalid_stream()]
    # the bad records spread through the stream, so that some arrive while a broker is down
    records = good[: len(good) // 2] + bad[: len(bad) // 2] + good[len(good) // 2 :] + bad[len(bad) // 2 :]
    producer = Intake(bootstrap, records)
    watch = CounterWatch(platform.url("reporting"), lead, target=STREAM + 2 * SIGNALS)
    threads = [threading.Thread(target=producer.run, daemon=True), threading.Thread(target=watch.run, daemon=True)]
    for thread in threads:
        thread.start()

    mongo = MongoClient(cluster.mongo_uri)
    signals_db = mongo[f"{ns}_signals"]
    try:
        time.sleep(8)  # the stream under way
        first, led = busiest_broker(bootstrap, ns)
        print(f"\nkilling broker {first}, leader of {led} partitions, at {time.monotonic() - began:.0f} s")
        assert not producer.finished.is_set(), "the first broker must fail while the writes go on"
        infra("kill-broker", str(first))
        time.sleep(3)
        platform.kill("reporting-b")  # in the middle of a batch: the stream is flowing
        platform.kill("signals-b")  # in the middle of the intake
        platform.restart("reporting-b")
        platform.restart("signals-b")
        infra("start-broker", str(first))
        until(lambda: in_sync(bootstrap, ns), 180, f"broker {first} back in sync")
        second, led = busiest_broker(bootstrap, ns, besides=first)
        print(f"killing broker {second}, leader of {led} partitions, at {time.monotonic() - began:.0f} s")
        assert not producer.finished.is_set(), "the second broker must fail while the writes go on"
        infra("kill-broker", str(second))
        time.sleep(8)
        infra("start-broker", str(second))
        until(lambda: in_sync(bootstrap, ns), 180, f"broker {second} back in sync")
        until(producer.finished.is_set, 240, "every write acknowledged")
        assert producer.error is None, producer.error
        until(lambda: signals_db.cases.count_documents({}) == SIGNALS, 300, "every signal in a case")
    finally:
        for node in ("1", "2", "3"):
            infra("start-broker", node)

    hand_on(platform)
    wait_for_referrals(platform)
    answer_referrals(platform)
    expected = expected_counters(SIGNALS, STREAM)
    wait_until_counted(platform, expected)
    watch.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert_end_states(platform, SIGNALS)

    # no write the producer was told succeeded is missing from the log, or different there
    logged: dict[Origin, bytes] = {}
    for topic in (intake_topic, events_topic):
        for record in asyncio.run(read_to_end(bootstrap, topic, within=120)):
            logged[(record.topic, record.partition, record.offset)] = record.value
    lost = [origin for origin, value in producer.acknowledged.items() if logged.get(origin) != value]
    assert not lost, f"{len(lost)} acknowledged writes not on the log, e.g. {lost[:3]}"
    assert len(producer.acknowledged) == len(records)

    bad_values = {value for _, value, _ in bad}
    # from the log: a send reported failed may have landed after all, and its copy is as bad
    bad_origins = {origin for origin, value in logged.items() if value in bad_values}
    dead = asyncio.run(read_to_end(bootstrap, f"{ns}.deadletter", within=120))
    letters = [dict(record.headers) for record in dead]
    origins = dead_letter_origins(letters)
    assert all(headers["redzaam_dlq_error"] and headers["redzaam_dlq_consumer_group"] for headers in letters)
    # each consuming group dead-letters what it cannot read; a replica killed between its dead letter and its
    # commit writes that one again (at least once), which the figure below would show
    fields = ("redzaam_dlq_topic", "redzaam_dlq_partition", "redzaam_dlq_offset", "redzaam_dlq_consumer_group")
    per_group = {tuple(headers[name] for name in fields) for headers in letters}
    assert bad_origins <= origins, f"not dead-lettered: {sorted(bad_origins - origins)[:5]}"
    assert origins <= bad_origins, f"dead-lettered, though valid: {sorted(origins - bad_origins)[:5]}"
    for service in platform.processes:
        assert httpx.get(f"{platform.url(service)}/readyz", timeout=10).status_code == 200, service
    mongo.close()
    print(
        f"cluster faults: {len(records)} records published ({producer.refused} sends refused and sent again), "
        f"longest wait for an acknowledgement {producer.longest_wait:.1f} s, longest counter stall "
        f"{watch.longest_stall:.1f} s, {len(origins)} bad records dead-lettered in {len(dead)} dead letters "
        f"({len(dead) - len(per_group)} written twice by one group), "
        f"counters {expected}, "
        f"{time.monotonic() - began:.0f} s in all"
    )
