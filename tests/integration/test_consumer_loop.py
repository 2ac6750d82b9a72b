"""The shared consumer loop and outbox on the real Kafka and MongoDB."""

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from pymongo.errors import DuplicateKeyError

from plumbing.events import CloudEvent, encode
from plumbing.kafka import EventConsumer, EventPublisher, ensure_topics
from plumbing.metrics import Metrics
from plumbing.outbox import OutboxRelay, new_document, outbox_entry
from services.reporting.settings import ReportingSettings
from services.reporting.subscriptions import SIGNAL_RAISED, SignalRaised
from tests.conftest import Servers
from tests.integration.kafka_helpers import committed_offset, eventually, produce, read_all

pytestmark = pytest.mark.integration


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the loop catches it."""


def signal_raised(household: str | None = None) -> CloudEvent:
    household = household or f"hh-{uuid.uuid4().hex[:12]}"
    return CloudEvent(
        id=str(uuid.uuid4()),
        source="/tests",
        type=SIGNAL_RAISED,
        subject=household,
        time=datetime.now(UTC),
        data={"household_ref": household, "municipality": "GM0141", "creditor_type": "rent"},
    )


async def store_effect(facts: Any, event: CloudEvent) -> None:
    """An idempotent effect, as every handler's must be: one document per event id. An event whose data does not
    fit raises InvalidEvent, as in the services' handlers."""
    event.data_as(SignalRaised)
    with contextlib.suppress(DuplicateKeyError):
        await facts.insert_one({"_id": event.id, "event_id": event.id})


def counting_into(mongo: Any) -> Any:
    """A handler storing its effect into this test's database."""

    async def count(received: CloudEvent) -> None:
        await store_effect(mongo.facts, received)

    return count


async def count_until_committed(
    servers: Servers, namespace: str, mongo: Any, publisher: EventPublisher, offset: int, what: str
) -> None:
    """Runs the reporting handler in a consumer until the group has committed `offset`, then stops it."""
    consumer = await started_consumer(servers, namespace, {SIGNAL_RAISED: counting_into(mongo)}, publisher)
    try:
        await eventually(lambda: committed_offset_is(servers, namespace, offset), what=what)
    finally:
        await consumer.stop()


async def started_consumer(
    servers: Servers,
    namespace: str,
    handlers: dict[str, Any],
    publisher: EventPublisher,
    batch_handlers: dict[str, Any] | None = None,
) -> EventConsumer:
    consumer = EventConsumer(
        bootstrap=servers.kafka_bootstrap,
        group_id=f"{namespace}.group",
        topics=[f"{namespace}.in"],
        handlers=handlers,
        batch_handlers=batch_handlers,
        publisher=publisher,
        dead_letter_topic=f"{namespace}.deadletter",
        metrics=Metrics(),
        max_attempts=3,
        backoff_seconds=0.05,
    )
    await consumer.start()
    return consumer


@pytest.fixture
async def publisher(servers: Servers, namespace: str) -> Any:
    await ensure_topics(servers.kafka_bootstrap, [f"{namespace}.in", f"{namespace}.deadletter"], partitions=1)
    publisher = EventPublisher(servers.kafka_bootstrap, Metrics())
    await publisher.start()
    yield publisher
    await publisher.stop()


async def test_offset_is_committed_only_after_the_effect_is_stored(
    servers: Servers,
    namespace: str,
    mongo: Any,
    publisher: EventPublisher,
) -> None:
    failures_left = 2

    async def flaky_store(event: CloudEvent) -> None:
        nonlocal failures_left
        assert await committed_offset(servers.kafka_bootstrap, f"{namespace}.group", f"{namespace}.in") == 0
        if failures_left:
            failures_left -= 1
            raise ConnectionError("database briefly away")
        await store_effect(mongo.facts, event)

    event = signal_raised()
    await produce(servers.kafka_bootstrap, f"{namespace}.in", [encode(event)])
    consumer = await started_consumer(servers, namespace, {SIGNAL_RAISED: flaky_store}, publisher)
    try:
        await eventually(lambda: committed_offset_is(servers, namespace, 1), what="commit after store")
    finally:
        await consumer.stop()
    assert failures_left == 0
    assert await mongo.facts.count_documents({}) == 1


async def fact_stored(mongo: Any, event_id: str) -> bool:
    return await mongo.facts.find_one({"event_id": event_id}) is not None


async def committed_offset_is(servers: Servers, namespace: str, expected: int) -> bool:
    return await committed_offset(servers.kafka_bootstrap, f"{namespace}.group", f"{namespace}.in") == expected


async def test_same_event_delivered_twice_counts_once(
    servers: Servers,
    namespace: str,
    mongo: Any,
    publisher: EventPublisher,
) -> None:
    event = signal_raised()
    other = signal_raised()
    await produce(servers.kafka_bootstrap, f"{namespace}.in", [encode(event), encode(event), encode(other)])

    await count_until_committed(servers, namespace, mongo, publisher, 3, "all three handled")
    assert await mongo.facts.count_documents({}) == 2


