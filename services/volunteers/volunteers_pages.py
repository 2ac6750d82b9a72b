"""Pages of the volunteers service: the coordinator's overview and review, and the public sign-up form."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing import public_forms
from plumbing.access import Principal, Role, staff
from plumbing.audit import audit
from plumbing.paging import PER_PAGE, PageLinks, PageRequest, page_number
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.volunteers.assignments import (
    WAITING,
    NoPlace,
    NotFound,
    WrongState,
    assign,
    screen,
)
from services.volunteers.availability import PAUSE, RESUME, change_availability
from services.volunteers.domain import Screening, SignUp
from services.volunteers.labels import ROLES, STATUSES
from services.volunteers.queries import made_assignments, names_of, proposals, recent_assignments, registered_volunteers
from services.volunteers.scope import visible_request, visible_volunteer
from services.volunteers.settings import SettingsDep
from services.volunteers.sign_ups import sign_up

router = APIRouter(include_in_schema=False)
Coordinator = Annotated[Principal, staff(Role.VOLUNTEER_COORDINATOR)]
SCREENING_ERRORS = {
    "vog": "Vul de datum van de VOG in.",
    "vog_future": "De datum van de VOG ligt in de toekomst: vul de datum in die op de verklaring staat.",
    "getraind": "Kies minstens één training.",
}
LABELS = {"roles": ROLES, "statuses": STATUSES, "municipalities": municipalities()}


@router.get("/")
async def overview(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    fout: str = "",
    wachtend: str = "",
    koppelingen: str = "",
    vrijwilligers: str = "",
) -> Response:
    """The coordinator's municipalities only: the waiting requests (longest waiting first), the assignments and the
    volunteers, each a page at a time ("x–y van z"); the page numbers are the parameters named after the lists."""
    asked = {"wachtend": wachtend, "koppelingen": koppelingen, "vrijwilligers": vrijwilligers}
    pages = {name: PageRequest(page_number(value), PER_PAGE) for name, value in asked.items()}
    waiting, waiting_total = await recent_assignments(runtime.db, coordinator, WAITING, pages["wachtend"])
    assigned, assigned_total = await made_assignments(runtime.db, coordinator, pages["koppelingen"])
    volunteers, volunteers_total = await registered_volunteers(runtime.db, coordinator, pages["vrijwilligers"])
    names = await names_of(runtime.db, [item.get("volunteer_id") or "" for item in assigned])

    def links(name: str, shown: int, total: int) -> PageLinks:
        others = {other: value for other, value in asked.items() if other != name}
        return PageLinks.of(pages[name], shown, total, others)

    return render_page(
        request,
        "overview.html",
        "Vrijwilligers en koppelingen",
        waiting=waiting,
        assigned=assigned,
        volunteers=volunteers,
        paging={
            "wachtend": links("wachtend", len(waiting), waiting_total),
            "koppelingen": links("koppelingen", len(assigned), assigned_total),
            "vrijwilligers": links("vrijwilligers", len(volunteers), volunteers_total),
        },
        proposals=await proposals(runtime.db, settings, waiting),
        error=fout,
        names=names,
        **LABELS,
    )


@router.post("/koppelingen/{request_id}")
async def confirm(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    request_id: str,
    vrijwilliger: Annotated[str, Form()] = "",
) -> Response:
    try:
        await visible_request(runtime.db, coordinator, request_id)
        async with runtime.unit_of_work(request, coordinator) as work:
            chosen = await assign(work, settings, request_id, vrijwilliger or None)
    except (NotFound, NoPlace, WrongState):
        chosen = None
    if chosen is None:
        return RedirectResponse("/?fout=koppelen", status_code=status.HTTP_303_SEE_OTHER)
    return RedirectResponse("/?gekoppeld=1", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/vrijwilligers/{volunteer_id}")
async def review(request: Request, runtime: RuntimeDep, coordinator: Coordinator, volunteer_id: str) -> Response:
    await audit(runtime.db, request, coordinator, "volunteer.viewed", f"volunteer:{volunteer_id}")
    return await _render_review(request, runtime, coordinator, volunteer_id)


@router.post("/vrijwilligers/{volunteer_id}/screening")
async def screening_form(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    volunteer_id: str,
    vog: Annotated[str, Form()] = "",
    getraind: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        checked = Screening.model_validate({"certificate_of_conduct_date": vog, "trained_roles": getraind or []})
    except ValidationError as error:
        wrong = {str(problem["loc"][0]): problem["msg"] for problem in error.errors() if problem["loc"]}
        errors = {}
        if "certificate_of_conduct_date" in wrong:
            future = "lies in the future" in wrong["certificate_of_conduct_date"]
            errors["vog"] = SCREENING_ERRORS["vog_future" if future else "vog"]
        if "trained_roles" in wrong:
            errors["getraind"] = SCREENING_ERRORS["getraind"]
        message = "De screening is niet opgeslagen: " + " ".join(errors.values())
        return await _render_review(request, runtime, coordinator, volunteer_id, error=message, errors=errors)
    try:
        await visible_volunteer(runtime.db, coordinator, volunteer_id)
        async with runtime.unit_of_work(request, coordinator) as work:
            await screen(work, settings, volunteer_id, checked)
    except NotFound:
        return render_page(request, "not_found.html", "Vrijwilliger niet gevonden", status_code=404)
    except WrongState:
        message = (
            "De persoonsgegevens van deze vrijwilliger zijn na het vertrek gewist. Registreer de vrijwilliger "
            "opnieuw met naam, talen en contactgegevens en screen daarna."
        )
        return await _render_review(request, runtime, coordinator, volunteer_id, error=message)
    return RedirectResponse(f"/vrijwilligers/{volunteer_id}?geactiveerd=1", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/vrijwilligers/{volunteer_id}/{change}")
async def availability_form(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    volunteer_id: str,
    change: str,
) -> Response:
    """Pauses ("pauzeren") or resumes ("hervatten") a volunteer."""
    changes = {"pauzeren": PAUSE, "hervatten": RESUME}
    if change not in changes:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{change}: kies pauzeren of hervatten")
    try:
        await visible_volunteer(runtime.db, coordinator, volunteer_id)
        async with runtime.unit_of_work(request, coordinator) as work:
            await change_availability(work, settings, volunteer_id, changes[change])
    except NotFound:
        return render_page(request, "not_found.html", "Vrijwilliger niet gevonden", status_code=404)
    except WrongState:
        message = (
            "Alleen een actieve vrijwilliger kan worden gepauzeerd, en alleen een gepauzeerde hervat. "
            "Kijk hieronder wat de status nu is."
        )
        return await _render_review(request, runtime, coordinator, volunteer_id, error=message, status_code=409)
    done = "gepauzeerd" if change == "pauzeren" else "hervat"
    return RedirectResponse(f"/vrijwilligers/{volunteer_id}?{done}=1", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/aanmelden")
async def sign_up_page(request: Request) -> Response:
    return render_page(request, "sign_up.html", "Aanmelden als vrijwilliger", errors={}, form={}, **LABELS)


@router.post("/aanmelden")
async def sign_up_form(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    naam: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    telefoon: Annotated[str, Form()] = "",
    rollen: Annotated[list[str] | None, Form()] = None,
    gemeenten: Annotated[list[str] | None, Form()] = None,
    werkgever: Annotated[str, Form()] = "",
) -> Response:
    guarded = await public_forms.guard(request)  # rate, size and honeypot of a public form: before anything else
    form = {
        "naam": naam,
        "email": email,
        "telefoon": telefoon,
        "rollen": rollen or [],
        "gemeenten": gemeenten or [],
        "werkgever": werkgever,
    }
    try:
        signed = SignUp.model_validate(
            {
                "name": naam,
                "email": email,
                "phone": telefoon,
                "roles": rollen or [],
                "municipalities": gemeenten or [],
                "recruited_through": werkgever,
            }
        )
    except ValidationError as error:
        errors = {
            SIGN_UP_FIELDS[str(p["loc"][0])]: SIGN_UP_MESSAGES[SIGN_UP_FIELDS[str(p["loc"][0])]]
            for p in error.errors()
            if str(p["loc"][0]) in SIGN_UP_FIELDS
        }
        if guarded.honeypot_filled:
            return render_page(request, "signed_up.html", "Bedankt voor uw aanmelding", duplicate=False, **LABELS)
        return _refuse_sign_up(request, form, errors, guarded)
    if guarded.honeypot_filled:  # a bot: it sees what a person sees, and nothing is stored
        return render_page(request, "signed_up.html", "Bedankt voor uw aanmelding", duplicate=False, **LABELS)
    if guarded.too_long:
        return _refuse_sign_up(request, form, {}, guarded)
    signed_up = await sign_up(runtime.db, settings, signed)
    title = "U had zich al aangemeld" if signed_up.duplicate else "Bedankt voor uw aanmelding"
    return render_page(request, "signed_up.html", title, duplicate=signed_up.duplicate, **LABELS)


SIGN_UP_FIELDS = {
    "name": "naam",
    "email": "email",
    "phone": "telefoon",
    "roles": "rollen",
    "municipalities": "gemeenten",
    "recruited_through": "werkgever",
}
SIGN_UP_MESSAGES = {
    "naam": "Vul uw naam in.",
    "email": "Vul een geldig e-mailadres in.",
    "telefoon": "Vul een telefoonnummer in van hoogstens 30 tekens.",
    "rollen": "Kies minstens één rol.",
    "gemeenten": "Kies minstens één gemeente.",
    "werkgever": "De naam van de werkgever is te lang.",
}


def _refuse_sign_up(
    request: Request, form: dict[str, Any], errors: dict[str, str], guarded: public_forms.PublicForm
) -> Response:
    too_long = {
        name: f"Dit is te lang: hoogstens {guarded.max_field_chars} tekens."
        for name in guarded.too_long
        if name in SIGN_UP_MESSAGES
    }
    return render_page(
        request, "sign_up.html", "Aanmelden als vrijwilliger", errors={**errors, **too_long}, form=form,
        status_code=422, **LABELS,
    )  # fmt: skip


async def _render_review(
    request: Request,
    runtime: RuntimeDep,
    coordinator: Principal,
    volunteer_id: str,
    error: str = "",
    status_code: int = 422,
    errors: dict[str, str] | None = None,
) -> Response:
    try:
        volunteer = await visible_volunteer(runtime.db, coordinator, volunteer_id)
    except NotFound:
        return render_page(request, "not_found.html", "Vrijwilliger niet gevonden", status_code=404)
    return render_page(
        request,
        "review.html",
        volunteer["name"],
        volunteer=volunteer,
        error=error,
        errors=errors or {},
        activated=request.query_params.get("geactiveerd") == "1",
        paused=request.query_params.get("gepauzeerd") == "1",
        resumed=request.query_params.get("hervat") == "1",
        status_code=status_code if error else 200,
        **LABELS,
    )
