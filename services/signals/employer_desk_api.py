"""Employer desk API: an employer's anonymous desk figures, for its own HR contacts (and the administrator), and a
new desk code. Never who asked, never a case."""

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from plumbing.access import Principal, Role, staff
from plumbing.errors import Forbidden
from plumbing.web import RuntimeDep
from services.signals import desk_figures, employer_desk

router = APIRouter(prefix="/api/v1/employer-desk", tags=["employer desk"])
DeskReader = Annotated[Principal, staff(Role.EMPLOYER_HR, Role.ADMINISTRATOR)]


class MonthPublic(BaseModel):
    month: str = Field(examples=["2026-11"])
    requests: str = Field(description="Help requests through the desk; below 5 (0 too) 'minder dan 5'.")
    picked_up: str = Field(
        description="Of those, picked up by the municipality; below 5 (0 too) 'minder dan 5'; 'niet getoond' when "
        "between 1 and 4 were not picked up (the difference would tell)."
    )


class DeskPublic(BaseModel):
    employer_id: str
    desk_code: str = Field(description="The code employees give on the help form, as shown: ABCD-2345.")
    months: list[MonthPublic] = Field(description="The months that are over, newest first (twelve).")


def own_employer(who: Principal, partner_id: str) -> None:
    """An HR contact sees only its own employer's desk."""
    if who.role is Role.EMPLOYER_HR and who.organisation != partner_id:
        raise Forbidden("partner_id: an HR contact sees only its own employer's desk")


@router.get("/{partner_id}", response_model=DeskPublic, summary="An employer's desk code and anonymous figures")
async def desk(partner_id: str, runtime: RuntimeDep, who: DeskReader) -> DeskPublic:
    own_employer(who, partner_id)
    employer = await employer_desk.active_employer(runtime.db, partner_id)
    if employer is None:
        raise employer_desk.NotAnEmployer(partner_id)
    months = await desk_figures.desk_figures(runtime.db, partner_id)
    return DeskPublic(
        employer_id=partner_id,
        desk_code=employer_desk.shown(employer.get("desk_code") or ""),
        months=[MonthPublic(month=row.month, requests=row.requests, picked_up=row.picked_up) for row in months],
    )


@router.post("/{partner_id}/code", summary="Issue a new desk code; the old one stops working")
async def new_code(partner_id: str, runtime: RuntimeDep, request: Request, who: DeskReader) -> dict[str, str]:
    own_employer(who, partner_id)
    async with runtime.unit_of_work(request, who) as work:
        code = await employer_desk.issue_desk_code(work, partner_id)
    return {"employer_id": partner_id, "desk_code": employer_desk.shown(code)}
