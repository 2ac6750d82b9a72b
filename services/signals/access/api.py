"""Access API of the signals service: tokens for partner systems and staff (OAuth2), the partner registry and the
staff accounts (administrators only), and the audit log."""

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from pydantic import BaseModel, Field

from plumbing.access import PARTNER_TOKEN_SECONDS, SESSION_SECONDS, Principal, Role, enrolling, issue_token, staff
from plumbing.audit import audit
from plumbing.web import RuntimeDep
from services.signals.access import accounts, partners
from services.signals.access.accounts import AccountCreate, SecondFactorNeeded
from services.signals.access.administration import admit_member, deactivate_account, member_leaves, new_member_secret
from services.signals.access.partners import PartnerCreate
from services.signals.access.totp import provisioning_uri
from services.signals.sealing import Sealer
from services.signals.settings import SettingsDep

router = APIRouter(prefix="/api/v1", tags=["access"])
Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]
Enrolling = Annotated[Principal, enrolling()]


class Token(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


class PartnerPublic(BaseModel):
    id: str
    name: str
    type: str
    municipalities: list[str]
    active: bool
    joined_at: datetime


class PartnerRegistered(PartnerPublic):
    client_secret: str = Field(description="Shown once; only its hash is stored. Rotate it if it is lost.")


class AccountPublic(BaseModel):
    username: str
    name: str
    role: str
    municipalities: list[str]
    organisation: str
    active: bool
    second_factor: bool = Field(description="Signs in with a one-time code (TOTP) as well.")


class SecondFactorStarted(BaseModel):
    secret: str = Field(description="Base32 key for the authenticator app; confirm with a code to turn it on.")
    provisioning_uri: str


class Code(BaseModel):
    code: str = Field(pattern=r"^\d{6}$", description="The current 6-digit code from the authenticator app.")


@router.post(
    "/oauth/token",
    response_model=Token,
    summary="Get an access token (OAuth2: client_credentials for partner systems, password for staff)",
    responses={401: {"description": "Unknown client or wrong credentials"}},
)
async def token(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    grant_type: Annotated[str, Form(pattern="^(client_credentials|password)$")],
    client_id: Annotated[str | None, Form(max_length=60)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    username: Annotated[str | None, Form(max_length=60)] = None,
    password: Annotated[str | None, Form(max_length=200)] = None,
    totp: Annotated[str | None, Form(max_length=10, description="One-time code, when the account has one")] = None,
) -> Token:
    if grant_type == "client_credentials":
        client_id, client_secret = _basic(request) or (client_id, client_secret)
        principal = await partners.authenticate(runtime.db, client_id or "", client_secret or "")
        seconds = PARTNER_TOKEN_SECONDS
        who = client_id or ""
    else:
        who = (username or "").strip().lower()
        origin = request.client.host if request.client else ""
        wait = await accounts.wait_before_sign_in(runtime.db, who, origin)
        if wait > 0:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                f"username: too many wrong passwords from this address; try again in {wait} seconds",
                headers={"Retry-After": str(wait)},
            )
        try:
            principal = await accounts.sign_in(runtime.db, username or "", password or "", totp or "", Sealer(settings))
        except SecondFactorNeeded as error:
            await audit(runtime.db, request, None, "sign_in.password", who, "refused: one-time code", who=who)
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "totp: this account needs its current one-time code",
                {"WWW-Authenticate": "Basic"},
            ) from error
        seconds = SESSION_SECONDS
    await audit(runtime.db, request, principal, f"sign_in.{grant_type}", who, "ok" if principal else "refused", who=who)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid_client: unknown client or wrong secret",
            {"WWW-Authenticate": "Basic"},
        )
    return Token(
        access_token=issue_token(settings, principal, seconds),
        expires_in=seconds,
        scope=" ".join(sorted(principal.scopes)),
    )


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except ValueError:
        return None
    return client_id, secret


@router.get("/partners", response_model=list[PartnerPublic], summary="The member organisations")
async def list_partners(runtime: RuntimeDep, admin: Administrator) -> list[PartnerPublic]:
    return [PartnerPublic(id=item["_id"], **item) for item in await partners.listing(runtime.db)]


@router.post(
    "/partners",
    status_code=status.HTTP_201_CREATED,
    response_model=PartnerRegistered,
    summary="Register a member organisation and issue its client secret (shown once)",
)
async def register_partner(
    details: PartnerCreate, runtime: RuntimeDep, settings: SettingsDep, request: Request, admin: Administrator
) -> PartnerRegistered:
    secret = await admit_member(runtime, settings, request, admin, details)
    stored = await runtime.db.partners.find_one({"_id": details.id})
    assert stored is not None
    return PartnerRegistered(id=details.id, client_secret=secret, **stored)


@router.post("/partners/{partner_id}/leave", status_code=status.HTTP_204_NO_CONTENT, summary="A member leaves")
async def partner_leaves(
    partner_id: str, runtime: RuntimeDep, settings: SettingsDep, request: Request, admin: Administrator
) -> None:
    await member_leaves(runtime, settings, request, admin, partner_id)


@router.post("/partners/{partner_id}/secret", summary="Issue a new client secret; the old one stops working")
async def rotate(
    partner_id: str, runtime: RuntimeDep, settings: SettingsDep, request: Request, admin: Administrator
) -> dict[str, str]:
    secret = await new_member_secret(runtime, settings, request, admin, partner_id)
    return {"client_id": partner_id, "client_secret": secret}


@router.get("/accounts", response_model=list[AccountPublic], summary="Staff accounts")
async def list_accounts(runtime: RuntimeDep, admin: Administrator) -> list[AccountPublic]:
    return [
        AccountPublic(username=item["_id"], second_factor=bool(item.get("totp_secret")), **item)
        for item in await accounts.listing(runtime.db)
    ]


@router.post(
    "/accounts/{username}/deactivate",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Deactivate a staff account: it can no longer sign in, and its sessions end in every service",
    responses={404: {"description": "No such account"}, 409: {"description": "Your own account"}},
)
async def deactivate(
    username: str, runtime: RuntimeDep, settings: SettingsDep, request: Request, admin: Administrator
) -> None:
    await deactivate_account(runtime, settings, request, admin, username)


@router.post("/account/totp", response_model=SecondFactorStarted, summary="Start setting up a second factor (TOTP)")
async def start_totp(runtime: RuntimeDep, settings: SettingsDep, who: Enrolling) -> SecondFactorStarted:
    secret = await accounts.start_second_factor(runtime.db, who.subject, Sealer(settings))
    return SecondFactorStarted(secret=secret, provisioning_uri=provisioning_uri(secret, who.subject))


@router.post("/account/totp/confirm", status_code=status.HTTP_204_NO_CONTENT, summary="Turn the second factor on")
async def confirm_totp(
    body: Code, runtime: RuntimeDep, settings: SettingsDep, request: Request, who: Enrolling
) -> None:
    if not await accounts.confirm_second_factor(runtime.db, who.subject, body.code, Sealer(settings)):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "code: does not match; start again if it keeps failing"
        )
    await audit(runtime.db, request, who, "second_factor.enabled", f"account:{who.subject}")


@router.post("/accounts", status_code=status.HTTP_201_CREATED, summary="Create a staff account")
async def create_account(
    account: AccountCreate, runtime: RuntimeDep, request: Request, admin: Administrator
) -> dict[str, str]:
    await accounts.create_account(runtime.db, account)
    await audit(runtime.db, request, admin, "account.created", f"account:{account.username}")
    return {"username": account.username}
