"""Staff API of the signals service: the queue, contact attempts, closing cases, the DDAS export, retention."""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from plumbing.access import CASEWORKERS, Principal, Role, may_see_municipality, staff
from plumbing.audit import audit
from plumbing.paging import PER_PAGE, Page, PageNumber, PageRequest, PerPage
from plumbing.reference import Municipality as InRegion
from plumbing.retention import run_retention_now
from plumbing.runtime import Runtime
from plumbing.web import RuntimeDep
from services.signals import retention
from services.signals.casework import (
    CaseClose,
    ContactAttemptCreate,
    close_case,
    get_case,
    is_overdue,
    log_contact_attempt,
)
from services.signals.domain import CreditorType
from services.signals.figures import ddas_export
from services.signals.municipality_settings import setting_for
from services.signals.order import why
from services.signals.settings import SettingsDep
from services.signals.teams import NO_TEAM
from services.signals.worklist import UNASSIGNED, Worklist, worklist

router = APIRouter(prefix="/api/v1", tags=["outreach"])
Caseworker = Annotated[Principal, staff(*CASEWORKERS)]
Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]

Municipality = Annotated[InRegion, Query()]


class CasePublic(BaseModel):
    id: str
    household_ref: str
    municipality: str
    postcode_area: str
    status: str = Field(description="registered (below threshold), open, or closed")
    creditor_count: int
    creditor_types: list[str]
    total_arrears_cents: int
    crisis: bool
    first_signal_on: date
    deadline: date | None
    overdue: bool
    reached: bool
    contact_attempts: int
    outcome: str | None
    origin: str = Field(
        default="signal", description="signal (begun by a creditor's signal) or self_reported (the resident asked)"
    )
    help_requests: int = Field(default=0, description="Help requests the resident sent themselves (Hulp vragen)")
    team: str | None = Field(default=None, description="The neighbourhood team of its postcode area; null: none")
    assignee: str | None = Field(default=None, description="The worker who took it on; null: nobody")
    version: int = Field(default=0, description="Changes with every write; an assignment names the version it saw")
    why: str = Field(default="", description="What puts it where it stands in the queue")


def case_public(case: dict[str, Any]) -> CasePublic:
    return CasePublic(
        id=case["_id"],
        household_ref=case["household_ref"],
        municipality=case["municipality"],
        postcode_area=case["postcode_area"],
        status=case["status"],
        creditor_count=case["creditor_count"],
        creditor_types=case["creditor_types"],
        total_arrears_cents=case["total_arrears_cents"],
        crisis=case["crisis"],
        first_signal_on=case["first_signal_on"],
        deadline=case["deadline"],
        overdue=is_overdue(case),
        reached=case["reached"],
        contact_attempts=len(case["contact_attempts"]),
        outcome=case["outcome"],
        origin=case.get("origin", "signal"),
        help_requests=len(case.get("help_requests", [])),
        team=case.get("team"),
        assignee=case.get("assignee"),
        version=case.get("version", 0),
        why=why(case, datetime.now(UTC)),
    )


@router.get(
    "/cases",
    response_model=Page[CasePublic],
    summary="The queue: deadline first, then priority; in pages numbered from 1, with the total",
)
async def list_cases(
    runtime: RuntimeDep,
    settings: SettingsDep,
    request: Request,
    worker: Caseworker,
    municipality: Municipality,
    postcode_area: Annotated[str | None, Query(pattern=r"^[1-9]\d{3}$", description="Neighbourhood")] = None,
    creditor_type: CreditorType | None = None,
    case_status: Annotated[str, Query(alias="status", pattern="^(registered|open|closed)$")] = "open",
    team: Annotated[str | None, Query(description=f"A team id, or `{NO_TEAM}` for cases no team covers")] = None,
    assignee: Annotated[str | None, Query(description=f"A username, or `{UNASSIGNED}` for nobody")] = None,
    q: Annotated[str, Query(max_length=60, description="A postcode, or the start of a case or household id")] = "",
    sort: Annotated[str | None, Query(pattern="^(deadline|amount|creditors|age)$")] = None,
    reverse: bool = False,
    page: PageNumber = 1,
    per_page: PerPage = PER_PAGE,
) -> Page[CasePublic]:
    may_see_municipality(worker, municipality)
    selection = Worklist(municipality, postcode_area, creditor_type, case_status, team, assignee, q, sort, reverse)
    asked = PageRequest(page, per_page)
    weights = (await setting_for(runtime.db, settings, municipality)).queue_weights
    cases, total = await worklist(runtime.db, selection, weights, asked)
    return asked.answer([case_public(case) for case in cases], total)


@router.get("/cases/{case_id}", response_model=CasePublic, summary="One case")
async def read_case(case_id: str, runtime: RuntimeDep, worker: Caseworker, request: Request) -> CasePublic:
    case = case_public(await own_case(runtime, worker, case_id))
    await audit(runtime.db, request, worker, "case.viewed", f"case:{case_id}")
    return case


async def own_case(runtime: Runtime, worker: Principal, case_id: str) -> dict[str, Any]:
    """The case, if it exists and belongs to one of the worker's municipalities."""
    case = await get_case(runtime.db, case_id)
    may_see_municipality(worker, case["municipality"])
    return case


@router.post("/cases/{case_id}/contact-attempts", status_code=status.HTTP_201_CREATED, summary="Log a contact attempt")
async def add_contact_attempt(
    case_id: str,
    attempt: ContactAttemptCreate,
    runtime: RuntimeDep,
    settings: SettingsDep,
    request: Request,
    worker: Caseworker,
) -> dict[str, Any]:
    await own_case(runtime, worker, case_id)
    async with runtime.unit_of_work(request, worker) as work:
        record = await log_contact_attempt(work, settings, case_id, attempt)
    return {key: value for key, value in record.items() if key != "logged_at"}


@router.post(
    "/cases/{case_id}/close", status_code=status.HTTP_204_NO_CONTENT, summary="Close a case with a DDAS outcome code"
)
async def close(
    case_id: str, closing: CaseClose, runtime: RuntimeDep, settings: SettingsDep, request: Request, worker: Caseworker
) -> None:
    await own_case(runtime, worker, case_id)
    async with runtime.unit_of_work(request, worker) as work:
        await close_case(work, settings, case_id, closing)


@router.get("/export/ddas", summary="The municipality's figures in the shape of DDAS-vroegsignalering (JSON)")
async def export_ddas(
    runtime: RuntimeDep, worker: Caseworker, municipality: Municipality, start: date, end: date
) -> dict[str, Any]:
    may_see_municipality(worker, municipality)
    if end < start:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "end: lies before start")
    return await ddas_export(runtime.db, municipality, start, end)


@router.post(
    "/retention/run",
    summary="Close the cases below the threshold whose wait is over, and erase what is past its term, now",
)
async def run_retention(runtime: RuntimeDep, request: Request, admin: Administrator) -> dict[str, int]:
    return await run_retention_now(runtime, request, admin, retention.ADMINISTRATION)
