"""Staff and partner pages of the referrals service."""

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import CASEWORKERS, Principal, Role, may_see_municipality, staff
from plumbing.paging import PageLinks, PageRequest, page_number
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.referrals.catalogue import all_offers
from services.referrals.domain import DeclineCategory, IllegalTransition, MatchRequest, ReferralState, Result
from services.referrals.handling import (
    OtherPartnersReferral,
    Selection,
    Step,
    passed_on,
    recent_referrals,
    take_step,
    visible_referral,
)
from services.referrals.labels import DECLINE_CATEGORIES, KINDS, NEEDS, PHASES, RESULTS, STATES
from services.referrals.lifecycle import (
    Conflict,
    NoCapacity,
    OfferDoesNotFit,
    ReferralNotFound,
    create_referral,
)
from services.referrals.settings import SettingsDep

router = APIRouter(include_in_schema=False)
LABELS = {
    "states": STATES,
    "phases": PHASES,
    "needs": NEEDS,
    "results": RESULTS,
    "kinds": KINDS,
    "categories": DECLINE_CATEGORIES,
}
Handler = Annotated[Principal, staff(*CASEWORKERS, Role.PARTNER_EMPLOYEE)]
Caseworker = Annotated[Principal, staff(*CASEWORKERS)]


@router.get("/")
async def overview(
    request: Request,
    runtime: RuntimeDep,
    caller: Handler,
    pagina: str = "1",
    wachtend: str = "",
) -> Response:
    """Referrals a page at a time ("x–y van z"); staff see how many wait for an offer and can list only those.
    A page number that is not one shows the first page rather than an error."""
    page = PageRequest(page_number(pagina))
    unmet_only = wachtend == "1"
    referrals, total = await recent_referrals(runtime.db, caller, Selection(unmet=unmet_only, page=page))
    _, waiting = await recent_referrals(runtime.db, caller, Selection(unmet=True, page=PageRequest(1, 1)))
    return render_page(
        request,
        "overview.html",
        "Hulpaanbod en verwijzingen",
        offers=await all_offers(runtime.db),
        referrals=referrals,
        paging=PageLinks.of(page, len(referrals), total, {"wachtend": "1" if unmet_only else ""}),
        unmet_only=unmet_only,
        declined=request.query_params.get("afgewezen") == "1",
        waiting=waiting,
        **LABELS,
    )


@router.get("/verwijzingen/{referral_id}")
async def referral_page(request: Request, runtime: RuntimeDep, caller: Handler, referral_id: str) -> Response:
    return await _render(request, runtime, referral_id)


ACTIONS = {
    "accepteren": ReferralState.ACCEPTED,
    "afwijzen": ReferralState.DECLINED,
    "starten": ReferralState.IN_PROGRESS,
    "afronden": ReferralState.COMPLETED,
}


@router.post("/verwijzingen/{referral_id}/{action}")
async def referral_action(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    caller: Handler,
    referral_id: str,
    action: str,
    reden: Annotated[str, Form()] = "",
    toelichting: Annotated[str, Form()] = "",
    resultaat: Annotated[str, Form()] = "",
) -> Response:
    """The partner's (or a caseworker's) step in the closed loop, through the same use case as the API."""
    wanted = ACTIONS.get(action)
    if wanted is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "onbekende actie")
    step, errors = _step(wanted, reden, toelichting.strip(), resultaat)
    if errors:
        form = {"reden": reden, "toelichting": toelichting, "resultaat": resultaat}
        return await _render(request, runtime, referral_id, errors=errors, form=form, status_code=422)
    try:
        async with runtime.unit_of_work(request, caller) as work:
            _, moved = await take_step(work, settings, referral_id, caller, step)
    except ReferralNotFound:
        return render_page(request, "not_found.html", "Verwijzing niet gevonden", status_code=404)
    except OtherPartnersReferral as error:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "deze verwijzing is voor het aanbod van een andere partner"
        ) from error
    except (IllegalTransition, Conflict):
        message = "Deze stap kan nu niet; de verwijzing is intussen veranderd."
        return await _render(request, runtime, referral_id, errors={"": message}, status_code=409)
    except NoCapacity:
        message = "Er is geen plek meer vrij bij dit aanbod."
        return await _render(request, runtime, referral_id, errors={"": message}, status_code=409)
    if passed_on(moved, caller):  # declined by this partner: no longer its referral to see
        return RedirectResponse("/?afgewezen=1", status_code=status.HTTP_303_SEE_OTHER)
    return RedirectResponse(f"/verwijzingen/{referral_id}?opgeslagen=1", status_code=status.HTTP_303_SEE_OTHER)


def _step(wanted: ReferralState, reason: str, explanation: str, result: str) -> tuple[Step, dict[str, str]]:
    """The step a form asks for, or the Dutch message beside each field at fault."""
    if wanted is ReferralState.DECLINED:
        if reason not in DECLINE_CATEGORIES:
            return Step(wanted), {"reden": "Kies een reden."}
        if len(explanation) > 500:
            return Step(wanted), {"toelichting": "De toelichting mag hoogstens 500 tekens zijn."}
        category = DeclineCategory(reason)
        return Step(wanted, reason=explanation or DECLINE_CATEGORIES[reason], category=category), {}
    if wanted is ReferralState.COMPLETED:
        if result not in RESULTS:
            return Step(wanted), {"resultaat": "Kies een resultaat."}
        return Step(wanted, result=Result(result)), {}
    return Step(wanted), {}


