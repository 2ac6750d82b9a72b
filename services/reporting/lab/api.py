"""HTTP API of the Schuldenlab's portfolio: projects through the lab's lifecycle, their MKBA and KPIs, the price
list, and the portfolio export. Staff read it; the programme lead registers, starts and decides; a project's own
leader (the staff account named as its leader) may change its details, MKBA and KPIs too."""

import csv
import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from plumbing.access import COOPERATIVE_ROLES, Principal, Role, staff
from plumbing.web import RuntimeDep
from services.reporting.events import EVENTS_TOPIC
from services.reporting.lab import store
from services.reporting.lab.kpis import Kpi, measure
from services.reporting.lab.mkba import Analysis, Price, analyse
from services.reporting.lab.portfolio import (
    Gate,
    NewProject,
    Project,
    ProjectFields,
    budget_total,
    may_edit,
    summary,
)
from services.reporting.labels import PHASES
from services.reporting.projection import active_projection

router = APIRouter(prefix="/api/v1/lab", tags=["schuldenlab"])
Staff = Annotated[Principal, staff(*COOPERATIVE_ROLES)]
ProgrammeLead = Annotated[Principal, staff(Role.PROGRAMME_LEAD)]


class Prices(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prices: list[Price] = Field(min_length=1, max_length=200)


async def editable(request: Request, principal: Principal, project_id: str) -> Project:
    project = await store.get_project(request.app.state.runtime.db, project_id)
    if not may_edit(principal, project):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "role: only the programme lead or this project's leader")
    return project


def _topic(request: Request) -> str:
    topic: str = request.app.state.settings.topic(EVENTS_TOPIC)
    return topic


@router.get("/projects", response_model=list[Project], summary="The portfolio: every project")
async def list_projects(runtime: RuntimeDep, viewer: Staff) -> list[Project]:
    return await store.all_projects(runtime.db)


@router.get("/projects/{project_id}", summary="A project with its MKBA results and measured KPIs")
async def get_project(project_id: str, runtime: RuntimeDep, viewer: Staff) -> dict[str, Any]:
    project = await store.get_project(runtime.db, project_id)
    return await project_view(runtime, project)


async def project_view(runtime: Any, project: Project) -> dict[str, Any]:
    prices = await store.current_prices(runtime.db)
    result = analyse(project.analysis, prices) if project.analysis else None
    measured = await measure(await active_projection(runtime.db), project.kpis)
    return {
        "project": project.model_dump(mode="json"),
        "budget_total_cents": budget_total(project),
        "analysis": result.model_dump(mode="json") if result is not None else None,
        "kpis": [
            {"id": item.kpi.id, "months": item.months, "values": item.values, "latest": item.latest, "met": item.met}
            for item in measured
        ],
    }


@router.post("/projects", status_code=status.HTTP_201_CREATED, response_model=Project, summary="Register a project")
async def post_project(body: NewProject, runtime: RuntimeDep, request: Request, lead: ProgrammeLead) -> Project:
    fields = ProjectFields.model_validate(body.model_dump(exclude={"id"}))
    async with runtime.unit_of_work(request, lead) as work:
        return await store.register(work, _topic(request), body.id, fields)


@router.put("/projects/{project_id}", response_model=Project, summary="Change a project's details and plan")
async def put_project(
    project_id: str, fields: ProjectFields, runtime: RuntimeDep, request: Request, viewer: Staff
) -> Project:
    await editable(request, viewer, project_id)
    async with runtime.unit_of_work(request, viewer) as work:
        return await store.change_project(work, _topic(request), project_id, fields)


@router.post(
    "/projects/{project_id}/start", response_model=Project, summary="Start: needs leader, steering group, budget"
)
async def post_start(project_id: str, runtime: RuntimeDep, request: Request, lead: ProgrammeLead) -> Project:
    async with runtime.unit_of_work(request, lead) as work:
        return await store.start_project(work, _topic(request), project_id)


@router.post("/projects/{project_id}/decisions", response_model=Project, summary="Record a Go/No-Go decision")
async def post_decision(
    project_id: str, gate: Gate, runtime: RuntimeDep, request: Request, lead: ProgrammeLead
) -> Project:
    async with runtime.unit_of_work(request, lead) as work:
        return await store.decide_gate(work, _topic(request), project_id, gate)


@router.put("/projects/{project_id}/analysis", summary="Enter the project's micro-MKBA; returns its results")
async def put_analysis(
    project_id: str, analysis: Analysis, runtime: RuntimeDep, request: Request, viewer: Staff
) -> dict[str, Any]:
    await editable(request, viewer, project_id)
    async with runtime.unit_of_work(request, viewer) as work:
        project = await store.set_analysis(work, _topic(request), project_id, analysis)
    return analyse(analysis, await store.current_prices(runtime.db)).model_dump(mode="json") | {"project": project.id}


@router.put("/projects/{project_id}/kpis", response_model=Project, summary="Set the project's KPIs (counters)")
async def put_kpis(project_id: str, kpis: list[Kpi], runtime: RuntimeDep, request: Request, viewer: Staff) -> Project:
    await editable(request, viewer, project_id)
    async with runtime.unit_of_work(request, viewer) as work:
        return await store.set_kpis(work, _topic(request), project_id, kpis)


@router.get("/prices", response_model=list[Price], summary="The cooperative's price list for the MKBA")
async def get_prices(runtime: RuntimeDep, viewer: Staff) -> list[Price]:
    return await store.current_prices(runtime.db)


@router.put("/prices", response_model=list[Price], summary="Set the price list (programme lead)")
async def put_prices(body: Prices, runtime: RuntimeDep, request: Request, lead: ProgrammeLead) -> list[Price]:
    async with runtime.unit_of_work(request, lead) as work:
        await store.set_prices(work, _topic(request), body.prices)
    return body.prices


@router.get("/summary", summary="Projects per phase and the cooperative's trajectories per year against 5-8")
async def get_summary(runtime: RuntimeDep, viewer: Staff, year: int | None = None) -> dict[str, Any]:
    return summary(await store.all_projects(runtime.db), year or date.today().year)


@router.get("/portfolio.json", summary="The whole portfolio as JSON")
async def export_json(runtime: RuntimeDep, viewer: Staff) -> Response:
    projects = await store.all_projects(runtime.db)
    body = "[" + ",".join(project.model_dump_json() for project in projects) + "]"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="schuldenlab-portfolio.json"'},
    )


@router.get("/portfolio.csv", summary="The portfolio as CSV, one row per project")
async def export_csv(runtime: RuntimeDep, viewer: Staff) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["id", "titel", "thema", "jaar", "fase", "soort", "gemeente", "projectleider", "stuurgroep", "begroting_euro"]
    )
    for project in await store.all_projects(runtime.db):
        writer.writerow(
            [
                project.id,
                project.title,
                project.theme,
                project.theme_year,
                PHASES[project.phase],
                project.kind.value,
                project.municipality or "regio",
                f"{project.leader.name} ({project.leader.organisation})" if project.leader else "",
                "; ".join(project.steering_group),
                f"{budget_total(project) / 100:.2f}",
            ]
        )
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="schuldenlab-portfolio.csv"'},
    )