async def test_consumer_that_dies_before_commit_reprocesses_without_double_effect(
    servers: Servers,
    namespace: str,
    mongo: Any,
    publisher: EventPublisher,
) -> None:
    event = signal_raised()
    await produce(servers.kafka_bootstrap, f"{namespace}.in", [encode(event)])

    async def store_then_die(received: CloudEvent) -> None:
        await store_effect(mongo.facts, received)
        raise Crash

    crashing = await started_consumer(servers, namespace, {SIGNAL_RAISED: store_then_die}, publisher)
    await eventually(lambda: fact_stored(mongo, event.id), what="effect stored before the crash")
    with pytest.raises(Crash):
        await crashing.stop()
    assert await mongo.facts.count_documents({}) == 1
    assert await committed_offset_is(servers, namespace, 0)

    await count_until_committed(servers, namespace, mongo, publisher, 1, "commit after restart")
    assert await mongo.facts.count_documents({}) == 1


async def test_malformed_and_invalid_records_go_to_the_dead_letter_topic_and_the_consumer_moves_on(
    servers: Servers,
    namespace: str,
    mongo: Any,
    publisher: EventPublisher,
) -> None:
    invalid = signal_raised().model_copy(update={"data": {"household_ref": "hh-x"}})
    good = signal_raised()
    await produce(servers.kafka_bootstrap, f"{namespace}.in", [b"{not json", encode(invalid), encode(good)])

    consumer = await started_consumer(servers, namespace, {SIGNAL_RAISED: counting_into(mongo)}, publisher)
    try:
        dead = await read_all(servers.kafka_bootstrap, f"{namespace}.deadletter", expected=2)
        await eventually(lambda: committed_offset_is(servers, namespace, 3), what="moved past bad records")
    finally:
        await consumer.stop()

    assert [record.value for record in dead] == [b"{not json", encode(invalid)]
    headers = [dict(record.headers) for record in dead]
    assert [h["redzaam_dlq_topic"] for h in headers] == [f"{namespace}.in".encode()] * 2
    assert [h["redzaam_dlq_offset"] for h in headers] == [b"0", b"1"]
    assert all(h["redzaam_dlq_partition"] == b"0" for h in headers)
    assert b"not JSON" in headers[0]["redzaam_dlq_error"]
    assert b"municipality" in headers[1]["redzaam_dlq_error"]
    assert await mongo.facts.find_one({"event_id": good.id}) is not None


async def test_outbox_relay_publishes_each_pending_event_and_marks_it(
    servers: Servers,
    namespace: str,
    mongo: Any,
    publisher: EventPublisher,
) -> None:
    event = signal_raised()
    await mongo.things.insert_one(new_document({"_id": "thing-1"}, outbox_entry(f"{namespace}.in", event)))
    relay = OutboxRelay([mongo.things], publisher, Metrics())

    assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 0

    stored = await mongo.things.find_one({"_id": "thing-1"})
    assert stored["outbox_pending"] is False
    assert [entry["state"] for entry in stored["outbox"].values()] == ["published"]
    records = await read_all(servers.kafka_bootstrap, f"{namespace}.in", expected=1)
    assert [record.value for record in records] == [encode(event)]
    assert records[0].key == event.subject.encode()


async def test_conditional_updates_from_one_service_do_not_overwrite_each_other(
    servers: Servers, namespace: str
) -> None:

    from plumbing import mongo as service_mongo

    settings = ReportingSettings(mongo_uri=servers.mongo_uri, mongo_database=namespace)
    client = await service_mongo.connect(settings)
    try:
        things = service_mongo.database(client, settings).things
        await things.insert_one({"_id": "t", "n": 0, "version": 0})
        await asyncio.gather(*(things.update_one({"_id": "t"}, {"$inc": {"n": 1}}) for _ in range(40)))
        guarded = await asyncio.gather(
            *(things.update_one({"_id": "t", "version": 0}, {"$inc": {"version": 1}}) for _ in range(40))
        )
        assert (await things.find_one({"_id": "t"}))["n"] == 40
        assert sum(result.modified_count for result in guarded) == 1
    finally:
        await client.drop_database(namespace)
        await client.close()


async def test_topics_are_created_with_the_replication_asked_for(servers: Servers, namespace: str) -> None:
    topic = f"{namespace}.replicated"
    # one broker holds one replica; a min.insync.replicas above the broker's default shows the setting arrived
    await ensure_topics(servers.kafka_bootstrap, [topic], partitions=2, replication_factor=1, min_insync_replicas=2)
    admin = AIOKafkaAdminClient(bootstrap_servers=servers.kafka_bootstrap)
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    assert [len(partition["replicas"]) for partition in description["partitions"]] == [1, 1]
    configs = {name: value for name, value, *_ in response.resources[0][4]}
    assert configs["min.insync.replicas"] == "2"
