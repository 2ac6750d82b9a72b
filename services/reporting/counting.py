"""Use cases: count each event's facts once, per municipality, month, metric and dimension, a batch at a time.

A counter document holds a total, the distinct subjects counted in it (households, volunteers, employers, schools)
and, per partition, the offset spans of the batches applied to it that the projection's progress does not hold
yet. A batch of events costs a bounded number of commands whatever its size: one insert into `seen`, one read and
one write of the counters it touches, one read and one write of the progress of its partitions.

Exact under redelivery, and whatever the order in which writers come:
- a record read again (the same partition and offset) lies in a span that its counters or the progress hold, and
  changes nothing; a crash between the writes of a batch leaves some counters with its span and some without, and
  the batch read again completes the others;
- an event published twice (the outbox relay sending again after a crash: the same id at a later offset) is known by
  `seen`, which keeps where each event id was first read;
- spans rather than a highest offset: a rebuild and the live consumer may both write a projection, each at its own
  place in the log, and neither hides the other's records.
"""

from dataclasses import dataclass, field
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from plumbing.events import InvalidEvent
from plumbing.kafka import Delivered, Origin
from services.reporting.facts import FACTS_OF
from services.reporting.projection import Projection
from services.reporting.spans import Span, covers, merge, outside

DUPLICATE_KEY = 11000
MAX_ROUNDS = 20  # a round is lost only to another writer of the same counter; 20 in a row means something is wrong


@dataclass
class _Additions:
    """What one batch adds to one counter."""

    identity: dict[str, str]
    records: list[tuple[str, int, int, str]] = field(default_factory=list)  # partition, offset, value, subject


class Conflict(Exception):
    """Other writers kept changing the same counters; the batch is handled again."""


def partition_of(origin: Origin) -> str:
    return f"{origin.topic}:{origin.partition}"


async def record_batch(projection: Projection, delivered: list[Delivered]) -> dict[int, str]:
    """Counts the facts of a poll's events; returns the events whose data does not fit the schema, by index, for
    the dead-letter topic."""
    rejected: dict[int, str] = {}
    counted: list[tuple[Delivered, list[Any]]] = []
    spans: dict[str, Span] = {}
    for index, item in enumerate(delivered):
        partition = partition_of(item.origin)
        low, high = spans.get(partition, (item.origin.offset, item.origin.offset))
        spans[partition] = (min(low, item.origin.offset), max(high, item.origin.offset))
        try:
            facts = FACTS_OF[item.event.type](item.event) if item.event.type in FACTS_OF else []
        except InvalidEvent as error:
            rejected[index] = f"InvalidEvent: {error}"
            continue
        if facts:
            counted.append((item, facts))
    first = await first_reads(projection.seen, [item for item, _ in counted])
    additions: dict[str, _Additions] = {}
    for position, (item, facts) in enumerate(counted):
        if position not in first:
            continue
        for fact in facts:
            month = fact.month or item.event.time.strftime("%Y-%m")
            key = f"{fact.metric}|{fact.municipality}|{month}|{fact.dimension}"
            identity = {
                "metric": fact.metric,
                "municipality": fact.municipality,
                "month": month,
                "dimension": fact.dimension,
            }
            record = (partition_of(item.origin), item.origin.offset, fact.value, fact.subject)
            additions.setdefault(key, _Additions(identity)).records.append(record)
    progress = await _progress(projection.progress, list(spans))
    await _apply(projection.counters, additions, spans, {key: _spans(document) for key, document in progress.items()})
    await _advance(projection.progress, spans, progress)
    return rejected


async def first_reads(seen: AsyncCollection[Any], items: list[Delivered]) -> set[int]:
    """The positions of the items whose event is read here for the first time, or again from the same place."""
    places: dict[str, tuple[str, int]] = {}
    for item in items:
        places.setdefault(item.event.id, (partition_of(item.origin), item.origin.offset))
    if places:
        documents = [{"_id": id_, "partition": at, "offset": offset} for id_, (at, offset) in places.items()]
        try:
            await seen.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            known = [documents[index]["_id"] for index in duplicates(error)]
            async for document in seen.find({"_id": {"$in": known}}):
                places[document["_id"]] = (document["partition"], document["offset"])
    return {
        position
        for position, item in enumerate(items)
        if places[item.event.id] == (partition_of(item.origin), item.origin.offset)
    }


