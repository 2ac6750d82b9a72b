"""HTTP API of the volunteers service: registry, screening, requests, assignments, hours and lessons."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from plumbing import public_forms
from plumbing.access import Principal, Role, Scope, staff, staff_or_partner
from plumbing.paging import PER_PAGE, Page, PageNumber, PageRequest, PerPage
from plumbing.retention import run_retention_now
from plumbing.web import RuntimeDep
from services.volunteers.assignments import (
    assign,
    candidates,
    enrol,
    get_request,
    lesson_given,
    log_hours,
    release,
    screen,
)
from services.volunteers.domain import Hours, Screening, SignUp, VolunteerCreate
from services.volunteers.queries import recent_assignments
from services.volunteers.requests import LessonRequest, ask_for_lesson
from services.volunteers.retention import ADMINISTRATION
from services.volunteers.scope import may_register, visible_request, visible_volunteer
from services.volunteers.settings import SettingsDep
from services.volunteers.sign_ups import sign_up

router = APIRouter(prefix="/api/v1", tags=["volunteers"])
Coordinator = Annotated[Principal, staff(Role.VOLUNTEER_COORDINATOR)]
Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]
School = Annotated[Principal, staff_or_partner(Scope.REQUEST_LESSONS, Role.VOLUNTEER_COORDINATOR)]


class AssignmentPublic(BaseModel):
    id: str
    kind: str
    role: str
    municipality: str
    household_ref: str | None
    school: str | None
    state: str = Field(description="waiting (unmet), assigned or released")
    volunteer_id: str | None
    hours: float


class Confirm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    volunteer_id: str | None = Field(default=None, description="Empty: the best candidate.")


class Lesson(BaseModel):
    model_config = ConfigDict(extra="forbid")
    students_reached: int = Field(ge=0, le=200)


def assignment_public(doc: dict[str, Any]) -> AssignmentPublic:
    return AssignmentPublic(
        id=doc["_id"],
        kind=doc.get("kind", "household"),
        role=doc["role"],
        municipality=doc["municipality"],
        household_ref=doc.get("household_ref"),
        school=doc.get("school"),
        state=doc["state"],
        volunteer_id=doc.get("volunteer_id"),
        hours=sum(entry["hours"] for entry in doc.get("hours", [])),
    )


@router.put("/volunteers/{volunteer_id}", summary="Register or update a volunteer (coordinator)")
async def put_volunteer(
    volunteer_id: str,
    volunteer: VolunteerCreate,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    if volunteer.id != volunteer_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "id: must equal the volunteer id in the path")
    await may_register(runtime.db, coordinator, volunteer_id, volunteer.municipalities)
    async with runtime.unit_of_work(request, coordinator) as work:
        created, assigned = await enrol(work, settings, volunteer)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return {"id": volunteer.id, "assigned_waiting_requests": assigned}


@router.post(
    "/sign-ups",
    status_code=status.HTTP_201_CREATED,
    summary="Sign up as a volunteer (public; 200 with `duplicate` for the same sign-up again)",
    responses={429: {"description": "Too many sign-ups from this address; see Retry-After"}},
    dependencies=[Depends(public_forms.guard)],
)
async def post_sign_up(form: SignUp, runtime: RuntimeDep, settings: SettingsDep, response: Response) -> dict[str, Any]:
    signed_up = await sign_up(runtime.db, settings, form)
    if signed_up.duplicate:
        response.status_code = status.HTTP_200_OK
    return {"id": signed_up.volunteer_id, "status": "applicant", "duplicate": signed_up.duplicate}


@router.post("/volunteers/{volunteer_id}/screening", summary="Record VOG and training; makes the volunteer active")
async def post_screening(
    volunteer_id: str,
    screening: Screening,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    request: Request,
) -> dict[str, Any]:
    await visible_volunteer(runtime.db, coordinator, volunteer_id)
    async with runtime.unit_of_work(request, coordinator) as work:
        volunteer, assigned = await screen(work, settings, volunteer_id, screening)
    return {
        "id": volunteer_id,
        "assignable_roles": volunteer["assignable_roles"],
        "assigned_waiting_requests": assigned,
    }


@router.get(
    "/assignments",
    response_model=Page[AssignmentPublic],
    summary="Requests of the coordinator's municipalities: waiting, assigned, released; newest first, in pages",
)
async def list_assignments(
    runtime: RuntimeDep,
    coordinator: Coordinator,
    state: Annotated[str | None, Query(pattern="^(waiting|assigned|released)$")] = None,
    page: PageNumber = 1,
    per_page: PerPage = PER_PAGE,
) -> Page[AssignmentPublic]:
    asked = PageRequest(page, per_page)
    documents, total = await recent_assignments(runtime.db, coordinator, state, asked)
    return asked.answer([assignment_public(doc) for doc in documents], total)


@router.get("/assignments/{request_id}/candidates", summary="Volunteers who could take this request, best first")
async def get_candidates(
    request_id: str, runtime: RuntimeDep, settings: SettingsDep, coordinator: Coordinator
) -> list[dict[str, Any]]:
    waiting = await visible_request(runtime.db, coordinator, request_id)
    return [vars(candidate) for candidate in await candidates(runtime.db, settings, waiting)]


@router.post(
    "/assignments/{request_id}/assign",
    response_model=AssignmentPublic,
    summary="Assign a volunteer (coordinator confirms); 409 when no place is free",
)
async def post_assign(
    request_id: str,
    body: Confirm,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    request: Request,
) -> AssignmentPublic:
    await visible_request(runtime.db, coordinator, request_id)
    async with runtime.unit_of_work(request, coordinator) as work:
        chosen = await assign(work, settings, request_id, body.volunteer_id)
    if chosen is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "volunteer_id: nobody is free for this request; it keeps waiting")
    return assignment_public(await get_request(runtime.db, request_id))


@router.post("/assignments/{request_id}/release", response_model=AssignmentPublic, summary="End an assignment")
async def post_release(
    request_id: str, runtime: RuntimeDep, settings: SettingsDep, coordinator: Coordinator, request: Request
) -> AssignmentPublic:
    await visible_request(runtime.db, coordinator, request_id)
    async with runtime.unit_of_work(request, coordinator) as work:
        await release(work, settings, request_id)
    return assignment_public(await get_request(runtime.db, request_id))


@router.post("/assignments/{request_id}/hours", status_code=status.HTTP_204_NO_CONTENT, summary="Log hours")
async def post_hours(
    request_id: str, body: Hours, runtime: RuntimeDep, coordinator: Coordinator, request: Request
) -> None:
    await visible_request(runtime.db, coordinator, request_id)
    async with runtime.unit_of_work(request, coordinator) as work:
        await log_hours(work, request_id, body)


@router.post(
    "/lesson-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=AssignmentPublic,
    summary="A school asks for a guest lesson (MBO 1-2)",
)
async def post_lesson_request(
    lesson: LessonRequest, runtime: RuntimeDep, settings: SettingsDep, request: Request, school: School
) -> AssignmentPublic:
    async with runtime.unit_of_work(request, school) as work:
        request_id = await ask_for_lesson(work, settings, school, lesson)
    return assignment_public(await get_request(runtime.db, request_id))


@router.post(
    "/assignments/{request_id}/lesson-given",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Report a guest lesson given, with the students reached",
)
async def post_lesson_given(
    request_id: str,
    body: Lesson,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    request: Request,
) -> None:
    await visible_request(runtime.db, coordinator, request_id)
    async with runtime.unit_of_work(request, coordinator) as work:
        await lesson_given(work, settings, request_id, body.students_reached)


@router.post("/retention/run", summary="Delete stale sign-ups and erase the data of volunteers who left, now")
async def post_retention_run(runtime: RuntimeDep, request: Request, admin: Administrator) -> dict[str, int]:
    return await run_retention_now(runtime, request, admin, ADMINISTRATION)
