"""Use cases of the Schuldenlab's portfolio: register, start, change, decide a gate, enter the MKBA and KPIs, keep
the price list. Each change is one versioned write of the project together with the event announcing it (outbox),
and an audit entry; the event carries the whole project, so the topic alone rebuilds the portfolio."""

from datetime import date
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing import errors
from plumbing.events import new_event
from plumbing.outbox import change_with_events, new_document, outbox_entry
from plumbing.unit_of_work import UnitOfWork
from services.reporting.events import (
    PRICES_SET,
    PROJECT_CHANGED,
    PROJECT_PHASE_DECIDED,
    PROJECT_REGISTERED,
    PROJECT_STARTED,
    PricesSet,
    ProjectChanged,
    ProjectPhaseDecided,
    ProjectRegistered,
    ProjectStarted,
)
from services.reporting.lab.kpis import Kpi
from services.reporting.lab.mkba import DEFAULT_PRICES, Analysis, Price, UnknownPrice
from services.reporting.lab.portfolio import ENDED, Gate, Project, ProjectFields, Refused, change, decide, start

SOURCE = "/redzaam/reporting/lab"
PRICE_LIST = "prices"
STATE = {"outbox": 0, "outbox_pending": 0, "version": 0}


class ProjectNotFound(errors.NotFound):
    def __init__(self, project_id: str) -> None:
        super().__init__(f"project_id: project {project_id} does not exist")
        self.project_id = project_id


class ProjectExists(errors.Conflict):
    def __init__(self, project_id: str) -> None:
        super().__init__(f"id: a project {project_id} exists already")


class Conflict(errors.Conflict):
    """The project changed meanwhile; read it again."""


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.lab_projects.create_index([("outbox_pending", 1)])
    await db.lab_prices.create_index([("outbox_pending", 1)])


def _as_document(project: Project) -> dict[str, Any]:
    fields = project.model_dump(mode="json")
    return {"_id": fields.pop("id"), **fields}


def _as_project(document: dict[str, Any]) -> Project:
    fields = {key: value for key, value in document.items() if key not in STATE and key != "_id"}
    return Project.model_validate({"id": document["_id"], **fields})


async def all_projects(db: AsyncDatabase[Any]) -> list[Project]:
    return [_as_project(document) async for document in db.lab_projects.find({}, STATE).sort("title", 1)]


async def get_project(db: AsyncDatabase[Any], project_id: str) -> Project:
    project, _ = await _read(db, project_id)
    return project


async def _read(db: AsyncDatabase[Any], project_id: str) -> tuple[Project, int]:
    """The project and the version it was read at, which the write that follows is guarded by."""
    document = await db.lab_projects.find_one({"_id": project_id}, {"outbox": 0, "outbox_pending": 0})
    if document is None:
        raise ProjectNotFound(project_id)
    return _as_project(document), document["version"]


async def register(work: UnitOfWork, topic: str, project_id: str, fields: ProjectFields) -> Project:
    work.audit("project.registered", f"project:{project_id}")
    project = Project.model_validate({"id": project_id, **fields.model_dump()})
    event = new_event(
        type=PROJECT_REGISTERED, source=SOURCE, subject=project_id, data=ProjectRegistered(project=project)
    )
    try:
        await work.db.lab_projects.insert_one(new_document(_as_document(project), outbox_entry(topic, event)))
    except DuplicateKeyError as error:
        raise ProjectExists(project_id) from error
    work.announced("lab_projects", project_id)
    return project


async def _write(work: UnitOfWork, topic: str, version: int, after: Project, event_type: str, data: BaseModel) -> None:
    event = new_event(type=event_type, source=SOURCE, subject=after.id, data=data)
    fields = _as_document(after)
    del fields["_id"]
    written = await work.db.lab_projects.update_one(
        {"_id": after.id, "version": version},
        change_with_events(fields, outbox_entry(topic, event)),
    )
    if written.modified_count != 1:
        raise Conflict(f"project {after.id} changed meanwhile; read it again")
    work.announced("lab_projects", after.id)


