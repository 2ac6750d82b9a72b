"""Records follow the CloudEvents Kafka protocol binding (structured content mode), checked with the official
CloudEvents Python SDK on real Kafka: the SDK reads what the platform publishes, and the platform's consumer loop
handles what a partner's SDK publishes."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event, to_structured_event
from cloudevents.core.v1.event import CloudEvent as SdkEvent

from plumbing.events import CloudEvent
from plumbing.kafka import EventPublisher
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, read_to_end
from tests.integration.test_consumer_loop import publisher, signal_raised, started_consumer

pytestmark = pytest.mark.integration
__all__ = ["publisher"]


async def test_the_official_sdk_reads_what_the_platform_publishes(
    servers: Servers, namespace: str, publisher: EventPublisher
) -> None:
    sent = signal_raised()
    await publisher.publish(f"{namespace}.in", sent)
    (record,) = await read_to_end(servers.kafka_bootstrap, f"{namespace}.in")
    message = KafkaMessage(headers={name: value for name, value in record.headers}, key=record.key, value=record.value)
    read = from_kafka_event(message)  # fails with MissingRequiredFields on a record without the binding's headers
    assert (read.get_id(), read.get_type(), read.get_source(), read.get_subject()) == (
        sent.id,
        sent.type,
        sent.source,
        sent.subject,
    )
    assert read.get_data() == sent.data
    assert record.key == sent.subject.encode()


async def test_the_consumer_loop_handles_what_a_partners_sdk_publishes(
    servers: Servers, namespace: str, publisher: EventPublisher
) -> None:
    household = f"hh-{uuid.uuid4().hex[:12]}"
    attributes = {
        "id": str(uuid.uuid4()),
        "source": "/partners/woonstad-almelo",
        "type": "nl.redzaam.signal.raised",
        "subject": household,
        "time": datetime.now(UTC),
        "datacontenttype": "application/json",
        "partitionkey": household,
    }
    data = {"household_ref": household, "municipality": "GM0141", "creditor_type": "rent"}
    message = to_structured_event(SdkEvent(attributes, data))
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap)
    await producer.start()
    try:
        key = message.key.encode() if isinstance(message.key, str) else message.key
        await producer.send_and_wait(f"{namespace}.in", message.value, key=key, headers=list(message.headers.items()))
    finally:
        await producer.stop()
    handled: list[CloudEvent] = []

    async def handle(event: CloudEvent) -> None:
        handled.append(event)

    consumer = await started_consumer(servers, namespace, {"nl.redzaam.signal.raised": handle}, publisher)
    try:

        async def arrived() -> bool:
            await asyncio.sleep(0)
            return bool(handled)

        await eventually(arrived, what="the SDK's event at the handler")
    finally:
        await consumer.stop()
    (event,) = handled
    assert (event.id, event.source, event.subject, event.data) == (
        attributes["id"],
        attributes["source"],
        household,
        data,
    )
    assert not await dead_letters(servers, namespace)


async def dead_letters(servers: Servers, namespace: str) -> list[Any]:
    return await read_to_end(servers.kafka_bootstrap, f"{namespace}.deadletter")
