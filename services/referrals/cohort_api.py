"""HTTP API of the Doorbraakmethode cohort."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict

from plumbing.access import CASEWORKERS, Principal, staff
from plumbing.web import RuntimeDep
from services.referrals.cohort import (
    Enrolment,
    ExitReason,
    enrol,
    leave,
    mark_step_done,
    progress,
)
from services.referrals.events import EVENTS_TOPIC

router = APIRouter(prefix="/api/v1/cohorts/doorbraak", tags=["doorbraak cohort"])
Caseworker = Annotated[Principal, staff(*CASEWORKERS)]


class Exit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: ExitReason


@router.post("/members", status_code=status.HTTP_201_CREATED, summary="Enrol a household with its tailored plan")
async def post_member(
    enrolment: Enrolment, runtime: RuntimeDep, worker: Caseworker, request: Request
) -> dict[str, str]:
    async with runtime.unit_of_work(request, worker) as work:
        await enrol(work, runtime.settings.topic(EVENTS_TOPIC), enrolment)
    return {"household_ref": enrolment.household_ref}


@router.post(
    "/members/{household_ref}/steps/{index}/done",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark a step of the plan done",
)
async def step_done(household_ref: str, index: int, runtime: RuntimeDep, worker: Caseworker, request: Request) -> None:
    async with runtime.unit_of_work(request, worker) as work:
        done = await mark_step_done(work, runtime.settings.topic(EVENTS_TOPIC), household_ref, index)
    if not done:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"index: no step {index} for {household_ref}")


@router.post(
    "/members/{household_ref}/exit", status_code=status.HTTP_204_NO_CONTENT, summary="The household leaves the cohort"
)
async def exit_member(
    household_ref: str, body: Exit, runtime: RuntimeDep, worker: Caseworker, request: Request
) -> None:
    async with runtime.unit_of_work(request, worker) as work:
        await leave(work, runtime.settings.topic(EVENTS_TOPIC), household_ref, body.reason)


@router.get("", summary="Progress of the cohort: places, and per household its steps and next review")
async def get_progress(runtime: RuntimeDep, worker: Caseworker) -> dict[str, Any]:
    return await progress(runtime.db)