async def start_project(work: UnitOfWork, topic: str, project_id: str, on: date | None = None) -> Project:
    work.audit("project.started", f"project:{project_id}")
    before, version = await _read(work.db, project_id)
    after = start(before, on or date.today())
    await _write(work, topic, version, after, PROJECT_STARTED, ProjectStarted(project=after))
    return after


async def change_project(work: UnitOfWork, topic: str, project_id: str, fields: ProjectFields) -> Project:
    work.audit("project.changed", f"project:{project_id}")
    before, version = await _read(work.db, project_id)
    after = change(before, fields)
    changed = [name for name in ProjectFields.model_fields if getattr(before, name) != getattr(after, name)]
    await _write(work, topic, version, after, PROJECT_CHANGED, ProjectChanged(project=after, changed=changed))
    return after


async def decide_gate(work: UnitOfWork, topic: str, project_id: str, gate: Gate, on: date | None = None) -> Project:
    before, version = await _read(work.db, project_id)
    work.audit("project.phase_decided", f"project:{project_id}", reason=f"{gate.decision} in {before.phase.value}")
    after = decide(before, gate, work.actor.who or "onbekend", on or date.today())
    data = ProjectPhaseDecided(project=after, decision=after.decisions[-1])
    await _write(work, topic, version, after, PROJECT_PHASE_DECIDED, data)
    return after


async def set_analysis(work: UnitOfWork, topic: str, project_id: str, analysis: Analysis) -> Project:
    """Enters the project's micro-MKBA; every price it names must be on the cooperative's price list."""
    work.audit("project.analysed", f"project:{project_id}")
    before, version = await _read(work.db, project_id)
    _not_ended(before)
    try:
        analysis.validate_against(await current_prices(work.db))
    except UnknownPrice as error:
        raise Refused(error.field, error.message) from error
    after = before.model_copy(update={"analysis": analysis})
    await _write(work, topic, version, after, PROJECT_CHANGED, ProjectChanged(project=after, changed=["analysis"]))
    return after


async def set_kpis(work: UnitOfWork, topic: str, project_id: str, kpis: list[Kpi]) -> Project:
    work.audit("project.kpis_set", f"project:{project_id}")
    before, version = await _read(work.db, project_id)
    _not_ended(before)
    if len({kpi.id for kpi in kpis}) != len(kpis):
        raise Refused("kpis", "every KPI of a project needs an id of its own")
    after = before.model_copy(update={"kpis": kpis})
    await _write(work, topic, version, after, PROJECT_CHANGED, ProjectChanged(project=after, changed=["kpis"]))
    return after


def _not_ended(project: Project) -> None:
    if project.phase in ENDED:
        raise Refused("phase", f"the project has ended ({project.phase.value}); its record stays as it is")


async def current_prices(db: AsyncDatabase[Any]) -> list[Price]:
    document = await db.lab_prices.find_one({"_id": PRICE_LIST}, {"prices": 1})
    if document is None:
        return list(DEFAULT_PRICES)
    return [Price.model_validate(price) for price in document["prices"]]


async def set_prices(work: UnitOfWork, topic: str, prices: list[Price]) -> None:
    work.audit("lab.prices_set", "lab:prices")
    if len({price.key for price in prices}) != len(prices):
        raise Refused("prices", "every price needs a key of its own")
    event = new_event(type=PRICES_SET, source=SOURCE, subject=PRICE_LIST, data=PricesSet(prices=prices))
    update = change_with_events(
        {"prices": [price.model_dump(mode="json") for price in prices]}, outbox_entry(topic, event)
    )
    await work.db.lab_prices.update_one({"_id": PRICE_LIST}, update, upsert=True)
    work.announced("lab_prices", PRICE_LIST)
