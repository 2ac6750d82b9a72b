"""Reading the counters: totals and distinct subjects per municipality, month and metric; distinct subjects over a
period; totals per dimension. A counter document per municipality, month, metric and dimension is read whole."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from services.reporting.projection import Projection


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
    projection: Projection,
    municipality: str | None = None,
    start: str | None = None,
    end: str | None = None,
    metric: str | None = None,
) -> list[Counter]:
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    distinct: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    query = selection(municipality, start, end, metric)
    async for document in projection.counters.find(query, {"applied": 0}):
        key = (document["municipality"], document["month"], document["metric"])
        totals[key] += document["total"]
        distinct[key].update(document["subjects"])
    result = [Counter(*key, total, len(distinct[key])) for key, total in totals.items()]
    return sorted(result, key=lambda counter: (counter.month, counter.municipality, counter.metric))


async def subjects(
    projection: Projection,
    metric: str,
    start: str,
    end: str,
    dimension: str | None = None,
    excluding_dimensions: list[str] | None = None,
) -> set[str]:
    """The distinct subjects of a metric over a period, across the region (a household reached twice is one)."""
    found = await subjects_per_dimension(projection, metric, start, end, dimension, excluding_dimensions)
    return set().union(*found.values())


async def subjects_per_dimension(
    projection: Projection,
    metric: str,
    start: str,
    end: str,
    dimension: str | None = None,
    excluding_dimensions: list[str] | None = None,
) -> dict[str, set[str]]:
    """The distinct subjects of a metric over a period per dimension (a volunteer screened for two roles is in both)."""
    query = selection(None, start, end, metric)
    if dimension:
        query["dimension"] = dimension
    elif excluding_dimensions:
        query["dimension"] = {"$nin": excluding_dimensions}
    found: dict[str, set[str]] = defaultdict(set)
    async for document in projection.counters.find(query, {"subjects": 1, "dimension": 1}):
        found[document["dimension"]].update(document["subjects"])
    return dict(found)


async def breakdown(
    projection: Projection,
    metric: str,
    municipality: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> dict[str, int]:
    """Totals of one metric per dimension (creditor type, outcome, offer, result, role)."""
    totals: dict[str, int] = defaultdict(int)
    async for document in projection.counters.find(selection(municipality, start, end, metric), {"subjects": 0}):
        totals[document["dimension"] or "—"] += document["total"]
    return dict(sorted(totals.items()))
