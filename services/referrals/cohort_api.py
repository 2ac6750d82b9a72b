"""HTTP API of the Doorbraakmethode cohort."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status

from plumbing.access import CASEWORKERS, Principal, staff
from plumbing.web import RuntimeDep
from services.referrals.cohort import AlreadyEnrolled, CohortFull, Enrolment, enrol, mark_step_done, progress

router = APIRouter(prefix="/api/v1/cohorts/doorbraak", tags=["doorbraak cohort"])
Caseworker = Annotated[Principal, staff(*CASEWORKERS)]


@router.post("/members", status_code=status.HTTP_201_CREATED, summary="Enrol a household with its tailored plan")
async def post_member(enrolment: Enrolment, runtime: RuntimeDep, worker: Caseworker) -> dict[str, str]:
    try:
        await enrol(runtime.db, enrolment)
    except CohortFull as error:
        raise HTTPException(status.HTTP_409_CONFLICT, f"cohort: {error}") from error
    except AlreadyEnrolled as error:
        raise HTTPException(status.HTTP_409_CONFLICT, f"household_ref: {error} is already enrolled") from error
    return {"household_ref": enrolment.household_ref}


@router.post(
    "/members/{household_ref}/steps/{index}/done",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark a step of the plan done",
)
async def step_done(household_ref: str, index: int, runtime: RuntimeDep, worker: Caseworker) -> None:
    if index < 0 or not await mark_step_done(runtime.db, household_ref, index):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"index: no step {index} for {household_ref}")


@router.get("", summary="Progress of the cohort: places, and per household its steps and next review")
async def get_progress(runtime: RuntimeDep, worker: Caseworker) -> dict[str, Any]:
    return await progress(runtime.db)
