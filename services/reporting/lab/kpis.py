"""A project's KPIs, measured from the platform's own counters, never typed in.

A KPI names a counter (metric, and optionally a municipality and a dimension such as an offer or a creditor type),
a monthly baseline from before the project and a monthly target: at least the target (`reach`) or at most it
(`reduction`). Its figure for a month is what the dashboard shows for that metric in that month: distinct subjects
for a distinct metric, events otherwise.
"""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from plumbing.reference import Municipality
from services.reporting.facts import DISTINCT_METRICS, METRICS
from services.reporting.projection import Projection
from services.reporting.readings import selection

Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class Kpi(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    metric: str = Field(description="A counter of the reporting service, e.g. evictions_executed.")
    municipality: Municipality | None = Field(default=None, description="Empty for the whole region.")
    dimension: str = Field(default="", max_length=100, description="Only this dimension, e.g. an offer id.")
    kind: Literal["reach", "reduction"] = "reach"
    baseline: int = Field(ge=0, le=10**9, description="The monthly figure before the project.")
    target: int = Field(ge=0, le=10**9, description="The monthly figure to reach (reach) or not to exceed (reduction).")
    start: Month = Field(description="The first month measured, YYYY-MM.")

    @model_validator(mode="after")
    def _known_metric(self) -> Self:
        if self.metric not in METRICS:
            raise ValueError(f"metric: {self.metric} is not a counter; use one of {', '.join(METRICS)}")
        return self


@dataclass(frozen=True)
class Measured:
    kpi: Kpi
    months: list[str]
    values: dict[str, int]

    @property
    def latest(self) -> int | None:
        return self.values[self.months[-1]] if self.months else None

    @property
    def met(self) -> bool | None:
        """Whether the latest month meets the target; None before anything was measured."""
        if self.latest is None:
            return None
        return self.latest >= self.kpi.target if self.kpi.kind == "reach" else self.latest <= self.kpi.target


def months_between(start: str, today: date) -> list[str]:
    year, month = int(start[:4]), int(start[5:])
    months = []
    while (year, month) <= (today.year, today.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


async def measure(projection: Projection, kpis: list[Kpi], today: date | None = None) -> list[Measured]:
    """Every KPI's monthly figures from its start month to this month; one counter query per KPI."""
    today = today or date.today()
    measured = []
    for kpi in kpis:
        months = months_between(kpi.start, today)
        query = selection(kpi.municipality, kpi.start, months[-1] if months else kpi.start, kpi.metric)
        if kpi.dimension:
            query["dimension"] = kpi.dimension
        totals = dict.fromkeys(months, 0)
        subjects: dict[str, set[str]] = {month: set() for month in months}
        async for counter in projection.counters.find(query, {"applied": 0}):
            if counter["month"] in totals:
                totals[counter["month"]] += counter["total"]
                subjects[counter["month"]].update(counter["subjects"])
        distinct = kpi.metric in DISTINCT_METRICS
        values = {month: len(subjects[month]) if distinct else totals[month] for month in months}
        measured.append(Measured(kpi, months, values))
    return measured
