"""Rebuilds every counter from the start of the Kafka log into a fresh projection, then switches to it.

    python -m services.reporting.rebuild

Reads the three event topics from their first offsets without a consumer group (the live consumer keeps running),
counts them into a new projection by the same use case as the live consumer (`counting.record_batch`), and switches
to it once it has caught up with the end of every partition. It then reads on for a moment, so that events the live
consumer counted into the old projection just before it noticed the switch are counted into the new one too; spans
and seen event ids keep both writers from counting anything twice.
"""

import asyncio
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer
from pymongo.asynchronous.database import AsyncDatabase

from plumbing import mongo
from plumbing.events import InvalidEvent, decode
from plumbing.kafka import Delivered, Origin
from services.reporting.counting import record_batch
from services.reporting.projection import Projection, ensure_indexes, projection_named, switch_projection
from services.reporting.settings import ReportingSettings
from services.reporting.subscriptions import COUNTED_TOPICS

CATCH_UP_AFTER_SWITCH_SECONDS = 2.0  # longer than ProjectionCache takes to notice the switch
WRITE_BATCH = 20_000  # events per batch: each batch costs a few commands, so fewer, larger ones are faster


@dataclass(frozen=True)
class Rebuilt:
    collection: str
    events: int
    skipped: int
    seconds: float


async def rebuild(settings: ReportingSettings, db: AsyncDatabase[Any], batch: int = WRITE_BATCH) -> Rebuilt:
    started = time.perf_counter()
    name = f"counters_{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
    projection = projection_named(db, name)
    await ensure_indexes(projection)
    topics = [settings.topic(topic) for topic in COUNTED_TOPICS]
    # no consumer group: every partition of the topics, from its first offset, beside the live consumer
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    writer = _Writer(projection, batch)
    try:
        switched_at: float | None = None
        while switched_at is None or time.perf_counter() - switched_at < CATCH_UP_AFTER_SWITCH_SECONDS:
            fetched = await consumer.getmany(timeout_ms=200, max_records=batch)
            await writer.add([record for records in fetched.values() for record in records])
            if switched_at is None and await _caught_up(consumer):
                await writer.flush()
                await switch_projection(db, name)
                switched_at = time.perf_counter()
        await writer.flush()
    finally:
        await writer.close()
        await consumer.stop()
    return Rebuilt(name, writer.events, writer.skipped, time.perf_counter() - started)


class _Writer:
    """Decodes records and counts them in large batches, one batch at a time, while the next is read."""

    def __init__(self, projection: Projection, batch: int) -> None:
        self._projection = projection
        self._batch = batch
        self._pending: list[Delivered] = []
        self._writing: asyncio.Task[dict[int, str]] | None = None
        self.events = self.skipped = 0

    async def add(self, records: list[Any]) -> None:
        """Undecodable or invalid records are skipped here; the live consumer has dead-lettered them."""
        for record in records:
            try:
                event = decode(record.value)
            except InvalidEvent:
                self.skipped += 1
                continue
            self._pending.append(Delivered(event, Origin(record.topic, record.partition, record.offset)))
            self.events += 1
        if len(self._pending) >= self._batch:
            await self._start_write()

    async def flush(self) -> None:
        await self._start_write()
        await self._wait()

    async def close(self) -> None:
        if self._writing is not None and not self._writing.done():
            self._writing.cancel()

    async def _start_write(self) -> None:
        await self._wait()
        if self._pending:
            self._writing = asyncio.create_task(record_batch(self._projection, self._pending))
            self._pending = []

    async def _wait(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            rejected = await writing
            self.skipped += len(rejected)
            self.events -= len(rejected)


async def _caught_up(consumer: AIOKafkaConsumer) -> bool:
    partitions = list(consumer.assignment())
    if not partitions:
        return False
    ends = await consumer.end_offsets(partitions)
    for partition in partitions:
        if await consumer.position(partition) < ends[partition]:
            return False
    return True


async def main() -> int:
    settings = ReportingSettings()
    client = await mongo.connect(settings)
    try:
        rebuilt = await rebuild(settings, mongo.database(client, settings))
    finally:
        await client.close()
    print(
        f"rebuilt {rebuilt.events} events into {rebuilt.collection} in {rebuilt.seconds:.1f} s "
        f"({rebuilt.events / max(rebuilt.seconds, 1e-9):.0f} events/s); {rebuilt.skipped} skipped; switched over"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
