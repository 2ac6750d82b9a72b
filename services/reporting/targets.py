"""Programme targets and the progress towards them. Pure arithmetic apart from `progress`.

What a target counts (its metric and filters) is defined here, per programme of the seed plans; its numbers (period,
baseline, kind, the figure to reach) are the programme lead's, kept in the database (see `target_store`)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from services.reporting.projection import Projection
from services.reporting.readings import subjects, subjects_per_dimension


class Target(BaseModel):
    """A programme target over a period. `reach`: at least `target` distinct subjects (households, volunteers,
    members). `reduction`: at most `reduction_percent` percent fewer than the yearly baseline, over the period."""

    id: str
    label: str
    counts: str = Field(default="", description="What the target counts, in Dutch, as the dashboard explains it.")
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
    share_metric: str | None = Field(
        default=None, description="Shown beside the figure: the share of its subjects that this metric counted too."
    )
    share_label: str = Field(default="", description="What the share means, e.g. 'gekoppeld aan hulp'.")
    per_dimension: dict[str, str] = Field(
        default_factory=dict, description="Shown beside the figure: its subjects per dimension, with these labels."
    )

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
        counts="Huishoudens die de outreach na een signaal van een partner bereikte (contact gelukt, of afgesloten "
        "als bereikt), en wie zelf hulp vroeg via Hulp vragen (direct), elk één keer; wie op beide manieren "
        "bereikt werd, staat bij allebei.",
        metric="households_reached",  # by outreach (a contact that reached them) or directly through a portal
        per_dimension={"partners": "via partners", "direct": "direct via het portaal"},
        target=25_000,
        share_metric="households_matched",
        share_label="gekoppeld aan hulp van partners",
        start=PROGRAMME_START,
        end=PROGRAMME_END,
    ),
    Target(
        id="volunteers",
        label="Actieve vrijwilligers",
        counts="Vrijwilligers in het register met VOG en training (actief), min wie stopte; bij de start waren er 100.",
        metric="volunteers_registered",  # screened (VOG, training) in the registry, until they stop
        excluding_metric="volunteers_left",
        baseline=100,
        target=250,
        share_metric="volunteers_via_employers",
        share_label="geworven via werkgevers",
        per_dimension={"budget_coach": "budgetcoach", "guest_teacher": "gastdocent", "debt_buddy": "schuldhulpmaatje"},
        start=PROGRAMME_START,
        end=PROGRAMME_END,
    ),
    Target(
        id="employers",
        label="Werkgevers met het werkgeversloket",
        counts="Werkgevers via wier werkgeversloket hulp werd gevraagd: door hun HR-contactpersoon voor een werknemer, "
        "of door de werknemer zelf met de code van de werkgever; elke werkgever één keer. Werkgevers die "
        "vrijwilligers werven tellen apart.",
        metric="employers_desk",  # distinct employers in help requests through the desk (nl.redzaam.help.requested)
        target=200,
        start=PROGRAMME_START,
        end=PROGRAMME_END,
    ),
    Target(
        id="doorbraak",
        label="Huishoudens in de Doorbraakmethode",
        counts="Huishoudens die een plek in het Doorbraak-cohort kregen, ook als ze er later uitstroomden.",
        metric="doorbraak_enrolled",
        target=375,
        start=PROGRAMME_START,
        end=PROGRAMME_END,
    ),
    Target(
        id="members",
        label="Lidorganisaties van de coöperatie",
        counts="Lidorganisaties (geen scholen) die aansloten, min wie vertrok; bij de start waren er 30.",
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
        counts="Uitgevoerde huisuitzettingen in de maand waarin ze plaatsvonden, tegen de nulmeting per jaar.",
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
    share: float | None = None  # percent of the counted subjects that `share_metric` counted too
    per_dimension: dict[str, int] = field(default_factory=dict)

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
        per_dimension = await subjects_per_dimension(projection, target.metric, start, end, target.dimension, excluded)
        if target.excluding_metric:
            gone = await subjects(projection, target.excluding_metric, start, end, excluding_dimensions=excluded)
            per_dimension = {dimension: found - gone for dimension, found in per_dimension.items()}
        counted = set().union(*per_dimension.values())
        grown = len(counted)  # only what changed in the period goes at the pace so far; the baseline was there
        value = target.baseline + grown
        goal = target.goal
        percent = round(100 * value / goal, 1) if goal else 0.0
        projected = project(grown, target.start, target.end, today)
        share = None
        if target.share_metric:
            also = await subjects(projection, target.share_metric, start, end)
            share = round(100 * len(counted & also) / len(counted), 1) if counted else 0.0
        measured.append(
            Progress(
                target,
                value,
                percent,
                None if projected is None else target.baseline + projected,
                share,
                {dimension: len(per_dimension.get(dimension, set())) for dimension in target.per_dimension},
            )
        )
    return measured
