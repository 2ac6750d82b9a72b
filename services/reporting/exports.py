"""Use case: the counters as CSV, for inside the region (every count) or outside it (small counts hidden), audited
whoever downloads them, by page or API."""

import csv
import io
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from plumbing.reference import Municipality
from plumbing.unit_of_work import UnitOfWork
from services.reporting.facts import METRICS
from services.reporting.projection import active_projection
from services.reporting.readings import counters

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Metric = Annotated[str, Field(pattern="^(" + "|".join(METRICS) + ")$")]
HEADER = ["municipality", "month", "metric", "total", "distinct"]


class CounterExport(BaseModel):
    """Which counters to export, and for whom."""

    model_config = ConfigDict(extra="forbid")

    municipality: Municipality | None = None
    start: Month | None = None
    end: Month | None = None
    metric: Metric | None = None
    audience: Literal["internal", "external"] = "external"

    @model_validator(mode="after")
    def _end_not_before_start(self) -> "CounterExport":
        if self.start and self.end and self.end < self.start:
            raise ValueError("end: lies before start")
        return self


def suppressed(value: int, below: int, audience: str) -> str:
    """Small numbers could point at a household: outside the region they show as `<5`."""
    return f"<{below}" if audience == "external" and 0 < value < below else str(value)


async def counters_csv(work: UnitOfWork, suppress_below: int, asked: CounterExport) -> str:
    """The counters asked for as CSV text, one row per municipality, month and metric."""
    work.audit("export.downloaded", f"export:counters:{asked.audience}:{asked.municipality or 'regio'}")
    rows = await counters(await active_projection(work.db), asked.municipality, asked.start, asked.end, asked.metric)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in rows:
        counts = (suppressed(value, suppress_below, asked.audience) for value in (row.total, row.distinct))
        writer.writerow([row.municipality, row.month, row.metric, *counts])
    return buffer.getvalue()


def file_name(asked: CounterExport) -> str:
    return f"redzaam-{asked.audience}.csv"
