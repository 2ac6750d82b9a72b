"""Pages of the Doorbraakmethode cohort for caseworkers: the cohort's places, enrolling a household with its plan,
ticking the plan's steps and leaving; the same use cases as the cohort's API (services.referrals.cohort)."""

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import CASEWORKERS, Principal, may_see_municipality, staff
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.referrals.cohort import (
    AlreadyEnrolled,
    AlreadyLeft,
    CohortFull,
    Enrolment,
    ExitReason,
    NotEnrolled,
    enrol,
    leave,
    mark_step_done,
    member_plan,
    progress,
)
from services.referrals.events import EVENTS_TOPIC

router = APIRouter(include_in_schema=False)
Caseworker = Annotated[Principal, staff(*CASEWORKERS)]
STEP_ROWS = 5
REVIEW_ROWS = 3
EXIT_REASONS = {
    "plan_completed": "Plan afgerond",
    "dropped_out": "Uitgevallen",
    "moved": "Verhuisd",
    "referred_on": "Doorverwezen",
}


@router.get("/doorbraak")
async def cohort_page(request: Request, runtime: RuntimeDep, worker: Caseworker) -> Response:
    return render_page(
        request,
        "cohort.html",
        "Doorbraakmethode",
        cohort=await progress(runtime.db),
        enrolled=request.query_params.get("ingeschreven", ""),
        exit_reasons=EXIT_REASONS,
    )


@router.get("/doorbraak/inschrijven")
async def enrol_page(request: Request, worker: Caseworker, huishouden: str = "", gemeente: str = "") -> Response:
    return _enrol_form(request, worker, {"huishouden": huishouden, "gemeente": gemeente})


@router.post("/doorbraak/inschrijven")
async def enrol_form(request: Request, runtime: RuntimeDep, worker: Caseworker) -> Response:
    received = await request.form()
    form = {name: str(value).strip() for name, value in received.items() if name != "csrf"}
    steps = [
        {"text": form.get(f"stap_{row}", ""), "due": form.get(f"stap_datum_{row}", "")}
        for row in range(STEP_ROWS)
        if form.get(f"stap_{row}") or form.get(f"stap_datum_{row}")
    ]
    rows = [row for row in range(STEP_ROWS) if form.get(f"stap_{row}") or form.get(f"stap_datum_{row}")]
    fields = {
        "household_ref": form.get("huishouden", ""),
        "municipality": form.get("gemeente", ""),
        "goals": [line.strip() for line in form.get("doelen", "").splitlines() if line.strip()],
        "steps": steps,
        "reviews": [form[f"evaluatie_{row}"] for row in range(REVIEW_ROWS) if form.get(f"evaluatie_{row}")],
    }
    try:
        enrolment = Enrolment.model_validate(fields)
    except ValidationError as error:
        return _enrol_form(request, worker, form, _errors(error, rows))
    if not worker.serves(enrolment.municipality):
        return _enrol_form(request, worker, form, {"gemeente": "Kies een gemeente waarvoor u werkt."})
    try:
        async with runtime.unit_of_work(request, worker) as work:
            await enrol(work, runtime.settings.topic(EVENTS_TOPIC), enrolment)
    except CohortFull:
        return _enrol_form(request, worker, form, {"": "De cohort is vol: er is geen plek meer vrij."}, 409)
    except AlreadyEnrolled:
        return _enrol_form(request, worker, form, {"huishouden": "Dit huishouden is al ingeschreven."}, 409)
    return RedirectResponse(f"/doorbraak/{enrolment.household_ref}?ingeschreven=1", status.HTTP_303_SEE_OTHER)


@router.get("/doorbraak/{household_ref}")
async def plan_page(request: Request, runtime: RuntimeDep, worker: Caseworker, household_ref: str) -> Response:
    return await _plan(request, runtime, worker, household_ref)


