"""Batch handlers on the real Kafka and MongoDB: a poll's events reach the handler together, rejected events go to
the dead-letter topic with their origin, and a batch that fails is handled one event at a time. The handler is the
reporting service's own."""

from collections.abc import Mapping
from typing import Any

import pytest

from plumbing.events import encode
from plumbing.kafka import EVERY_TYPE, Delivered, EventPublisher
from services.reporting.counting import record_batch
from services.reporting.projection import projection_named
from services.reporting.readings import counters, subjects
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce, read_to_end
from tests.integration.test_consumer_loop import committed_offset_is, publisher, signal_raised, started_consumer

pytestmark = pytest.mark.integration
__all__ = ["publisher"]


async def consume(servers: Servers, namespace: str, publisher: EventPublisher, handler: Any, offset: int) -> None:
    consumer = await started_consumer(servers, namespace, {}, publisher, batch_handlers={EVERY_TYPE: handler})
    try:
        await eventually(lambda: committed_offset_is(servers, namespace, offset), what=f"commit of {offset}")
    finally:
        await consumer.stop()


async def test_a_poll_reaches_the_batch_handler_in_few_calls_and_counts_once(
    servers: Servers, namespace: str, mongo: Any, publisher: EventPublisher
) -> None:
    events = [signal_raised() for _ in range(300)]
    await produce(servers.kafka_bootstrap, f"{namespace}.in", [encode(event) for event in events])
    projection = projection_named(mongo, "counters")
    calls: list[int] = []

    async def count(batch: list[Delivered]) -> Mapping[int, str]:
        calls.append(len(batch))
        return await record_batch(projection, batch)

    await consume(servers, namespace, publisher, count, 300)
    assert sum(calls) == 300 and len(calls) < 30, calls
    assert [(row.total, row.distinct) for row in await counters(projection)] == [(300, 300)]
    # the same events published again (an outbox relay retrying): new offsets, the same ids
    await produce(servers.kafka_bootstrap, f"{namespace}.in", [encode(event) for event in events[:50]])
    await consume(servers, namespace, publisher, count, 350)
    assert [(row.total, row.distinct) for row in await counters(projection)] == [(300, 300)]


async def test_rejected_and_failing_events_are_dead_lettered_and_the_rest_counted(
    servers: Servers, namespace: str, mongo: Any, publisher: EventPublisher
) -> None:
    good = [signal_raised() for _ in range(20)]
    invalid = signal_raised().model_copy(update={"data": {"municipality": "GM0141"}})  # no household_ref
    poison = signal_raised()
    records = [encode(event) for event in good[:10]] + [encode(invalid), encode(poison)]
    records += [encode(event) for event in good[10:]]
    await produce(servers.kafka_bootstrap, f"{namespace}.in", records)
    projection = projection_named(mongo, "counters")

    async def count(batch: list[Delivered]) -> Mapping[int, str]:
        if any(delivered.event.id == poison.id for delivered in batch):
            raise RuntimeError("this event always breaks the handler")
        return await record_batch(projection, batch)

    await consume(servers, namespace, publisher, count, 22)
    households = await subjects(projection, "signals_raised", "0000-01", "9999-12")
    assert households == {event.data["household_ref"] for event in good}
    assert [row.total for row in await counters(projection)] == [20]
    dead = await read_to_end(servers.kafka_bootstrap, f"{namespace}.deadletter")
    offsets = sorted(int(dict(record.headers)["redzaam_dlq_offset"]) for record in dead)
    assert offsets == [10, 11]
    reasons = {int(dict(r.headers)["redzaam_dlq_offset"]): dict(r.headers)["redzaam_dlq_error"] for r in dead}
    assert b"household_ref" in reasons[10] and b"always breaks" in reasons[11]
