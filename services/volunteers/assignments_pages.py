"""The coordinator's pages for one assignment (hours, release, the lesson given) and for asking a guest lesson.
Each form calls the same use case as the API route for it; bad input gets a Dutch message beside its field."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import ErrorDetails

from plumbing.access import Principal, Role, staff
from plumbing.forms import messages_beside_fields, outermost_field
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.volunteers.assignments import NotFound, WrongState, lesson_given, log_hours, release
from services.volunteers.domain import Hours
from services.volunteers.labels import ROLES
from services.volunteers.queries import assignment
from services.volunteers.requests import LessonRequest, ask_for_lesson
from services.volunteers.scope import OutsideMunicipalities, visible_request
from services.volunteers.settings import SettingsDep

router = APIRouter(include_in_schema=False)
Coordinator = Annotated[Principal, staff(Role.VOLUNTEER_COORDINATOR)]

HOURS_ERRORS = {
    "on": "Vul de datum in waarop gewerkt is.",
    "hours": "Vul het aantal uren in: meer dan 0 en hoogstens 24 (bijvoorbeeld 1,5).",
    "by": "Vul hoogstens 100 tekens in.",
}
FUTURE = "De datum ligt in de toekomst: vul een dag in die al geweest is."
LESSON_ERRORS = {
    "school": "Vul de naam van de school in (hoogstens 200 tekens).",
    "municipality": "Kies de gemeente van de school.",
    "lesson_date": "Vul de datum van de les in.",
    "group_size": "Vul de grootte van de groep in: 1 tot en met 60 leerlingen.",
    "level": "Kies MBO-niveau 1 of 2.",
}
STUDENTS = "Vul het aantal bereikte leerlingen in: een geheel getal van 0 tot en met 200."


class StudentsReached(BaseModel):
    students_reached: int = Field(ge=0, le=200)


def field_errors(error: ValidationError, messages: dict[str, str]) -> dict[str, str]:
    """The Dutch message for each field a model refused, by the model's field name."""

    def future(problem: ErrorDetails) -> tuple[str, str] | None:
        name = outermost_field(problem)
        return (name, FUTURE) if name in messages and "lies in the future" in problem["msg"] else None

    fields = {name: (name, message) for name, message in messages.items()}
    return messages_beside_fields(error, fields, fallback=None, special=future)


@router.get("/koppelingen/{request_id}")
async def assignment_page(request: Request, runtime: RuntimeDep, coordinator: Coordinator, request_id: str) -> Response:
    return await _render(request, runtime, coordinator, request_id)


