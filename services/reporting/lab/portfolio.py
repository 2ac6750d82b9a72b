"""The Schuldenlab's projects and their lifecycle, and the lab's rules of play (spelregels). No I/O here.

A project is registered as an idea, starts in Ontwikkelen once it has a leader, a steering group and a plan with a
budget, and moves through Valideren, Experimenteren and Realiseren by Go/No-Go decisions. A No-Go ends it with its
lessons; the Go out of Realiseren is the scale-up (opschaling: the project leaves innovation funding), refused
without a sustainable financing model.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from plumbing.errors import Invalid
from plumbing.principals import Principal, Role
from plumbing.reference import Municipality
from plumbing.register import PERSONAL
from services.reporting.lab.kpis import Kpi
from services.reporting.lab.mkba import Analysis

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Quarter = Annotated[str, StringConstraints(pattern=r"^\d{4}-Q[1-4]$")]


class Phase(StrEnum):
    IDEA = "idea"
    DEVELOP = "develop"
    VALIDATE = "validate"
    EXPERIMENT = "experiment"
    REALISE = "realise"
    SCALED_UP = "scaled_up"
    STOPPED = "stopped"


# what a phase is for, as the lab's lifecycle describes it
PHASE_WORK = {
    Phase.DEVELOP: "het probleem begrijpen, kansrijke richtingen, pilotpartners",
    Phase.VALIDATE: "businesscase en micro-MKBA, data, de partners die nodig zijn",
    Phase.EXPERIMENT: "pilot, monitoring van de voortgang, rapportage",
    Phase.REALISE: "evaluatie en verantwoording, implementatie, opschaling",
}
NEXT_PHASE = {
    Phase.DEVELOP: Phase.VALIDATE,
    Phase.VALIDATE: Phase.EXPERIMENT,
    Phase.EXPERIMENT: Phase.REALISE,
    Phase.REALISE: Phase.SCALED_UP,
}
ENDED = {Phase.SCALED_UP, Phase.STOPPED}


class DebtPhase(StrEnum):
    PREVENTION = "prevention"
    EARLY_INTERVENTION = "early_intervention"
    CURATIVE = "curative"


class ProjectKind(StrEnum):
    OWN_DEVELOPMENT = "own_development"
    BEST_PRACTICE = "best_practice"
    RUNNING = "running"


class Leader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    organisation: Name = Field(description="The municipality or partner the project leader comes from.")
    account: str = Field(
        default="",
        max_length=64,
        description="Staff username, if the leader works in Redzaam.",
        json_schema_extra=PERSONAL,
    )


class BudgetLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    amount_cents: int = Field(gt=0, le=10**13, description="Costs of the project in that year, in euro cents.")
    payer: Name = Field(description="Who pays these costs.")


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: Text = ""
    budget: list[BudgetLine] = Field(default_factory=list, max_length=40)
    financing_model: Text = Field(
        default="", description="How the project is paid for once it leaves innovation funding (needed to scale up)."
    )


class ProjectFields(BaseModel):
    """What a project is: the fields a programme lead or project leader fills in."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Name
    theme: Name = Field(description="The innovation theme, chosen yearly.")
    theme_year: int = Field(ge=2000, le=2100)
    debt_phases: list[DebtPhase] = Field(min_length=1)
    kind: ProjectKind
    cooperation_case: bool = Field(
        default=False, description="A short innovation trajectory for a concrete problem of a partner."
    )
    municipality: Municipality | None = Field(default=None, description="Empty for the whole region.")
    partners: list[Name] = Field(default_factory=list, max_length=40)
    leader: Leader | None = None
    steering_group: list[Name] = Field(default_factory=list, max_length=20, json_schema_extra=PERSONAL)
    plan: Plan = Field(default_factory=Plan)
    quarters: dict[Quarter, Phase] = Field(
        default_factory=dict, description="The planned phase per quarter, e.g. {'2026-Q3': 'develop'}."
    )


class NewProject(ProjectFields):
    """A project as it is registered: its fields and the code it is known by."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", examples=["vroeg-erop-af"])


class Decision(BaseModel):
    """A Go/No-Go decision between two phases."""

    from_phase: Phase
    to_phase: Phase
    go: bool
    by: str = Field(description="Who decided (the steering group, as recorded by).", json_schema_extra=PERSONAL)
    on: date
    why: str
    evidence: str
    lessons: str = ""


class Project(ProjectFields):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    phase: Phase = Phase.IDEA
    started_on: date | None = None
    ended_on: date | None = None
    decisions: list[Decision] = Field(default_factory=list)
    analysis: Analysis | None = Field(default=None, description="The micro-MKBA, once entered.")
    kpis: list[Kpi] = Field(default_factory=list, max_length=20)


class Refused(Invalid):
    """A rule of the lab refuses the change; `field` names what is missing or wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.message = message


