"""Rebuilds every counter from the start of the Kafka log into a fresh projection, then switches to it.

    python -m services.reporting.rebuild

Reads the three event topics from their first offsets without a consumer group (the live consumer keeps running),
stores the facts in a new collection, and switches the projection once it has caught up with the end of every
partition. It then reads on for a moment, so that events the live consumer stored in the old projection just before
the switch land in the new one too; facts are keyed by event id, so nothing counts twice.
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
from services.reporting.counting import Facts, ensure_indexes, fact_documents, store, switch_projection
from services.reporting.facts import FACTS_OF
from services.reporting.settings import ReportingSettings
from services.reporting.subscriptions import REFERRALS_TOPIC, SIGNALS_TOPIC, VOLUNTEERS_TOPIC

CATCH_UP_AFTER_SWITCH_SECONDS = 2.0  # longer than ProjectionCache takes to notice the switch
WRITE_BATCH = 20_000  # fact documents per write


@dataclass(frozen=True)
class Rebuilt:
    collection: str
    events: int
    skipped: int
    seconds: float


async def rebuild(settings: ReportingSettings, db: AsyncDatabase[Any], batch: int = WRITE_BATCH) -> Rebuilt:
    started = time.perf_counter()
    name = f"facts_{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
    facts = db[name]
    await ensure_indexes(facts)
    topics = [settings.topic(topic) for topic in (SIGNALS_TOPIC, REFERRALS_TOPIC, VOLUNTEERS_TOPIC)]
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
    writer = _Writer(facts, batch)
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
    """Turns records into fact documents and writes them in large batches, one write at a time, while the next
    batch is read: each write is one database transaction, so fewer, larger writes are much faster."""

    def __init__(self, facts: Facts, batch: int) -> None:
        self._facts = facts
        self._batch = batch
        self._documents: list[dict[str, Any]] = []
        self._writing: asyncio.Task[int] | None = None
        self.events = self.skipped = 0

    async def add(self, records: list[Any]) -> None:
        """Undecodable or invalid records are skipped here; the live consumer has dead-lettered them."""
        for record in records:
            try:
                event = decode(record.value)
            except InvalidEvent:
                self.skipped += 1
                continue
            if event.type in FACTS_OF:
                self._documents.extend(fact_documents(event))
                self.events += 1
        if len(self._documents) >= self._batch:
            await self._start_write()

    async def flush(self) -> None:
        await self._start_write()
        await self._wait()

    async def close(self) -> None:
        if self._writing is not None and not self._writing.done():
            self._writing.cancel()

    async def _start_write(self) -> None:
        await self._wait()
        if self._documents:
            self._writing = asyncio.create_task(store(self._facts, self._documents))
            self._documents = []

    async def _wait(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            await writing


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
