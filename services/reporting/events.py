"""Events the reporting service publishes: the Schuldenlab's portfolio, on a topic of its own.

Each event carries the project as it is after the change, so that the portfolio is rebuilt from the topic alone
(`python -m services.reporting.lab.rebuild`) and other services learn of projects and their gates without asking.
Projects name their leader and partners (organisations and staff, never residents); households do not appear.
"""

from pydantic import BaseModel, Field

from services.reporting.lab.mkba import Price
from services.reporting.lab.portfolio import Decision, Project

EVENTS_TOPIC = "lab.events"
PROJECT_REGISTERED = "nl.redzaam.project.registered"
PROJECT_STARTED = "nl.redzaam.project.started"
PROJECT_CHANGED = "nl.redzaam.project.changed"
PROJECT_PHASE_DECIDED = "nl.redzaam.project.phase_decided"
PRICES_SET = "nl.redzaam.lab.prices_set"


class ProjectRegistered(BaseModel):
    """A project was registered as an idea in the portfolio."""

    project: Project = Field(description="The whole project after the change.")


class ProjectStarted(BaseModel):
    """The project started in Ontwikkelen: it has a leader, a steering group and a plan with a budget."""

    project: Project = Field(description="The whole project after the change.")


class ProjectChanged(BaseModel):
    """The project's details, plan, MKBA or KPIs changed."""

    project: Project = Field(description="The whole project after the change.")
    changed: list[str] = Field(description="What changed: fields, analysis, kpis.")


class ProjectPhaseDecided(BaseModel):
    """A Go/No-Go decision between two phases: Go moves the project on (out of Realiseren: scaled up), No-Go ends it
    with its lessons."""

    project: Project = Field(description="The whole project after the change.")
    decision: Decision = Field(description="The decision, as the project's list of decisions now ends with it.")


class PricesSet(BaseModel):
    """The cooperative's price list for the micro-MKBA changed; the whole list."""

    prices: list[Price] = Field(description="The whole price list after the change.")