def start(project: Project, on: date) -> Project:
    """Spelregel: no start without a project leader, a steering group and a plan with a budget."""
    if project.phase is not Phase.IDEA:
        raise Refused("phase", f"the project is in {project.phase.value}, not an idea that can start")
    if project.leader is None:
        raise Refused("leader", "a project needs a project leader (from the municipality or a partner) to start")
    if not project.steering_group:
        raise Refused("steering_group", "a project needs a steering group of the partners with a stake to start")
    if not project.plan.budget:
        raise Refused("plan.budget", "a project needs a plan with a budget (costs per year and who pays) to start")
    return project.model_copy(update={"phase": Phase.DEVELOP, "started_on": on})


class Gate(BaseModel):
    """What a Go/No-Go decision records besides who made it and when."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["go", "no_go"]
    why: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] = Field(
        description="On which evidence: figures, the MKBA, the pilot's monitoring."
    )
    lessons: Text = Field(default="", description="Required for a No-Go: what the cooperative learnt.")
    financing_model: Text = Field(default="", description="For the scale-up, if the plan does not have one yet.")


def decide(project: Project, gate: Gate, by: str, on: date) -> Project:
    """A Go moves the project to the next phase; a No-Go ends it with its lessons. The Go out of Realiseren is the
    scale-up: refused without a sustainable financing model."""
    if project.phase not in NEXT_PHASE:
        raise Refused("phase", f"a project in {project.phase.value} has no gate to decide")
    plan = project.plan
    if gate.financing_model:
        plan = plan.model_copy(update={"financing_model": gate.financing_model})
    if gate.decision == "no_go":
        if not gate.lessons:
            raise Refused("lessons", "a No-Go ends the project: record its lessons")
        to_phase = Phase.STOPPED
    else:
        to_phase = NEXT_PHASE[project.phase]
        if to_phase is Phase.SCALED_UP and not plan.financing_model:
            raise Refused(
                "financing_model",
                "no scale-up without a sustainable financing model: the project leaves innovation funding",
            )
    decision = Decision(
        from_phase=project.phase,
        to_phase=to_phase,
        go=gate.decision == "go",
        by=by,
        on=on,
        why=gate.why,
        evidence=gate.evidence,
        lessons=gate.lessons,
    )
    return project.model_copy(
        update={
            "phase": to_phase,
            "plan": plan,
            "decisions": [*project.decisions, decision],
            "ended_on": on if to_phase in ENDED else None,
        }
    )


def change(project: Project, fields: ProjectFields) -> Project:
    """New details of a project that has not ended; a started project keeps what its start required."""
    if project.phase in ENDED:
        raise Refused("phase", f"the project has ended ({project.phase.value}); its record stays as it is")
    changed = Project.model_validate({**project.model_dump(), **fields.model_dump()})
    if project.phase is not Phase.IDEA:
        for field, missing in (
            ("leader", changed.leader is None),
            ("steering_group", not changed.steering_group),
            ("plan.budget", not changed.plan.budget),
        ):
            if missing:
                raise Refused(field, "a started project keeps its leader, steering group and budget")
    return changed


def budget_total(project: Project) -> int:
    return sum(line.amount_cents for line in project.plan.budget)


def per_year(projects: list[Project], year: int) -> dict[str, int]:
    """The cooperative's trajectories (coöperatie cases) started and finished in a year; its target is 5 to 8."""
    cases = [project for project in projects if project.cooperation_case]
    return {
        "started": sum(1 for project in cases if project.started_on and project.started_on.year == year),
        "finished": sum(1 for project in cases if project.ended_on and project.ended_on.year == year),
    }


def by_phase(projects: list[Project]) -> dict[Phase, list[Project]]:
    board: dict[Phase, list[Project]] = {phase: [] for phase in Phase}
    for project in sorted(projects, key=lambda item: item.title.lower()):
        board[project.phase].append(project)
    return board


COOPERATION_CASES_PER_YEAR = (5, 8)  # the seed plan: 5 to 8 short innovation trajectories a year


def summary(projects: list[Project], year: int) -> dict[str, Any]:
    """Projects per phase, and the cooperative's trajectories started and finished in a year against 5-8."""
    board = by_phase(projects)
    low, high = COOPERATION_CASES_PER_YEAR
    return {
        "per_phase": {phase.value: len(board[phase]) for phase in Phase},
        "cooperation_cases": {"year": year, **per_year(projects, year), "target_low": low, "target_high": high},
    }


def may_edit(principal: Principal, project: Project) -> bool:
    """The programme lead, or the project's own leader (the staff account named as its leader)."""
    leader = project.leader.account if project.leader else ""
    return principal.role is Role.PROGRAMME_LEAD or (bool(leader) and principal.subject == leader)
