"""Programme targets and the progress towards them. Pure arithmetic apart from `progress`."""

from dataclasses import dataclass
from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from services.reporting.projection import Projection
from services.reporting.readings import subjects


class Target(BaseModel):
    """A programme target over a period. `reach`: at least `target` distinct subjects (households, volunteers,
    members). `reduction`: at most `reduction_percent` percent fewer than the yearly baseline, over the period."""

    id: str
    label: str
    kind: Literal["reach", "reduction"] = "reach"
    metric: str = Field(description="Distinct subjects of this metric over the period count towards the target.")
    dimension: str | None = Field(default=None, description="Only facts with this dimension, e.g. an offer id.")
    excluding_metric: str | None = Field(
        default=None, description="Subjects of this metric are taken off again, e.g. member organisations that left."
    )
    excluding_dimensions: list[str] = Field(
        default_factory=list, description="Subjects with these dimensions do not count, e.g. schools among members."
    )
    baseline: int = Field(
        default=0, ge=0, description="Kind `reach`: how many there were when the period started (the 30 members)."
    )
    target: int | None = Field(default=None, gt=0, description="The number to reach (kind `reach`).")
    baseline_per_year: int | None = Field(
        default=None, ge=0, description="Kind `reduction`: the yearly figure before the programme; empty if unknown."
    )
    reduction_percent: int = Field(default=50, gt=0, le=100)
    start: date
    end: date

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.kind == "reach" and self.target is None:
            raise ValueError(f"target: required for a reach target ({self.id})")
        if self.end <= self.start:
            raise ValueError(f"end: must come after start ({self.id})")
        return self

    @property
    def goal(self) -> int | None:
        """The number to reach, or for a reduction the most there may be over the period; None without baseline."""
        if self.kind == "reach":
            return self.target
        if self.baseline_per_year is None:
            return None
        years = ((self.end - self.start).days + 1) / 365.25
        return round(self.baseline_per_year * years * (100 - self.reduction_percent) / 100)


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
    Target(
        id="members",
        label="Lidorganisaties van de coöperatie",
        metric="members_joined",
        excluding_metric="members_left",
        excluding_dimensions=["school"],  # schools ask for guest lessons; the 30 -> 50 are members of the cooperative
        baseline=30,
        target=50,
        start=PROGRAMME_START,
        end=PROGRAMME_END,
    ),
    Target(
        id="evictions",
        label="Huisuitzettingen gehalveerd",
        kind="reduction",
        metric="evictions_executed",
        reduction_percent=50,
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
        goal = self.target.goal
        if self.projected is None or goal is None:
            return None
        return self.projected >= goal if self.target.kind == "reach" else self.projected <= goal


def project(value: int, start: date, end: date, today: date) -> int | None:
    """The value at the end of the period if the pace so far holds; None before the period starts."""
    if today <= start:
        return None
    elapsed = (min(today, end) - start).days
    return round(value * (end - start).days / elapsed) if elapsed > 0 else None


async def progress(projection: Projection, targets: list[Target], today: date | None = None) -> list[Progress]:
    today = today or date.today()
    measured = []
    for target in targets:
        start, end = target.start.strftime("%Y-%m"), target.end.strftime("%Y-%m")
        excluded = target.excluding_dimensions
        counted = await subjects(projection, target.metric, start, end, target.dimension, excluded)
        if target.excluding_metric:
            counted -= await subjects(projection, target.excluding_metric, start, end, excluding_dimensions=excluded)
        grown = len(counted)  # only what changed in the period goes at the pace so far; the baseline was there
        value = target.baseline + grown
        goal = target.goal
        percent = round(100 * value / goal, 1) if goal else 0.0
        projected = project(grown, target.start, target.end, today)
        measured.append(Progress(target, value, percent, None if projected is None else target.baseline + projected))
    return measured