async def _progress(progress: AsyncCollection[Any], partitions: list[str]) -> dict[str, dict[str, Any]]:
    return {document["_id"]: document async for document in progress.find({"_id": {"$in": partitions}})}


def _spans(document: dict[str, Any] | None) -> list[Span]:
    return [(first, last) for first, last in document["spans"]] if document else []


async def _apply(
    counters: AsyncCollection[Any],
    additions: dict[str, _Additions],
    spans: dict[str, Span],
    progress: dict[str, list[Span]],
) -> None:
    """Writes each touched counter once, guarded by its version; counters another writer changed meanwhile are
    read and written again."""
    pending = list(additions)
    for _ in range(MAX_ROUNDS):
        if not pending:
            return
        current = {
            document["_id"]: document
            async for document in counters.find({"_id": {"$in": pending}}, {"applied": 1, "version": 1})
        }
        operations: list[UpdateOne] = []
        written: list[str] = []
        for key in pending:
            operation = _update(key, additions[key], current.get(key), spans, progress)
            if operation is not None:
                operations.append(operation)
                written.append(key)
        pending = await _lost(counters, operations, written)
    if pending:
        raise Conflict(f"{len(pending)} counters kept changing under this batch")


async def _lost(collection: AsyncCollection[Any], operations: list[UpdateOne], keys: list[str]) -> list[str]:
    """Writes the guarded upserts; returns the keys of those another writer got to first (their version moved
    on, so the upsert met the existing document's key)."""
    if not operations:
        return []
    try:
        await collection.bulk_write(operations, ordered=False)
    except BulkWriteError as error:
        return [keys[index] for index in duplicates(error)]
    return []


def duplicates(error: BulkWriteError) -> list[int]:
    """The positions of the writes refused for a duplicate key; any other refusal is raised again."""
    problems = error.details["writeErrors"]
    if any(problem["code"] != DUPLICATE_KEY for problem in problems):
        raise error
    return [problem["index"] for problem in problems]


def _update(
    key: str,
    additions: _Additions,
    document: dict[str, Any] | None,
    spans: dict[str, Span],
    progress: dict[str, list[Span]],
) -> UpdateOne | None:
    applied: dict[str, list[Span]] = {
        entry["partition"]: [(first, last) for first, last in entry["spans"]]
        for entry in (document or {}).get("applied", [])
    }
    new = [
        (partition, value, subject)
        for partition, offset, value, subject in additions.records
        if not covers(applied.get(partition, []), offset) and not covers(progress.get(partition, []), offset)
    ]
    if not new:
        return None
    for partition in {partition for partition, _, _ in new}:
        applied[partition] = merge([*applied.get(partition, []), spans[partition]])
    kept = {partition: outside(own, progress.get(partition, [])) for partition, own in applied.items()}
    return UpdateOne(
        {"_id": key, "version": (document or {}).get("version", 0)},
        {
            "$inc": {"total": sum(value for _, value, _ in new), "version": 1},
            "$addToSet": {"subjects": {"$each": sorted({subject for _, _, subject in new})}},
            "$set": {
                **additions.identity,
                "applied": [{"partition": p, "spans": [list(s) for s in own]} for p, own in kept.items() if own],
            },
        },
        upsert=True,
    )


async def _advance(progress: AsyncCollection[Any], spans: dict[str, Span], read: dict[str, dict[str, Any]]) -> None:
    """Adds the batch's spans to the progress of its partitions, now that every counter holds them; starts from
    the progress read before the counters were written, and reads again only what another writer changed."""
    pending = dict(spans)
    current = read
    for _ in range(MAX_ROUNDS):
        if not pending:
            return
        operations: list[UpdateOne] = []
        written: list[str] = []
        for partition, span in pending.items():
            document = current.get(partition)
            held = _spans(document)
            merged = merge([*held, span])
            if merged != held:
                operations.append(
                    UpdateOne(
                        {"_id": partition, "version": document["version"] if document else 0},
                        {"$set": {"spans": [list(s) for s in merged]}, "$inc": {"version": 1}},
                        upsert=True,
                    )
                )
                written.append(partition)
        pending = {partition: spans[partition] for partition in await _lost(progress, operations, written)}
        if pending:
            current = await _progress(progress, list(pending))
    if pending:
        raise Conflict("the progress of these partitions kept changing")
