"""Use cases: store each event's facts once, and count them per municipality, month and metric.

A fact's id is the event id plus its metric and municipality, so a redelivered event, or the same event handled by
another replica, is stored once: totals are exact and distinct counts are exact, not estimated.
"""

import time
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from plumbing.events import CloudEvent, InvalidEvent
from services.reporting.facts import FACTS_OF

DUPLICATE_KEY = 11000


PROJECTION = "projection"
Facts = AsyncCollection[Any]


async def active_facts(db: AsyncDatabase[Any]) -> Facts:
    """The collection the counters are read from and written to; a rebuild switches it when it has caught up."""
    pointer = await db.meta.find_one({"_id": PROJECTION})
    return db[pointer["collection"] if pointer else "facts"]


class ProjectionCache:
    """The live consumer's view of the active projection, read again at most every `seconds`, so that counting an
    event costs no extra read. A rebuild reads on longer than that after switching, so nothing is missed."""

    def __init__(self, db: AsyncDatabase[Any], seconds: float = 1.0) -> None:
        self._db = db
        self._seconds = seconds
        self._facts: Facts | None = None
        self._read_at = 0.0

    async def facts(self) -> Facts:
        if self._facts is None or time.monotonic() - self._read_at > self._seconds:
            self._facts, self._read_at = await active_facts(self._db), time.monotonic()
        return self._facts


async def switch_projection(db: AsyncDatabase[Any], collection: str) -> None:
    await db.meta.update_one({"_id": PROJECTION}, {"$set": {"collection": collection}}, upsert=True)


async def ensure_indexes(facts: Facts) -> None:
    await facts.create_index([("municipality", 1), ("month", 1), ("metric", 1)])


def fact_documents(event: CloudEvent) -> list[dict[str, Any]]:
    """The facts an event adds, as documents keyed by event id, metric and municipality (a member organisation
    counts in every municipality it works in)."""
    return [
        {
            "_id": f"{event.id}:{fact.metric}:{fact.municipality}",
            "event_id": event.id,
            "event_type": event.type,
            "metric": fact.metric,
            "municipality": fact.municipality,
            "month": event.time.strftime("%Y-%m"),
            "subject": fact.subject,
            "dimension": fact.dimension,
            "value": fact.value,
        }
        for fact in FACTS_OF[event.type](event)
    ]


async def store(facts: Facts, documents: list[dict[str, Any]]) -> int:
    """Inserts fact documents, ignoring those stored before; returns how many were new."""
    if not documents:
        return 0
    try:
        result = await facts.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        problems = error.details["writeErrors"]
        if any(problem["code"] != DUPLICATE_KEY for problem in problems):
            raise
        return len(documents) - len(problems)  # not nInserted: the local server counts the duplicates in it
    return len(result.inserted_ids)


async def record_batch(facts: Facts, events: list[CloudEvent]) -> dict[int, str]:
    """Stores the facts of a poll's events with one insert; returns the events whose data does not fit the schema,
    by index, for the dead-letter topic."""
    documents: list[dict[str, Any]] = []
    rejected: dict[int, str] = {}
    for index, event in enumerate(events):
        try:
            documents.extend(fact_documents(event))
        except InvalidEvent as error:
            rejected[index] = f"InvalidEvent: {error}"
    await store(facts, documents)
    return rejected


async def record_facts(facts: Facts, event: CloudEvent) -> int:
    """Stores the event's facts; returns how many were new (0 for a redelivered event)."""
    return await store(facts, fact_documents(event))


@dataclass(frozen=True)
class Counter:
    municipality: str
    month: str
    metric: str
    total: int
    distinct: int


def selection(
    municipality: str | None = None, start: str | None = None, end: str | None = None, metric: str | None = None
) -> dict[str, Any]:
    match: dict[str, Any] = {}
    if municipality:
        match["municipality"] = municipality
    if start or end:
        match["month"] = {key: value for key, value in (("$gte", start), ("$lte", end)) if value}
    if metric:
        match["metric"] = metric
    return match


async def counters(
    facts: Facts,
    municipality: str | None = None,
    start: str | None = None,
    end: str | None = None,
    metric: str | None = None,
) -> list[Counter]:
    # Distinct subjects are folded here rather than in a second $group stage: FerretDB 1.24, the earlier local
    # server, computed only the first accumulator of a $group that follows another, and this costs no more.
    pipeline: list[dict[str, Any]] = [
        {"$match": selection(municipality, start, end, metric)},
        {
            "$group": {
                "_id": {"municipality": "$municipality", "month": "$month", "metric": "$metric", "subject": "$subject"},
                "total": {"$sum": "$value"},
            }
        },
    ]
    totals: dict[tuple[str, str, str], list[int]] = {}
    async for row in await facts.aggregate(pipeline):
        key = (row["_id"]["municipality"], row["_id"]["month"], row["_id"]["metric"])
        total_and_distinct = totals.setdefault(key, [0, 0])
        total_and_distinct[0] += row["total"]
        total_and_distinct[1] += 1
    result = [
        Counter(municipality, month, metric, total, distinct)
        for (municipality, month, metric), (total, distinct) in totals.items()
    ]
    return sorted(result, key=lambda counter: (counter.month, counter.municipality, counter.metric))


async def subjects(facts: Facts, metric: str, start: str, end: str, dimension: str | None = None) -> set[str]:
    """The distinct subjects of a metric over a period, across the region (a household reached twice is one)."""
    match = selection(None, start, end, metric)
    if dimension:
        match["dimension"] = dimension
    rows = await (await facts.aggregate([{"$match": match}, {"$group": {"_id": "$subject"}}])).to_list()
    return {row["_id"] for row in rows}


async def breakdown(
    facts: Facts,
    metric: str,
    municipality: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> dict[str, int]:
    """Totals of one metric per dimension (creditor type, outcome, offer, result, role)."""
    pipeline = [
        {"$match": selection(municipality, start, end, metric)},
        {"$group": {"_id": "$dimension", "total": {"$sum": "$value"}}},
    ]
    rows = await (await facts.aggregate(pipeline)).to_list()
    return dict(sorted((row["_id"] or "—", row["total"]) for row in rows))
