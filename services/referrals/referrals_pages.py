"""Staff and partner pages of the referrals service."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import CASEWORKERS, Principal, Role, staff
from plumbing.paging import PageLinks, PageRequest, page_number
from plumbing.web import RuntimeDep, render_page
from services.referrals.catalogue import all_offers
from services.referrals.cohort import progress
from services.referrals.domain import IllegalTransition, ReferralState, Result
from services.referrals.labels import KINDS, NEEDS, PHASES, RESULTS, STATES
from services.referrals.lifecycle import Conflict, NoCapacity, ReferralNotFound, get_referral, move
from services.referrals.referrals_api import (
    Complete,
    Decline,
    Selection,
    actor,
    passed_on,
    recent_referrals,
    visible_referral,
)

router = APIRouter(include_in_schema=False)
LABELS = {"states": STATES, "phases": PHASES, "needs": NEEDS, "results": RESULTS, "kinds": KINDS}
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
    referrals, total = await recent_referrals(runtime, caller, Selection(unmet=unmet_only, page=page))
    _, waiting = await recent_referrals(runtime, caller, Selection(unmet=True, page=PageRequest(1, 1)))
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


@router.post("/verwijzingen/{referral_id}/{action}")
async def referral_action(
    request: Request,
    runtime: RuntimeDep,
    caller: Handler,
    referral_id: str,
    action: str,
    reden: Annotated[str, Form()] = "",
    resultaat: Annotated[str, Form()] = "",
) -> Response:
    wanted = {
        "accepteren": ReferralState.ACCEPTED,
        "afwijzen": ReferralState.DECLINED,
        "starten": ReferralState.IN_PROGRESS,
        "afronden": ReferralState.COMPLETED,
    }.get(action)
    if wanted is None:
        return await _render(request, runtime, referral_id, error="Onbekende actie.")
    try:
        reason = Decline(reason=reden).reason if wanted is ReferralState.DECLINED else ""
        result: Result | None = (
            Complete.model_validate({"result": resultaat}).result if (wanted is ReferralState.COMPLETED) else None
        )
    except ValidationError:
        message = "Geef een reden op." if wanted is ReferralState.DECLINED else "Kies een resultaat."
        return await _render(request, runtime, referral_id, error=message)
    try:
        await visible_referral(runtime, referral_id, caller)
        settings = request.app.state.settings
        async with runtime.unit_of_work(request, caller) as work:
            moved = await move(work, settings, referral_id, wanted, actor(caller), reason=reason, result=result)
    except (IllegalTransition, Conflict):
        return await _render(request, runtime, referral_id, error="Deze stap kan nu niet; de verwijzing is veranderd.")
    except NoCapacity:
        return await _render(request, runtime, referral_id, error="Er is geen plek meer vrij bij dit aanbod.")
    if passed_on(moved, caller):  # declined by this partner: no longer its referral to see
        return RedirectResponse("/?afgewezen=1", status_code=status.HTTP_303_SEE_OTHER)
    return RedirectResponse(f"/verwijzingen/{referral_id}?opgeslagen=1", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/doorbraak")
async def cohort_page(request: Request, runtime: RuntimeDep, worker: Caseworker) -> Response:
    return render_page(request, "cohort.html", "Doorbraakmethode", cohort=await progress(runtime.db))


async def _render(request: Request, runtime: RuntimeDep, referral_id: str, error: str = "") -> Response:
    try:
        await get_referral(runtime.db, referral_id)
    except ReferralNotFound:
        return render_page(request, "not_found.html", "Verwijzing niet gevonden", status_code=404)
    referral = await visible_referral(runtime, referral_id, request.state.principal)
    return render_page(
        request,
        "referral.html",
        "Verwijzing",
        referral=referral,
        error=error,
        saved=request.query_params.get("opgeslagen") == "1",
        status_code=409 if error else 200,
        **LABELS,
    )
