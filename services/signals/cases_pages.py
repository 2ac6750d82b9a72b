"""Staff pages of the signals service: a case, its contact attempts and closing it (the queue: worklist_pages)."""

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import CASEWORKERS, Principal, may_see_municipality, staff
from plumbing.audit import audit, reason_given
from plumbing.forms import messages_beside_fields
from plumbing.reference import municipalities, municipality_name
from plumbing.web import RuntimeDep, render_page
from services.signals.assignment import assignment_view
from services.signals.bundling import OPEN
from services.signals.casework import (
    CaseClose,
    CaseNotFound,
    CaseNotOpen,
    ContactAttemptCreate,
    OutcomeDoesNotFit,
    close_case,
    get_case,
    is_overdue,
    log_contact_attempt,
)
from services.signals.help_requests import opened_requests
from services.signals.labels import (
    CONTACT_KINDS,
    CREDITOR_TYPES,
    DECLINE_CATEGORIES,
    OUTCOMES,
    PARTS_OF_DAY,
    REFERRAL_RESULTS,
    REFERRAL_STATES,
    STATUSES,
)
from services.signals.partner_names import partner_names
from services.signals.referral_news import referrals_of
from services.signals.retention import closes_by_itself_on
from services.signals.rules import closing_outcomes
from services.signals.sealing import Sealer
from services.signals.settings import SettingsDep, SignalsSettings

router = APIRouter(include_in_schema=False)
OptionalText = Annotated[str | None, Query()]
Caseworker = Annotated[Principal, staff(*CASEWORKERS)]
ASSIGNMENT_DONE = {
    "zelf": "U heeft de casus in behandeling genomen.",
    "toegewezen": "De casus is toegewezen.",
    "teruggegeven": "De casus is teruggegeven en niet meer toegewezen.",
}
REASONS = {
    "contact": "Contact opnemen met het huishouden",
    "vervolg": "Vervolg na contact (hulp of verwijzing)",
    "afsluiten": "Casus afsluiten of terugmelden",
    "kwaliteit": "Kwaliteitscontrole of klacht",
}


@router.get("/casussen/{case_id}")
async def case_page(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    worker: Caseworker,
    case_id: str,
    reden: OptionalText = None,
) -> Response:
    """A case shows personal data: the worker says why they open it, once per session, and that is logged."""
    record = f"case:{case_id}"
    if await reason_given(runtime.db, worker, record) is None:
        if reden not in REASONS:
            return render_page(
                request, "reason.html", "Waarom opent u deze casus?", case_id=case_id, reasons=REASONS,
                error="gevraagd" in request.query_params,
            )  # fmt: skip
        await audit(runtime.db, request, worker, "case.opened", record, reason=REASONS[reden])
    else:
        await audit(runtime.db, request, worker, "case.viewed", record)
    return await _render_case(request, runtime, settings, case_id)