@router.post("/doorbraak/{household_ref}/stappen")
async def steps_done(
    request: Request,
    runtime: RuntimeDep,
    worker: Caseworker,
    household_ref: str,
    stap: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Ticks the chosen steps; a step ticked before stays ticked and announces nothing new."""
    member = await _own_member(runtime, worker, household_ref)
    chosen = sorted({int(value) for value in stap or [] if value.isdigit()})
    if not chosen or any(index >= len(member["steps"]) for index in chosen):
        return await _plan(request, runtime, worker, household_ref, {"stap": "Vink minstens één stap aan."})
    async with runtime.unit_of_work(request, worker) as work:
        for index in chosen:  # at most the plan's 30 steps
            await mark_step_done(work, runtime.settings.topic(EVENTS_TOPIC), household_ref, index)
    return RedirectResponse(f"/doorbraak/{household_ref}?opgeslagen=1", status.HTTP_303_SEE_OTHER)


@router.post("/doorbraak/{household_ref}/uitschrijven")
async def exit_form(
    request: Request, runtime: RuntimeDep, worker: Caseworker, household_ref: str, reden: Annotated[str, Form()] = ""
) -> Response:
    await _own_member(runtime, worker, household_ref)
    if reden not in EXIT_REASONS:
        return await _plan(request, runtime, worker, household_ref, {"reden": "Kies een reden."})
    try:
        async with runtime.unit_of_work(request, worker) as work:
            await leave(work, runtime.settings.topic(EVENTS_TOPIC), household_ref, ExitReason(reden))
    except AlreadyLeft:
        message = "Dit huishouden heeft de cohort al verlaten."
        return await _plan(request, runtime, worker, household_ref, {"": message}, 409)
    return RedirectResponse(f"/doorbraak/{household_ref}?uitgeschreven=1", status.HTTP_303_SEE_OTHER)


async def _own_member(runtime: RuntimeDep, worker: Principal, household_ref: str) -> dict[str, Any]:
    try:
        member = await member_plan(runtime.db, household_ref)
    except NotEnrolled as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dit huishouden is niet in de cohort") from error
    may_see_municipality(worker, member["municipality"])
    return member


async def _plan(
    request: Request,
    runtime: RuntimeDep,
    worker: Principal,
    household_ref: str,
    errors: dict[str, str] | None = None,
    status_code: int | None = None,
) -> Response:
    member = await _own_member(runtime, worker, household_ref)
    return render_page(
        request,
        "cohort_member.html",
        "Plan Doorbraakmethode",
        member=member,
        errors=errors or {},
        exit_reasons=EXIT_REASONS,
        today=date.today().isoformat(),
        notice={"ingeschreven": "Ingeschreven.", "opgeslagen": "Opgeslagen.", "uitgeschreven": "Uitgeschreven."},
        status_code=status_code or (422 if errors else 200),
    )


def _enrol_form(
    request: Request,
    worker: Principal,
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int | None = None,
) -> Response:
    return render_page(
        request,
        "cohort_enrol.html",
        "Inschrijven in de Doorbraakmethode",
        form=form,
        errors=errors or {},
        municipalities={code: name for code, name in municipalities().items() if worker.serves(code)},
        step_rows=range(STEP_ROWS),
        review_rows=range(REVIEW_ROWS),
        status_code=status_code or (422 if errors else 200),
    )


def _errors(error: ValidationError, rows: list[int]) -> dict[str, str]:
    """The Dutch message beside each field at fault; a step's fields by the form row it came from."""
    messages: dict[str, str] = {}
    for problem in error.errors():
        location = [str(part) for part in problem["loc"]]
        head = location[0] if location else ""
        if head == "household_ref":
            messages.setdefault("huishouden", "Vul de huishoudreferentie in (hh- gevolgd door letters en cijfers).")
        elif head == "municipality":
            messages.setdefault("gemeente", "Kies een gemeente.")
        elif head == "goals":
            messages.setdefault("doelen", "Schrijf minstens één doel op, één per regel (hoogstens 10).")
        elif head == "steps" and len(location) >= 3 and re.fullmatch(r"\d+", location[1]):
            row = rows[int(location[1])]
            if location[2] == "due":
                messages.setdefault(f"stap_datum_{row}", "Vul een datum in voor deze stap.")
            else:
                messages.setdefault(f"stap_{row}", "Beschrijf deze stap (hoogstens 300 tekens).")
        elif head == "steps":
            messages.setdefault("stap_0", "Zet minstens één stap in het plan.")
        elif head == "reviews":
            messages.setdefault("evaluatie_0", "Vul minstens één geldige evaluatiedatum in.")
    return messages
