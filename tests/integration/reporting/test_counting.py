"""Counting a batch at a time on the real MongoDB server: a bounded number of commands per batch, and every event
counted exactly once however batches are read again, cut differently, interrupted, or written by two writers."""

import asyncio
import uuid
from collections import Counter as Tally
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from plumbing.events import CloudEvent
from plumbing.kafka import Delivered, Origin
from services.reporting import counting
from services.reporting.counting import record_batch
from services.reporting.projection import Projection, projection_named
from services.reporting.readings import counters, subjects
from services.reporting.subscriptions import SIGNAL_RAISED
from tests.conftest import Servers
from tests.integration.commands import CommandCounter

pytestmark = pytest.mark.integration
MUNICIPALITIES = ["GM0141", "GM0150", "GM0163"]


def raised(number: int) -> CloudEvent:
    household = f"hh-{number % 37}"
    return CloudEvent(
        id=str(uuid.uuid4()),
        source="/tests",
        type=SIGNAL_RAISED,
        subject=household,
        time=datetime(2026, 11 + number % 2, 5, tzinfo=UTC),
        data={
            "household_ref": household,
            "municipality": MUNICIPALITIES[number % 3],
            "creditor_type": ("rent", "energy")[number % 2],
        },
    )


def log(count: int, partition: int = 0, topic: str = "t.signals.events") -> list[Delivered]:
    """`count` events as they lie in one partition, at offsets 0, 1, ..."""
    return [Delivered(raised(n), Origin(topic, partition, n)) for n in range(count)]


def expected(items: list[Delivered]) -> dict[tuple[str, str], tuple[int, int]]:
    """(municipality, month) -> (total, distinct households), counted by hand from the distinct events."""
    events = {item.event.id: item.event for item in items}
    totals: Tally[tuple[str, str]] = Tally()
    households: dict[tuple[str, str], set[str]] = {}
    for event in events.values():
        key = (event.data["municipality"], event.time.strftime("%Y-%m"))
        totals[key] += 1
        households.setdefault(key, set()).add(event.data["household_ref"])
    return {key: (totals[key], len(households[key])) for key in totals}


async def counted(projection: Projection) -> dict[tuple[str, str], tuple[int, int]]:
    return {(row.municipality, row.month): (row.total, row.distinct) for row in await counters(projection)}


async def test_a_batch_costs_the_same_few_commands_whatever_its_size(servers: Servers, namespace: str) -> None:
    listener = CommandCounter()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri, event_listeners=[listener])
    try:
        costs = []
        for size in (10, 1000):
            projection = projection_named(client[namespace], f"counters{size}")
            listener.commands.clear()
            await record_batch(projection, log(size))
            costs.append(sum(listener.commands.values()))
        assert costs[0] == costs[1] <= 5, listener.commands
    finally:
        await client.drop_database(namespace)
        await client.close()


async def test_a_batch_read_again_cut_differently_counts_nothing_twice(mongo: Any) -> None:
    projection = projection_named(mongo, "counters")
    items = log(300)
    await record_batch(projection, items[:200])
    await record_batch(projection, items[100:250])  # the consumer died before committing, and polled again
    await record_batch(projection, items[250:])
    await record_batch(projection, items[:300])
    assert await counted(projection) == expected(items)


async def test_a_crash_between_the_writes_of_a_batch_is_completed_when_it_is_read_again(mongo: Any) -> None:
    projection = projection_named(mongo, "counters")
    items = log(120)
    await record_batch(projection, items[:60])
    # the next batch's counters written in part, and the process gone before the rest and the progress
    crashed = items[60:]
    per_counter: dict[str, counting._Additions] = {}
    for item in crashed:
        event, month = item.event, item.event.time.strftime("%Y-%m")
        key = f"signals_raised|{event.data['municipality']}|{month}|{event.data['creditor_type']}"
        identity = {"metric": "signals_raised", "municipality": event.data["municipality"], "month": month}
        identity["dimension"] = event.data["creditor_type"]
        record = ("t.signals.events:0", item.origin.offset, 1, event.data["household_ref"])
        per_counter.setdefault(key, counting._Additions(identity)).records.append(record)
    half = dict(list(per_counter.items())[: len(per_counter) // 2])
    await counting.first_reads(projection.seen, crashed)
    await counting._apply(projection.counters, half, {"t.signals.events:0": (60, 119)}, {})
    assert await counted(projection) != expected(items)

    await record_batch(projection, crashed)
    assert await counted(projection) == expected(items)


async def test_an_event_published_twice_counts_once(mongo: Any) -> None:
    projection = projection_named(mongo, "counters")
    items = log(50)
    again = [Delivered(item.event, Origin(item.origin.topic, 0, 50 + n)) for n, item in enumerate(items[:10])]
    await record_batch(projection, items[:30])
    await record_batch(projection, items[30:] + again[:5])  # the relay sent five again, in the same poll
    await record_batch(projection, again[5:])  # and five more, later
    await record_batch(projection, items[30:] + again[:5])  # that poll read again
    assert await counted(projection) == expected(items)


async def test_two_writers_at_different_places_in_the_log_count_each_record_once(mongo: Any) -> None:
    """As a rebuild writing from the start while the live consumer writes the end of the log."""
    projection = projection_named(mongo, "counters")
    first, second = log(1000, partition=0), log(400, partition=1)
    await record_batch(projection, first[700:800] + second[300:])  # the live consumer, ahead
    for start in range(0, 1000, 250):  # the rebuild, from the first offset
        await record_batch(projection, first[start : start + 250] + second[start : start + 250])
    await record_batch(projection, first[800:])
    assert await counted(projection) == expected(first + second)
    progress = {document["_id"]: document["spans"] async for document in projection.progress.find()}
    assert progress == {"t.signals.events:0": [[0, 999]], "t.signals.events:1": [[0, 399]]}


async def test_concurrent_batches_of_two_partitions_on_the_same_counters_both_count(mongo: Any) -> None:
    projection = projection_named(mongo, "counters")
    partitions = [log(200, partition=p) for p in range(4)]
    await asyncio.gather(*(record_batch(projection, items) for items in partitions))
    everything = [item for items in partitions for item in items]
    assert await counted(projection) == expected(everything)
    households = await subjects(projection, "signals_raised", "2026-11", "2026-12")
    assert households == {item.event.data["household_ref"] for item in everything}


async def test_an_eviction_counts_in_the_month_it_happened_not_the_month_it_was_reported(mongo: Any) -> None:
    projection = projection_named(mongo, "counters")
    reported = CloudEvent(
        id=str(uuid.uuid4()),
        source="/tests",
        type="nl.redzaam.eviction.reported",
        subject="hh-1",
        time=datetime(2026, 12, 3, tzinfo=UTC),
        data={"household_ref": "hh-1", "municipality": "GM0141", "outcome": "executed", "on": "2026-11-27"},
    )
    await record_batch(projection, [Delivered(reported, Origin("t.signals.events", 0, 0))])
    rows = await counters(projection, metric="evictions_executed")
    assert [(row.month, row.total) for row in rows] == [("2026-11", 1)]