@router.post("/casussen/{case_id}/contactpoging")
async def contact_attempt_form(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    worker: Caseworker,
    case_id: str,
    soort: Annotated[str, Form()] = "",
    datum: Annotated[str, Form()] = "",
    dagdeel: Annotated[str, Form()] = "",
    bereikt: Annotated[str, Form()] = "",
    notitie: Annotated[str, Form()] = "",
) -> Response:
    try:
        attempt = ContactAttemptCreate.model_validate(
            {"kind": soort, "on": datum, "part_of_day": dagdeel, "reached": bereikt == "ja", "note": notitie}
        )
    except ValidationError as error:
        return await _render_case(
            request,
            runtime,
            settings,
            case_id,
            errors=messages_beside_fields(error, CONTACT_FIELDS),
            form={"soort": soort, "datum": datum, "dagdeel": dagdeel, "bereikt": bereikt, "notitie": notitie},
        )
    try:
        await _own(runtime, worker, case_id)
        async with runtime.unit_of_work(request, worker) as work:
            await log_contact_attempt(work, settings, case_id, attempt)
    except (CaseNotFound, CaseNotOpen):
        return await _render_case(request, runtime, settings, case_id, errors={"": "Deze casus is niet (meer) open."})
    return RedirectResponse(f"/casussen/{case_id}?gelogd=1", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/casussen/{case_id}/afsluiten")
async def close_form(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    worker: Caseworker,
    case_id: str,
    uitkomst: Annotated[str, Form()] = "",
    toelichting: Annotated[str, Form()] = "",
) -> Response:
    try:
        closing = CaseClose.model_validate({"outcome": uitkomst, "note": toelichting})
    except ValidationError as error:
        return await _render_case(
            request, runtime, settings, case_id, errors=messages_beside_fields(error, CLOSE_FIELDS)
        )
    try:
        await _own(runtime, worker, case_id)
        async with runtime.unit_of_work(request, worker) as work:
            await close_case(work, settings, case_id, closing)
    except (CaseNotFound, CaseNotOpen):
        return await _render_case(request, runtime, settings, case_id, errors={"": "Deze casus is niet (meer) open."})
    except OutcomeDoesNotFit:
        message = "Deze uitkomst past niet bij deze casus; kies een van de genoemde uitkomsten."
        return await _render_case(request, runtime, settings, case_id, errors={"uitkomst": message})
    return RedirectResponse(f"/casussen/{case_id}?afgesloten=1", status_code=status.HTTP_303_SEE_OTHER)


async def _own(runtime: RuntimeDep, worker: Principal, case_id: str) -> None:
    may_see_municipality(worker, (await get_case(runtime.db, case_id))["municipality"])


CONTACT_FIELDS = {
    "kind": ("soort", "Kies de soort contactpoging."),
    "on": ("datum", "Vul een datum in, niet in de toekomst."),
    "part_of_day": ("dagdeel", "Kies een dagdeel."),
    "note": ("notitie", "De notitie is te lang."),
}
CLOSE_FIELDS = {"outcome": ("uitkomst", "Kies een uitkomst."), "note": ("toelichting", "De toelichting is te lang.")}


async def _render_case(
    request: Request,
    runtime: RuntimeDep,
    settings: SignalsSettings,
    case_id: str,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    try:
        case = await get_case(runtime.db, case_id)
    except CaseNotFound:
        return render_page(request, "not_found.html", "Casus niet gevonden", status_code=404)
    may_see_municipality(request.state.principal, case["municipality"])
    title = f"Casus {case['postcode_area']} · {municipality_name(case['municipality'])}"
    return render_page(
        request,
        "case.html",
        title,
        case=case,
        personal=Sealer(settings).open(case["personal"]),
        help_requests=opened_requests(case, request.app.state.settings),
        overdue=is_overdue(case),
        errors=errors or {},
        form=form or {"datum": date.today().isoformat()},
        contact_kinds=CONTACT_KINDS,
        parts_of_day=PARTS_OF_DAY,
        outcomes=OUTCOMES,
        closing_outcomes=[outcome.value for outcome in closing_outcomes(case["status"] == OPEN)],
        closes_on=closes_by_itself_on(case, settings),
        creditor_types=CREDITOR_TYPES,
        statuses=STATUSES,
        municipalities=municipalities(),
        status_code=422 if errors else 200,
        logged=request.query_params.get("gelogd") == "1",
        closed=request.query_params.get("afgesloten") == "1",
        assignment=await assignment_view(runtime.db, request.app.state.settings, request.state.principal, case),
        assignment_done=ASSIGNMENT_DONE.get(request.query_params.get("toewijzing") or "", ""),
        referrals=await referrals_of(runtime.db, case["household_ref"]),
        partner_names=await partner_names(runtime.db, [creditor["partner"] for creditor in case["creditors"]]),
        refer_url=refer_url(request.app.state.settings.referrals_url, case),
        referral_labels={"states": REFERRAL_STATES, "results": REFERRAL_RESULTS, "categories": DECLINE_CATEGORIES},
    )


def refer_url(referrals_url: str, case: dict[str, Any]) -> str:
    """Where the worker hands the household on: the referrals service's page, with the pseudonym, municipality
    and case id that the case's events carry already (no personal data)."""
    query = urlencode({"huishouden": case["household_ref"], "gemeente": case["municipality"], "casus": case["_id"]})
    return f"{referrals_url}/verwijzen?{query}"
