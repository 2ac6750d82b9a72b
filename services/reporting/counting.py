"""Use cases: turn each event into one fact, and count facts per municipality, month and metric.

A fact's id is the event id, so a redelivered event, or the same event handled by another replica, is stored
once: counts are exact and distinct households are counted exactly, not estimated.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.events import CloudEvent
from services.reporting.subscriptions import (
    HOUSEHOLD_MATCHED,
    SIGNAL_RAISED,
    VOLUNTEER_ASSIGNED,
    HouseholdMatched,
    SignalRaised,
    VolunteerAssigned,
)

METRICS = {
    "signals_raised": "Signalen ontvangen",
    "households_matched": "Huishoudens gekoppeld aan hulpaanbod",
    "volunteers_assigned": "Vrijwilligers gekoppeld",
}


@dataclass(frozen=True)
class Fact:
    metric: str
    municipality: str
    household_ref: str
    dimension: str


def _signal(event: CloudEvent) -> Fact:
    data = event.data_as(SignalRaised)
    return Fact("signals_raised", data.municipality, data.household_ref, data.creditor_type)


def _matched(event: CloudEvent) -> Fact:
    data = event.data_as(HouseholdMatched)
    return Fact("households_matched", data.municipality, data.household_ref, data.offer_id)


def _assigned(event: CloudEvent) -> Fact:
    data = event.data_as(VolunteerAssigned)
    return Fact("volunteers_assigned", data.municipality, data.household_ref, data.role)


FACT_OF: dict[str, Callable[[CloudEvent], Fact]] = {
    SIGNAL_RAISED: _signal,
    HOUSEHOLD_MATCHED: _matched,
    VOLUNTEER_ASSIGNED: _assigned,
}


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.facts.create_index([("municipality", 1), ("month", 1), ("metric", 1)])


async def record_fact(db: AsyncDatabase[Any], event: CloudEvent) -> bool:
    """Stores the event's fact; False when it was stored before."""
    fact = FACT_OF[event.type](event)
    try:
        await db.facts.insert_one(
            {
                "_id": event.id,
                "metric": fact.metric,
                "municipality": fact.municipality,
                "month": event.time.strftime("%Y-%m"),
                "household_ref": fact.household_ref,
                "dimension": fact.dimension,
                "event_type": event.type,
            }
        )
    except DuplicateKeyError:
        return False
    return True


@dataclass(frozen=True)
class Counter:
    municipality: str
    month: str
    metric: str
    events: int
    households: int


async def counters(db: AsyncDatabase[Any], municipality: str | None = None, month: str | None = None) -> list[Counter]:
    match: dict[str, Any] = {}
    if municipality:
        match["municipality"] = municipality
    if month:
        match["month"] = month
    # One accumulator only: FerretDB 1.24 computes only the first of several accumulators in a $group that
    # follows another $group, so the distinct households are folded here instead of in a second stage.
    pipeline: list[dict[str, Any]] = [
        {"$match": match},
        {
            "$group": {
                "_id": {
                    "municipality": "$municipality",
                    "month": "$month",
                    "metric": "$metric",
                    "household": "$household_ref",
                },
                "events": {"$sum": 1},
            }
        },
    ]
    totals: dict[tuple[str, str, str], list[int]] = {}
    async for row in await db.facts.aggregate(pipeline):
        key = (row["_id"]["municipality"], row["_id"]["month"], row["_id"]["metric"])
        events_and_households = totals.setdefault(key, [0, 0])
        events_and_households[0] += row["events"]
        events_and_households[1] += 1
    result = [
        Counter(municipality, month, metric, events, households)
        for (municipality, month, metric), (events, households) in totals.items()
    ]
    return sorted(result, key=lambda counter: (counter.month, counter.municipality, counter.metric))
