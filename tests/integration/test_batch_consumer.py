"""Batch handlers on the real Kafka and MongoDB: a poll's events reach the handler together, rejected events go to
the dead-letter topic with their origin, and a batch that fails is handled one event at a time."""

from collections.abc import Mapping
from typing import Any

import pytest

from plumbing.events import encode
from plumbing.kafka import Delivered, EventConsumer, EventPublisher
from plumbing.metrics import Metrics
from services.reporting.counting import record_batch
from services.reporting.subscriptions import SIGNAL_RAISED
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce, read_to_end
from tests.integration.test_consumer_loop import committed_offset_is, publisher, signal_raised

pytestmark = pytest.mark.integration
__all__ = ["publisher"]


async def consume(servers: Servers, namespace: str, publisher: EventPublisher, handler: Any, offset: int) -> None:
    consumer = EventConsumer(
        bootstrap=servers.kafka_bootstrap,
        group_id=f"{namespace}.group",
        topics=[f"{namespace}.in"],
        handlers={},
        batch_handlers={SIGNAL_RAISED: handler},
        publisher=publisher,
        dead_letter_topic=f"{namespace}.deadletter",
        metrics=Metrics(),
        max_attempts=2,
        backoff_seconds=0.05,
    )
    await consumer.start()
    try:
        await eventually(lambda: committed_offset_is(servers, namespace, offset), what=f"commit of {offset}")
    finally:
        await consumer.stop()


async def test_a_poll_reaches_the_batch_handler_in_few_calls_and_is_stored_once(
    servers: Servers, namespace: str, mongo: Any, publisher: EventPublisher
) -> None:
    events = [signal_raised() for _ in range(300)]
    await produce(servers.kafka_bootstrap, f"{namespace}.in", [encode(event) for event in events])
    calls: list[int] = []

    async def count(batch: list[Delivered]) -> Mapping[int, str]:
        calls.append(len(batch))
        return await record_batch(mongo.facts, [delivered.event for delivered in batch])

    await consume(servers, namespace, publisher, count, 300)
    assert sum(calls) == 300 and len(calls) < 30, calls
    assert await mongo.facts.count_documents({}) == 300
    await produce(servers.kafka_bootstrap, f"{namespace}.in", [encode(event) for event in events[:50]])
    await consume(servers, namespace, publisher, count, 350)  # redelivered events change nothing
    assert await mongo.facts.count_documents({}) == 300


async def test_rejected_and_failing_events_are_dead_lettered_and_the_rest_stored(
    servers: Servers, namespace: str, mongo: Any, publisher: EventPublisher
) -> None:
    good = [signal_raised() for _ in range(20)]
    invalid = signal_raised().model_copy(update={"data": {"municipality": "GM0141"}})  # no household_ref
    poison = signal_raised()
    records = [encode(event) for event in good[:10]] + [encode(invalid), encode(poison)]
    records += [encode(event) for event in good[10:]]
    await produce(servers.kafka_bootstrap, f"{namespace}.in", records)

    async def count(batch: list[Delivered]) -> Mapping[int, str]:
        if any(delivered.event.id == poison.id for delivered in batch):
            raise RuntimeError("this event always breaks the handler")
        return await record_batch(mongo.facts, [delivered.event for delivered in batch])

    await consume(servers, namespace, publisher, count, 22)
    assert sorted(await mongo.facts.distinct("event_id")) == sorted(event.id for event in good)
    dead = await read_to_end(servers.kafka_bootstrap, f"{namespace}.deadletter")
    offsets = sorted(int(dict(record.headers)["redzaam_dlq_offset"]) for record in dead)
    assert offsets == [10, 11]
    reasons = {int(dict(r.headers)["redzaam_dlq_offset"]): dict(r.headers)["redzaam_dlq_error"] for r in dead}
    assert b"household_ref" in reasons[10] and b"always breaks" in reasons[11]
