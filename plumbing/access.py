"""Who is calling, and may they: signed access tokens for partner systems and staff, checked on every endpoint.

The signals service keeps the partner registry and the staff accounts and is the only one that issues tokens:
partner systems exchange their client credentials for a token (OAuth2 client credentials), staff sign in and get
the same kind of token in a session cookie. Every service checks a token's signature, expiry and claims itself, so
no service has to ask another on each request. All services share the signing key (`REDZAAM_TOKEN_KEY`).

A refusal says why: 401 when there is no valid token, 403 when the token does not allow this.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import jwt
from fastapi import Depends, HTTPException, Request, status

from plumbing.limits import RateLimiter

# who is who lives in plumbing.principals (no web framework there, for the services' rules); re-exported here, where
# the endpoints that check callers import it from
from plumbing.principals import CASEWORKERS as CASEWORKERS
from plumbing.principals import COOPERATIVE_ROLES as COOPERATIVE_ROLES
from plumbing.principals import ROLE_LABELS as ROLE_LABELS
from plumbing.principals import Principal as Principal
from plumbing.principals import Role as Role
from plumbing.principals import Scope as Scope
from plumbing.revocations import RevocationList
from plumbing.settings import PlatformSettings

ISSUER = "redzaam"
SESSION_COOKIE = "redzaam_sessie"
PARTNER_TOKEN_SECONDS = 15 * 60
SESSION_SECONDS = 8 * 60 * 60


def issue_token(settings: PlatformSettings, principal: Principal, seconds: int) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": principal.subject,
        "kind": principal.kind,
        "name": principal.name,
        "org": principal.organisation,
        "municipalities": list(principal.municipalities),
        "scope": " ".join(sorted(principal.scopes)),
        "iat": now,
        "exp": now + seconds,
    }
    if principal.role:
        claims["role"] = principal.role.value
    if principal.region_wide:
        claims["region_wide"] = True
    if principal.partner_type:
        claims["partner_type"] = principal.partner_type
    if principal.session:
        claims["sid"] = principal.session
    claims["amr"] = ["pwd", "otp"] if principal.second_factor else ["pwd"]
    return jwt.encode(claims, settings.token_key.get_secret_value(), algorithm="HS256")


def read_token(settings: PlatformSettings, token: str) -> Principal | None:
    """The principal a token names, or None when it is forged, expired or malformed."""
    try:
        claims = jwt.decode(
            token,
            settings.token_key.get_secret_value(),
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        return Principal(
            kind=str(claims["kind"]),
            subject=str(claims["sub"]),
            name=str(claims.get("name", "")),
            role=Role(claims["role"]) if claims.get("role") else None,
            organisation=str(claims.get("org", "")),
            municipalities=tuple(claims.get("municipalities", [])),
            region_wide=claims.get("region_wide") is True,
            partner_type=str(claims.get("partner_type", "")),
            scopes=frozenset(str(claims.get("scope", "")).split()),
            session=str(claims.get("sid", "")),
            second_factor="otp" in claims.get("amr", []),
            issued_at=int(claims["iat"]),
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None


def hash_secret(secret: str) -> str:
    """Hash of a machine-generated secret (256 random bits): a fast hash suffices, nothing to guess."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(settings: PlatformSettings, principal: Principal) -> str:
    """The token every form of a session carries: bound to the session, so another site cannot forge it."""
    key = settings.token_key.get_secret_value().encode()
    return hmac.new(key, f"csrf:{principal.session}".encode(), hashlib.sha256).hexdigest()[:40]


def caller(request: Request) -> Principal | None:
    """The principal of a bearer token, else of the session cookie; None without a valid one, or when its access
    was revoked (signed out, account deactivated, member left)."""
    settings: PlatformSettings = request.app.state.settings
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        principal = read_token(settings, token.strip())
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        principal = read_token(settings, cookie) if cookie else None
    revocations: RevocationList = request.app.state.revocations
    if principal is not None and revocations.revoked(principal.subject, principal.session, principal.issued_at):
        return None
    return principal