async def _render(
    request: Request,
    runtime: RuntimeDep,
    referral_id: str,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        referral = await visible_referral(runtime.db, referral_id, request.state.principal)
    except ReferralNotFound:
        return render_page(request, "not_found.html", "Verwijzing niet gevonden", status_code=404)
    except OtherPartnersReferral as error:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "deze verwijzing is voor het aanbod van een andere partner"
        ) from error
    return render_page(
        request,
        "referral.html",
        "Verwijzing",
        referral=referral,
        errors=errors or {},
        form=form or {},
        saved=request.query_params.get("opgeslagen") == "1",
        status_code=status_code,
        **LABELS,
    )


CASE_ID = re.compile(r"^case-[0-9a-f]{8,64}-[0-9]{1,6}$")
REFERRAL_FIELDS = {
    "household_ref": ("huishouden", "Vul de huishoudreferentie in (hh- gevolgd door letters en cijfers)."),
    "municipality": ("gemeente", "Kies een gemeente waarvoor u werkt."),
    "needs": ("behoeften", "Kies minstens één hulpvraag."),
    "age": ("leeftijd", "Vul een leeftijd in hele jaren in (0 tot en met 150), of laat het leeg."),
    "offer_id": ("aanbod", "Kies een aanbod uit de lijst."),
}


@router.get("/verwijzen")
async def referral_form(
    request: Request,
    runtime: RuntimeDep,
    worker: Caseworker,
    huishouden: str = "",
    gemeente: str = "",
    casus: str = "",
) -> Response:
    """The outreach worker hands a household on with chosen needs, or to a chosen offer; reached from the case
    page of the signals service with the household's pseudonym, its municipality and the case (what the case's
    events carry already)."""
    form = {"huishouden": huishouden, "gemeente": gemeente, "casus": casus if CASE_ID.match(casus) else ""}
    return await _referral_form(request, runtime, worker, form)


@router.post("/verwijzen")
async def refer(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    worker: Caseworker,
    huishouden: Annotated[str, Form()] = "",
    gemeente: Annotated[str, Form()] = "",
    casus: Annotated[str, Form()] = "",
    behoeften: Annotated[list[str] | None, Form()] = None,
    aanbod: Annotated[str, Form()] = "",
    leeftijd: Annotated[str, Form()] = "",
) -> Response:
    chosen = behoeften or []
    form: dict[str, Any] = {
        "huishouden": huishouden.strip(),
        "gemeente": gemeente,
        "casus": casus if CASE_ID.match(casus) else "",
        "behoeften": chosen,
        "aanbod": aanbod,
        "leeftijd": leeftijd.strip(),
    }
    errors: dict[str, str] = {}
    if not re.fullmatch(r"hh-[0-9a-f]{8,64}", form["huishouden"]):
        errors["huishouden"] = REFERRAL_FIELDS["household_ref"][1]
    if not worker.serves(gemeente):
        errors["gemeente"] = REFERRAL_FIELDS["municipality"][1]
    if aanbod and not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", aanbod):
        errors["aanbod"] = REFERRAL_FIELDS["offer_id"][1]
    age = form["leeftijd"]
    try:
        wanted = MatchRequest.model_validate(
            {"municipality": gemeente, "needs": chosen, "age": int(age) if age.isdigit() else (age or None)}
        )
    except ValidationError as error:
        for problem in error.errors():
            name, message = REFERRAL_FIELDS.get(str(problem["loc"][0]) if problem["loc"] else "", ("", problem["msg"]))
            errors.setdefault(name, message)
    if errors:
        return await _referral_form(request, runtime, worker, form, errors)
    may_see_municipality(worker, gemeente)
    referral_id = form["casus"] or f"ref-{uuid.uuid4().hex[:16]}"
    try:
        async with runtime.unit_of_work(request, worker) as work:
            created = await create_referral(
                work,
                settings,
                referral_id,
                form["huishouden"],
                wanted,
                "staff",
                offer_id=aanbod or None,
            )
    except OfferDoesNotFit as error:
        why = str(error).removeprefix("offer_id: ")
        return await _referral_form(request, runtime, worker, form, {"aanbod": f"Dit aanbod past niet: {why}."})
    if not created:
        message = "Voor deze casus is al een verwijzing gemaakt; zie het overzicht van verwijzingen."
        return await _referral_form(request, runtime, worker, form, {"": message}, status_code=409)
    return RedirectResponse(f"/verwijzingen/{referral_id}?opgeslagen=1", status_code=status.HTTP_303_SEE_OTHER)


async def _referral_form(
    request: Request,
    runtime: RuntimeDep,
    worker: Principal,
    form: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int | None = None,
) -> Response:
    own = {code: name for code, name in municipalities().items() if worker.serves(code)}
    offers = await all_offers(runtime.db)
    usable = [offer for offer in offers if offer.kind.value != "outreach" and set(offer.municipalities) & set(own)]
    return render_page(
        request,
        "refer.html",
        "Huishouden doorverwijzen",
        form=form,
        errors=errors or {},
        municipalities=own,
        offers=usable,
        status_code=status_code or (422 if errors else 200),
        **LABELS,
    )
