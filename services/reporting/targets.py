"""Programme targets and the progress towards them. Pure arithmetic apart from `progress`."""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field

from services.reporting.counting import Facts, distinct_subjects


class Target(BaseModel):
    id: str
    label: str
    metric: str = Field(description="Distinct subjects of this metric over the period count towards the target.")
    dimension: str | None = Field(default=None, description="Only facts with this dimension, e.g. an offer id.")
    target: int = Field(gt=0)
    start: date
    end: date


PROGRAMME_START, PROGRAMME_END = date(2026, 1, 1), date(2028, 12, 31)
DEFAULT_TARGETS = [
    Target(
        id="people_reached",
        label="Mensen met schulden bereikt",
        metric="households_reached",
        target=25_000,
        start=PROGRAMME_START,
        end=PROGRAMME_END,
    ),
    Target(
        id="volunteers",
        label="Actieve vrijwilligers",
        metric="volunteers_active",
        target=250,
        start=PROGRAMME_START,
        end=PROGRAMME_END,
    ),
    Target(
        id="employers",
        label="Werkgevers betrokken (werkgeversloket)",
        metric="employers_engaged",
        target=200,
        start=PROGRAMME_START,
        end=PROGRAMME_END,
    ),
    Target(
        id="doorbraak",
        label="Huishoudens in de Doorbraakmethode",
        metric="referrals_accepted",
        dimension="doorbraakmethode",
        target=375,
        start=PROGRAMME_START,
        end=PROGRAMME_END,
    ),
]


@dataclass(frozen=True)
class Progress:
    target: Target
    value: int
    percent: float
    projected: int | None = None

    @property
    def on_track(self) -> bool | None:
        return None if self.projected is None else self.projected >= self.target.target


def project(value: int, start: date, end: date, today: date) -> int | None:
    """The value at the end of the period if the pace so far holds; None before the period starts."""
    if today <= start:
        return None
    elapsed = (min(today, end) - start).days
    return round(value * (end - start).days / elapsed) if elapsed > 0 else None


async def progress(facts: Facts, targets: list[Target], today: date | None = None) -> list[Progress]:
    today = today or date.today()
    measured = []
    for target in targets:
        value = await distinct_subjects(
            facts, target.metric, target.start.strftime("%Y-%m"), target.end.strftime("%Y-%m"), target.dimension
        )
        measured.append(
            Progress(
                target, value, round(100 * value / target.target, 1), project(value, target.start, target.end, today)
            )
        )
    return measured
