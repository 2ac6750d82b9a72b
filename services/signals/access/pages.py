"""Signing in and out, and the administrator's page for member organisations and staff accounts."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import (
    ROLE_LABELS,
    SESSION_COOKIE,
    SESSION_SECONDS,
    Principal,
    Role,
    enrolling,
    issue_token,
    staff,
)
from plumbing.audit import audit
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.signals.access import accounts, partners
from services.signals.access.accounts import AccountCreate, AccountExists, NoSuchEmployer, SecondFactorNeeded
from services.signals.access.administration import OwnAccount, admit_member, deactivate_account, member_leaves
from services.signals.access.partners import PartnerCreate, PartnerExists, UnknownPartner
from services.signals.access.totp import provisioning_uri
from services.signals.labels import PARTNER_TYPES
from services.signals.sealing import Sealer
from services.signals.settings import SettingsDep

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]
AnyStaff = Annotated[Principal, enrolling()]
Text = Annotated[str, Form()]
HOME_OF_ROLE = {
    Role.OUTREACH_WORKER: "signals_url",
    Role.DEBT_SPECIALIST: "signals_url",
    Role.VOLUNTEER_COORDINATOR: "volunteers_url",
    Role.PARTNER_EMPLOYEE: "referrals_url",
    Role.PROGRAMME_LEAD: "reporting_url",
    Role.ADMINISTRATOR: "signals_url",
    Role.EMPLOYER_HR: "signals_url",
}


@router.get("/inloggen")
async def sign_in_page(request: Request, volgende: str = "") -> Response:
    return render_page(request, "sign_in.html", "Inloggen", form={"volgende": volgende}, error="")


@router.post("/inloggen")
async def sign_in(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    gebruikersnaam: Text = "",
    wachtwoord: Text = "",
    code: Text = "",
    volgende: Text = "",
) -> Response:
    who = gebruikersnaam.strip().lower()

    def again(status_code: int, error: str) -> Response:
        form = {"gebruikersnaam": gebruikersnaam, "volgende": volgende}
        return render_page(request, "sign_in.html", "Inloggen", status_code=status_code, form=form, error=error)

    wait = await accounts.wait_before_sign_in(runtime.db, who, request.client.host if request.client else "")
    if wait > 0:
        return again(429, f"Te vaak een verkeerd wachtwoord vanaf dit adres. Probeer het over {wait} seconden opnieuw.")
    try:
        principal = await accounts.sign_in(runtime.db, who, wachtwoord, code, Sealer(settings))
    except SecondFactorNeeded:
        await audit(runtime.db, request, None, "sign_in.page", who, "refused: one-time code", who=who)
        return again(401, "Vul de code uit uw authenticator-app in (zes cijfers).")
    await audit(runtime.db, request, principal, "sign_in.page", who, "ok" if principal else "refused", who=who)
    if principal is None:
        return again(401, "Gebruikersnaam of wachtwoord klopt niet.")
    assert principal.role is not None
    target = _safe_next(volgende, settings) or getattr(settings, HOME_OF_ROLE[principal.role]) + "/"
    if principal.role is Role.ADMINISTRATOR and not _safe_next(volgende, settings):
        target = "/beheer"
    if principal.role is Role.EMPLOYER_HR and not _safe_next(volgende, settings):
        target = "/werkgeversloket"
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        issue_token(settings, principal, SESSION_SECONDS),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=not settings.dev_mode,
    )
    return response


def _safe_next(target: str, settings: object) -> str:
    """Only back to a page of this platform: no open redirect."""
    if target.startswith("/") and not target.startswith("//"):
        return target
    origins = [getattr(settings, name) for name in ("signals_url", "referrals_url", "volunteers_url", "reporting_url")]
    return target if any(target.startswith(origin + "/") for origin in origins) else ""


@router.post("/uitloggen")
async def sign_out(request: Request, runtime: RuntimeDep, settings: SettingsDep, who: AnyStaff) -> Response:
    async with runtime.unit_of_work(request, who) as work:
        await accounts.end_session(work, settings, who)
    response = RedirectResponse("/inloggen", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/beheer")
async def admin_page(request: Request, runtime: RuntimeDep, admin: Administrator) -> Response:
    return await _render_admin(request, runtime)


async def _render_admin(
    request: Request,
    runtime: RuntimeDep,
    errors: dict[str, str] | None = None,
    issued: dict[str, str] | None = None,
    form: Mapping[str, object] | None = None,
) -> Response:
    return render_page(
        request,
        "admin.html",
        "Beheer: leden en accounts",
        status_code=422 if errors else 200,
        partners=await partners.listing(runtime.db),
        accounts=await accounts.listing(runtime.db),
        partner_types=PARTNER_TYPES,
        roles=ROLE_LABELS,
        municipalities=municipalities(),
        errors=errors or {},
        issued=issued,
        form=form or {},
    )


@router.post("/beheer/leden")
async def register_partner(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    admin: Administrator,
    code: Text = "",
    naam: Text = "",
    soort: Text = "",
    gemeenten: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {"code": code, "naam": naam, "soort": soort, "gemeenten": gemeenten or []}
    try:
        details = PartnerCreate.model_validate(
            {"id": code, "name": naam, "type": soort, "municipalities": gemeenten or []}
        )
        secret = await admit_member(runtime, settings, request, admin, details)
    except ValidationError as error:
        names = {"id": "code", "name": "naam", "type": "soort", "municipalities": "gemeenten"}
        errors = {names.get(str(problem["loc"][0]), ""): problem["msg"] for problem in error.errors()}
        return await _render_admin(request, runtime, errors=errors, form=form)
    except PartnerExists:
        return await _render_admin(request, runtime, errors={"code": "Deze code is al in gebruik."}, form=form)
    return await _render_admin(request, runtime, issued={"client_id": details.id, "client_secret": secret})


@router.post("/beheer/leden/{partner_id}/vertrek")
async def partner_leaves(
    request: Request, runtime: RuntimeDep, settings: SettingsDep, admin: Administrator, partner_id: str
) -> Response:
    try:
        await member_leaves(runtime, settings, request, admin, partner_id)
    except UnknownPartner:
        return await _render_admin(request, runtime, errors={"": "Dit lid bestaat niet."})
    return RedirectResponse("/beheer", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/beheer/accounts")
async def create_account(
    request: Request,
    runtime: RuntimeDep,
    admin: Administrator,
    gebruikersnaam: Text = "",
    naam: Text = "",
    rol: Text = "",
    gemeenten: Annotated[list[str] | None, Form()] = None,
    regio: Text = "",
    organisatie: Text = "",
    wachtwoord: Text = "",
) -> Response:
    form = {"gebruikersnaam": gebruikersnaam, "naam": naam, "rol": rol, "gemeenten": gemeenten or [],
            "organisatie": organisatie}  # fmt: skip
    try:
        account = AccountCreate.model_validate(
            {
                "username": gebruikersnaam,
                "name": naam,
                "role": rol,
                "municipalities": gemeenten or [],
                "region_wide": regio == "ja",
                "organisation": organisatie,
                "password": wachtwoord,
            }
        )
        await accounts.create_account(runtime.db, account)
    except ValidationError as error:
        names = {"username": "gebruikersnaam", "name": "naam", "role": "rol", "municipalities": "gemeenten",
                 "region_wide": "gemeenten", "organisation": "organisatie", "password": "wachtwoord"}  # fmt: skip
        errors: dict[str, str] = {}
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else str(problem["msg"]).split(":")[0].split()[-1]
            errors.setdefault(names.get(field, ""), str(problem["msg"]))
        return await _render_admin(request, runtime, errors=errors, form=form)
    except AccountExists:
        return await _render_admin(request, runtime, errors={"gebruikersnaam": "Bestaat al."}, form=form)
    except NoSuchEmployer:
        refusal = "Een HR-contactpersoon hoort bij een werkgever die lid is: vul de code van dat lid in."
        return await _render_admin(request, runtime, errors={"organisatie": refusal}, form=form)
    await audit(runtime.db, request, admin, "account.created", f"account:{account.username}")
    return RedirectResponse("/beheer", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/beheer/accounts/{username}/deactiveren")
async def account_deactivated(
    request: Request, runtime: RuntimeDep, settings: SettingsDep, admin: Administrator, username: str
) -> Response:
    try:
        await deactivate_account(runtime, settings, request, admin, username)
    except accounts.UnknownAccount:
        return await _render_admin(request, runtime, errors={"": "Dit account bestaat niet."})
    except OwnAccount:
        return await _render_admin(request, runtime, errors={"": "U kunt uw eigen account niet deactiveren."})
    return RedirectResponse("/beheer", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/account/tweestaps")
async def second_factor_page(request: Request, runtime: RuntimeDep, settings: SettingsDep, who: AnyStaff) -> Response:
    secret = await accounts.start_second_factor(runtime.db, who.subject, Sealer(settings))
    return _render_second_factor(request, who, secret)


@router.post("/account/tweestaps")
async def confirm_second_factor(
    request: Request, runtime: RuntimeDep, settings: SettingsDep, who: AnyStaff, code: Text = ""
) -> Response:
    sealer = Sealer(settings)
    if await accounts.confirm_second_factor(runtime.db, who.subject, code, sealer):
        await audit(runtime.db, request, who, "second_factor.enabled", f"account:{who.subject}")
        response = render_page(request, "second_factor.html", "Tweestapsverificatie", done=True)
        response.delete_cookie(SESSION_COOKIE)  # sign in again, now with a code
        return response
    secret = await accounts.start_second_factor(runtime.db, who.subject, sealer)
    return _render_second_factor(request, who, secret, error="De code klopt niet. Probeer de volgende code.")


def _render_second_factor(request: Request, who: Principal, secret: str, error: str = "") -> Response:
    grouped = " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
    return render_page(
        request,
        "second_factor.html",
        "Tweestapsverificatie",
        status_code=422 if error else 200,
        secret=grouped,
        uri=provisioning_uri(secret, who.subject),
        must=who.role is Role.ADMINISTRATOR,
        error=error,
        done=False,
    )
