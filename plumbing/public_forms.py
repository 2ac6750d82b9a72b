"""Abuse limits of every public form (no account, no third-party captcha): the residents' help request and the
volunteers' sign-up, on their pages and their APIs.

- a rate limit per client address (a token bucket per process; `X-Forwarded-For` is read only when the direct peer
  is one of `trusted_proxies`): 429, with `Retry-After`;
- a size limit on the body and on each field: 413 for the body; a field too long is named, so that the page
  says so beside it (an API's models bound their own fields: 422 naming the field);
- a honeypot field (`HONEYPOT`) that people never see and assistive technology skips; a bot that fills it is
  shown the confirmation, and nothing is stored;
- duplicate detection: the same submission again within `public_form_duplicate_hours` is recognised by a keyed
  fingerprint (HMAC of the normalised content, so that the claim itself holds no readable personal data) and not
  stored twice. A claim is written before what it guards and confirmed after; a claim never confirmed (the store
  failed) is released, or taken over after `UNCONFIRMED_SECONDS`, so that a failure never turns a retry away.
"""

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.limits import RateLimiter
from plumbing.register import Erasure, PersonalField, Term
from plumbing.settings import PlatformSettings

HONEYPOT = "website"  # a name form-filling bots fill in; people never see the field
UNCONFIRMED_SECONDS = 60
TRACKED_ADDRESSES = 10_000  # beyond this many, addresses whose bucket is full again are forgotten


@dataclass
class AddressLimiter:
    """`per_minute` submissions a minute per client address, with bursts up to the same number, in memory."""

    per_minute: int
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.per_minute)

    def retry_after(self, address: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        buckets = self.limiter.buckets
        if len(buckets) > TRACKED_ADDRESSES:  # a bucket untouched for a minute is full again: nothing to remember
            for idle in [key for key, (_, at) in buckets.items() if now - at >= 60]:
                del buckets[idle]
        return self.limiter.retry_after(address, now)


def client_address(request: Request, trusted_proxies: frozenset[str]) -> str:
    """The address a submission came from: the direct peer, or, behind a trusted proxy, the nearest address in
    `X-Forwarded-For` that is not itself a trusted proxy (anyone can write that header; only our proxies are
    believed)."""
    peer = request.client.host if request.client else ""
    if peer not in trusted_proxies:
        return peer
    hops = [hop.strip() for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return hops[0] if hops else peer


@dataclass(frozen=True)
class PublicForm:
    """What the guard found about one submission that it let through."""

    address: str
    too_long: frozenset[str] = frozenset()  # form fields longer than allowed
    honeypot_filled: bool = False
    max_field_chars: int = 0


def _limiter(request: Request, settings: PlatformSettings) -> AddressLimiter:
    limiter: AddressLimiter | None = getattr(request.app.state, "public_form_limiter", None)
    if limiter is None:
        limiter = AddressLimiter(settings.public_form_per_minute)
        request.app.state.public_form_limiter = limiter
    return limiter


async def guard(request: Request) -> PublicForm:
    """The limits of a public form's submission (a dependency of its POST routes): 429 above the rate, 413 above
    the body size; the fields too long and the honeypot are reported for the route to act on."""
    settings: PlatformSettings = request.app.state.settings
    address = client_address(request, frozenset(settings.trusted_proxies))
    wait = _limiter(request, settings).retry_after(address)
    if wait:
        raise HTTPException(
            429,
            detail=f"too many submissions from this address; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    declared = request.headers.get("content-length", "")
    limit = settings.public_form_max_body_bytes
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, detail=f"body: larger than {limit} bytes")
    if "form" not in request.headers.get("content-type", ""):
        if len(await request.body()) > limit:
            raise HTTPException(413, detail=f"body: larger than {limit} bytes")
        return PublicForm(address, max_field_chars=settings.public_form_max_field_chars)
    form = await request.form()
    values = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
    if sum(len(name) + len(value) for name, value in values) > limit:
        raise HTTPException(413, detail=f"body: larger than {limit} bytes")
    most = settings.public_form_max_field_chars
    return PublicForm(
        address,
        too_long=frozenset(name for name, value in values if len(value) > most),
        honeypot_filled=any(name == HONEYPOT and value.strip() for name, value in values),
        max_field_chars=most,
    )


PublicFormDep = Annotated[PublicForm, Depends(guard)]


def _normalised(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.lower().split())
    if isinstance(value, Mapping):
        return {str(key): _normalised(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return sorted((_normalised(item) for item in value), key=json.dumps)
    return value


def fingerprint(settings: PlatformSettings, form: str, content: Mapping[str, Any]) -> str:
    """The same submission of `form` (case, spacing and order of choices aside) gives the same fingerprint."""
    text = json.dumps({"form": form, "content": _normalised(content)}, sort_keys=True, default=str)
    return hmac.new(settings.token_key.get_secret_value().encode(), text.encode(), hashlib.sha256).hexdigest()


async def claim(
    db: AsyncDatabase[Any], key: str, reference: str, window: timedelta, now: datetime | None = None
) -> str | None:
    """Claims the fingerprint `key` for what `reference` names: None when it is new (or its last claim is older
    than `window`, or was never confirmed), else the reference of the earlier submission."""
    now = now or datetime.now(UTC)
    try:
        await db.public_form_claims.insert_one({"_id": key, "at": now, "reference": reference, "confirmed": False})
        return None
    except DuplicateKeyError:
        pass
    taken = await db.public_form_claims.find_one_and_update(
        {
            "_id": key,
            "$or": [
                {"at": {"$lt": now - window}},
                {"confirmed": False, "at": {"$lt": now - timedelta(seconds=UNCONFIRMED_SECONDS)}},
            ],
        },
        {"$set": {"at": now, "reference": reference, "confirmed": False}},
    )
    if taken is not None:
        return None
    earlier = await db.public_form_claims.find_one({"_id": key}, {"reference": 1})
    return str(earlier["reference"]) if earlier else None


async def confirm(db: AsyncDatabase[Any], key: str, reference: str) -> None:
    """What the claim guards is stored."""
    await db.public_form_claims.update_one({"_id": key, "reference": reference}, {"$set": {"confirmed": True}})


async def release(db: AsyncDatabase[Any], key: str, reference: str) -> None:
    """Storing failed: the same submission may come again at once."""
    await db.public_form_claims.delete_one({"_id": key, "reference": reference, "confirmed": False})


async def ensure_index(db: AsyncDatabase[Any]) -> None:
    await db.public_form_claims.create_index([("at", 1)])


async def prune_claims(db: AsyncDatabase[Any], settings: PlatformSettings, now: datetime | None = None) -> int:
    """Deletes the claims older than the duplicate window, in one operation; returns how many."""
    before = (now or datetime.now(UTC)) - timedelta(hours=settings.public_form_duplicate_hours)
    return (await db.public_form_claims.delete_many({"at": {"$lt": before}})).deleted_count


def duplicate_window(settings: PlatformSettings) -> timedelta:
    return timedelta(hours=settings.public_form_duplicate_hours)


def register_entries(subject: str, basis: str) -> tuple[PersonalField, ...]:
    """The claims' fields, as each service with a public form lists them in its register."""
    return (
        PersonalField(
            "public_form_claims",
            "_id",
            subject,
            "recognise the same public form sent again (a keyed hash of what was filled in, not the text)",
            basis,
            Term("{public_form_duplicate_hours} hours after it was sent"),
            erasure=Erasure.DOCUMENT,
        ),
    )