@router.post("/koppelingen/{request_id}/uren")
async def hours_form(
    request: Request,
    runtime: RuntimeDep,
    coordinator: Coordinator,
    request_id: str,
    datum: Annotated[str, Form()] = "",
    uren: Annotated[str, Form()] = "",
    door: Annotated[str, Form()] = "",
) -> Response:
    form = {"datum": datum, "uren": uren, "door": door}
    try:
        entry = Hours.model_validate(
            {"on": datum, "hours": uren.strip().replace(",", "."), "by": door.strip() or "vrijwilliger"}
        )
    except ValidationError as error:
        errors = field_errors(error, HOURS_ERRORS)
        return await _render(request, runtime, coordinator, request_id, errors=errors, form=form)
    try:
        await _visible(runtime, coordinator, request_id)
        async with runtime.unit_of_work(request, coordinator) as work:
            await log_hours(work, request_id, entry)
    except NotFound:
        raise _no_such_assignment(request) from None
    except WrongState:
        errors = {"on": "Uren kunnen pas worden geschreven als er een vrijwilliger is gekoppeld."}
        return await _render(request, runtime, coordinator, request_id, errors=errors, form=form, status_code=409)
    return RedirectResponse(f"/koppelingen/{request_id}?uren=1", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/koppelingen/{request_id}/beeindigen")
async def release_form(
    request: Request, runtime: RuntimeDep, settings: SettingsDep, coordinator: Coordinator, request_id: str
) -> Response:
    try:
        await _visible(runtime, coordinator, request_id)
        async with runtime.unit_of_work(request, coordinator) as work:
            await release(work, settings, request_id)
    except NotFound:
        raise _no_such_assignment(request) from None
    except WrongState:
        errors = {"release": "Deze koppeling is niet (meer) actief; kijk hieronder wat er nu staat."}
        return await _render(request, runtime, coordinator, request_id, errors=errors, status_code=409)
    return RedirectResponse(f"/koppelingen/{request_id}?beeindigd=1", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/koppelingen/{request_id}/les-gegeven")
async def lesson_given_form(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    request_id: str,
    leerlingen: Annotated[str, Form()] = "",
) -> Response:
    form = {"leerlingen": leerlingen}
    try:
        students = StudentsReached.model_validate({"students_reached": leerlingen.strip()}).students_reached
    except ValidationError:
        errors = {"students_reached": STUDENTS}
        return await _render(request, runtime, coordinator, request_id, errors=errors, form=form)
    try:
        await _visible(runtime, coordinator, request_id)
        async with runtime.unit_of_work(request, coordinator) as work:
            await lesson_given(work, settings, request_id, students)
    except NotFound:
        raise _no_such_assignment(request) from None
    except WrongState:
        errors = {"students_reached": "Deze gastles is al gemeld, of heeft nog geen gastdocent."}
        return await _render(request, runtime, coordinator, request_id, errors=errors, form=form, status_code=409)
    return RedirectResponse(f"/koppelingen/{request_id}?les=1", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/gastlessen/nieuw")
async def lesson_request_page(request: Request, coordinator: Coordinator) -> Response:
    return _render_lesson_request(request, coordinator, {}, {"niveau": "2"})


@router.post("/gastlessen/nieuw")
async def lesson_request_form(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    school: Annotated[str, Form()] = "",
    gemeente: Annotated[str, Form()] = "",
    datum: Annotated[str, Form()] = "",
    groep: Annotated[str, Form()] = "",
    niveau: Annotated[str, Form()] = "2",
) -> Response:
    form = {"school": school, "gemeente": gemeente, "datum": datum, "groep": groep, "niveau": niveau}
    try:
        lesson = LessonRequest.model_validate(
            {
                "school": school,
                "municipality": gemeente,
                "lesson_date": datum,
                "group_size": groep.strip(),
                "level": niveau,
            }
        )
    except ValidationError as error:
        return _render_lesson_request(request, coordinator, field_errors(error, LESSON_ERRORS), form)
    try:
        async with runtime.unit_of_work(request, coordinator) as work:
            request_id = await ask_for_lesson(work, settings, coordinator, lesson)
    except OutsideMunicipalities:
        errors = {"municipality": "U werkt niet voor deze gemeente: kies een gemeente waarvoor u werkt."}
        return _render_lesson_request(request, coordinator, errors, form, status_code=403)
    return RedirectResponse(f"/koppelingen/{request_id}?aangevraagd=1", status_code=status.HTTP_303_SEE_OTHER)


async def _visible(runtime: RuntimeDep, coordinator: Principal, request_id: str) -> None:
    """NotFound for a request of a municipality the coordinator does not work for, as for one that is not there."""
    await visible_request(runtime.db, coordinator, request_id)


def _no_such_assignment(request: Request) -> HTTPException:
    """Raised, the shared Dutch 404 page (plumbing.web)."""
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Er is geen koppeling {request.path_params['request_id']}.")


async def _render(
    request: Request,
    runtime: RuntimeDep,
    coordinator: Principal,
    request_id: str,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 422,
) -> Response:
    try:
        shown = await assignment(runtime.db, coordinator, request_id)
    except NotFound:
        raise _no_such_assignment(request) from None
    done = {key: request.query_params.get(key) == "1" for key in ("uren", "beeindigd", "les", "aangevraagd")}
    item: dict[str, Any] = shown.request
    title = f"Gastles {item['school']}" if item.get("kind") == "lesson" else f"Koppeling {item.get('household_ref')}"
    return render_page(
        request,
        "assignment.html",
        title,
        item=item,
        volunteer_name=shown.volunteer_name,
        hours_total=shown.hours_total,
        errors=errors or {},
        form=form or {},
        done=done,
        roles=ROLES,
        status_code=status_code if errors else 200,
    )


def _render_lesson_request(
    request: Request, coordinator: Principal, errors: dict[str, str], form: dict[str, str], status_code: int = 422
) -> Response:
    choices = {code: name for code, name in municipalities().items() if coordinator.serves(code)}
    return render_page(
        request,
        "lesson_request.html",
        "Gastles aanvragen",
        errors=errors,
        form=form,
        choices=choices,
        status_code=status_code if errors else 200,
    )