def _unauthenticated(request: Request) -> HTTPException:
    if _is_page(request):
        settings: PlatformSettings = request.app.state.settings
        back = quote(str(request.url), safe="")
        return HTTPException(
            status.HTTP_303_SEE_OTHER, "sign in first", headers={"Location": f"{settings.sign_in_url}?volgende={back}"}
        )
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, "missing, expired or invalid access token", headers={"WWW-Authenticate": "Bearer"}
    )


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _admit(allowed: Callable[[Principal], bool], refusal: str, second_factor_exempt: bool = False) -> Any:
    """A dependency admitting callers with a valid token that `allowed` accepts; on a form post from a page it also
    checks the CSRF token. The principal is kept on the request for the page layout and the audit log.
    Administrators are admitted only with a second factor (unless the settings relax it), except where they set it
    up (`second_factor_exempt`)."""

    async def check(request: Request) -> Principal:
        principal = caller(request)
        if principal is None:
            raise _unauthenticated(request)
        if not allowed(principal):
            raise HTTPException(status.HTTP_403_FORBIDDEN, refusal)
        if not second_factor_exempt:
            _second_factor_if_required(request, principal)
        if principal.kind == "partner":
            _within_budget(request, principal)
        await _check_csrf(request, principal)
        request.state.principal = principal
        return principal

    return Depends(check)


def staff(*roles: Role) -> Any:
    """Signed-in staff with one of `roles`."""
    return _admit(lambda who: who.is_staff and who.role in roles, "your role does not allow this")


def partner(scope: Scope) -> Any:
    """Partner systems whose token carries `scope`."""
    return _admit(_carries(scope), f"this token does not carry the scope {scope.value}")


def staff_or_partner(scope: Scope, *roles: Role) -> Any:
    """Either staff with one of `roles`, or a partner system with `scope`."""
    carries = _carries(scope)
    return _admit(
        lambda who: (who.is_staff and who.role in roles) or carries(who), "your role or scope does not allow this"
    )


def signed_in() -> Any:
    """Any signed-in member of staff or any partner system."""
    return _admit(lambda who: True, "")


def enrolling() -> Any:
    """Any signed-in member of staff, with or without a second factor: to set one up, or to sign out."""
    return _admit(lambda who: who.is_staff, "staff only", second_factor_exempt=True)


def _second_factor_if_required(request: Request, principal: Principal) -> None:
    settings: PlatformSettings = request.app.state.settings
    if principal.role is Role.ADMINISTRATOR and settings.require_admin_totp and not principal.second_factor:
        enrol = f"{settings.signals_url}/account/tweestaps"
        if _is_page(request):
            raise HTTPException(status.HTTP_303_SEE_OTHER, "set up the second factor", headers={"Location": enrol})
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"second factor: administrators sign in with a one-time code; set it up at {enrol}",
        )


def _within_budget(request: Request, principal: Principal) -> None:
    limiter: RateLimiter = request.app.state.partner_limiter
    wait = limiter.retry_after(principal.subject)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"{principal.subject}: more than {limiter.per_minute} requests a minute; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )


def _carries(scope: Scope) -> Callable[[Principal], bool]:
    return lambda who: who.kind == "partner" and scope.value in who.scopes


async def _check_csrf(request: Request, principal: Principal) -> None:
    """Form posts from a page (a session cookie, no bearer token) must carry the session's CSRF token."""
    if request.method != "POST" or "authorization" in request.headers:
        return
    if not request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        return
    sent = (await request.form()).get("csrf")
    settings: PlatformSettings = request.app.state.settings
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token(settings, principal)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "csrf: missing or wrong form token; reload the page")


def may_see_municipality(principal: Principal, municipality: str) -> None:
    """Caseworkers see only their own municipalities' households."""
    if principal.role in CASEWORKERS and not principal.serves(municipality):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this household belongs to another municipality")
