"""The dashboard's figures: per metric over all months, per month and per municipality. A distinct metric counts
each subject once over what a figure covers (the whole period, one month across the region, one municipality over
the period); the others add up their events. Pure apart from `read_figures`."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.reporting.facts import DISTINCT_METRICS, METRICS
from services.reporting.projection import Projection


@dataclass(frozen=True)
class Figures:
    totals: dict[str, int]
    months: list[str]  # every month counted, oldest first
    by_month: dict[str, dict[str, int]]  # metric -> month -> figure, across the region
    by_municipality: dict[str, dict[str, int]]  # municipality -> metric -> figure, over the whole period


@dataclass
class _Tally:
    events: int = 0
    subjects: set[str] = field(default_factory=set)

    def add(self, counter: dict[str, Any]) -> None:
        self.events += counter["total"]
        self.subjects.update(counter["subjects"])

    def figure(self, metric: str) -> int:
        return len(self.subjects) if metric in DISTINCT_METRICS else self.events


def figures(counters: Iterable[dict[str, Any]]) -> Figures:
    """From counter documents, each with its metric, municipality, month, total and subjects."""
    overall: dict[str, _Tally] = defaultdict(_Tally)
    monthly: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    local: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for counter in counters:
        metric = counter["metric"]
        overall[metric].add(counter)
        monthly[(metric, counter["month"])].add(counter)
        local[(counter["municipality"], metric)].add(counter)
    months = sorted({month for _, month in monthly})
    municipalities = sorted({municipality for municipality, _ in local})
    return Figures(
        totals={metric: overall[metric].figure(metric) for metric in METRICS},
        months=months,
        by_month={metric: {month: monthly[(metric, month)].figure(metric) for month in months} for metric in METRICS},
        by_municipality={
            municipality: {metric: local[(municipality, metric)].figure(metric) for metric in METRICS}
            for municipality in municipalities
        },
    )


async def read_figures(projection: Projection) -> Figures:
    return figures(await projection.counters.find({}, {"applied": 0}).to_list())
