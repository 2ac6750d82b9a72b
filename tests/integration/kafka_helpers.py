"""Small helpers for tests that talk to the real Kafka."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient


async def produce(bootstrap: str, topic: str, values: list[bytes], key: bytes = b"hh-test") -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


def whole_topic(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    """A reader of every partition of `topic` from its start, in no consumer group."""
    return AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None
    )


async def read_to_end(bootstrap: str, topic: str, within: float = 60) -> list[ConsumerRecord[Any, Any]]:
    """Every record on `topic` up to its end offsets as they are once its partitions are known: the whole topic,
    however slowly the machine reads it, rather than whatever arrives in a time window."""
    consumer = whole_topic(bootstrap, topic)
    await consumer.start()
    records: list[ConsumerRecord[Any, Any]] = []
    try:
        deadline = time.monotonic() + within

        async def fetch() -> None:
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic} not read to its end within {within} s")
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)

        while not consumer.assignment():
            await fetch()
        ends = await consumer.end_offsets(list(consumer.assignment()))
        for partition, end in ends.items():
            while await consumer.position(partition) < end:
                await fetch()
    finally:
        await consumer.stop()
    return records


async def read_all(bootstrap: str, topic: str, expected: int, within: float = 60) -> list[ConsumerRecord[Any, Any]]:
    """The first `expected` records of `topic` (or what there is when `within` seconds have passed)."""
    consumer = whole_topic(bootstrap, topic)
    await consumer.start()
    records: list[ConsumerRecord[Any, Any]] = []
    try:
        deadline = time.monotonic() + within
        while len(records) < expected and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 60, what: str = "condition") -> None:
    """Polls `check` until it holds. The budget is generous because it costs nothing when the check passes: a
    slow machine joining a new consumer group can take many seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} not reached within {within} s")


async def committed_offset(bootstrap: str, group: str, topic: str) -> int:
    """The sum of the offsets `group` has committed on the partitions of `topic`: how many records it has done."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)
