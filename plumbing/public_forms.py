"""Abuse limits of every public form (no account, no third-party captcha): the residents' help request and the
volunteers' sign-up, on their pages and their APIs.

- a rate limit per client address, shared by all replicas of a service: counted in its database per minute
  (`public_form_rates`, one atomic conditional upsert with `$inc` per submission on the key of a keyed hash of the
  address and the minute), with the previous minute weighted by how much of it still lies within the last 60 seconds
  (a sliding window, so that a burst across a minute's end gets no second allowance); a refused one is not counted.
  `X-Forwarded-For` is read only when the direct peer is one of `trusted_proxies`. Above the rate: 429, with
  `Retry-After`. Without the database the form could not store anyway: the guard's error is the form's own on a
  database error;
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
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.register import Erasure, PersonalField, Term
from plumbing.settings import PlatformSettings

HONEYPOT = "website"  # a name form-filling bots fill in; people never see the field
UNCONFIRMED_SECONDS = 60
WINDOW_SECONDS = 60


def room(previous: int, elapsed: float, per_minute: int) -> int:
    """How many submissions this minute may let through, with `previous` let through in the minute before and
    `elapsed` seconds into this one: the previous minute counts for the part of it that still lies within the last
    60 seconds."""
    return math.floor(per_minute - previous * (1 - elapsed / WINDOW_SECONDS) + 1e-9)


def seconds_to_wait(previous: int, current: int, elapsed: float, per_minute: int) -> int:
    """After a refusal: the whole seconds until one more submission fits, `current` being those let through in this
    minute (the refused one not included)."""
    if current + 1 <= per_minute:  # this minute has room once enough of the previous one has slid out
        fits_at = WINDOW_SECONDS * (1 - (per_minute - current - 1) / previous) if previous else elapsed
        return max(1, math.ceil(fits_at - elapsed))
    fits_at_next = WINDOW_SECONDS * (1 - (per_minute - 1) / current) if current else 0.0
    return max(1, math.ceil(WINDOW_SECONDS - elapsed + max(0.0, fits_at_next)))


async def _take(db: AsyncDatabase[Any], key: str, start: datetime, most: int) -> bool:
    """Counts one more submission in this minute if fewer than `most` were let through: one conditional upsert
    with `$inc`, atomic across replicas (a full minute's upsert finds its key taken)."""
    if most < 1:
        return False
    full = {"_id": key, "count": {"$lt": most}}
    try:
        await db.public_form_rates.update_one(full, {"$inc": {"count": 1}, "$setOnInsert": {"at": start}}, upsert=True)
        return True
    except DuplicateKeyError:  # full, or another replica inserted this minute's first count just now
        return (await db.public_form_rates.update_one(full, {"$inc": {"count": 1}})).modified_count == 1


async def rate_wait(
    db: AsyncDatabase[Any], settings: PlatformSettings, address: str, now: datetime | None = None
) -> int:
    """0 if a submission from `address` may go ahead (it is counted), else the seconds to wait (it is not)."""
    now = now or datetime.now(UTC)
    seconds = now.timestamp()
    minute = int(seconds // WINDOW_SECONDS)
    elapsed = seconds - minute * WINDOW_SECONDS
    secret = settings.token_key.get_secret_value().encode()
    caller = hmac.new(secret, f"rate:{address}".encode(), hashlib.sha256).hexdigest()
    before = await db.public_form_rates.find_one({"_id": f"{caller}:{minute - 1}"}, {"count": 1})
    previous = int(before["count"]) if before else 0
    per_minute = settings.public_form_per_minute
    key = f"{caller}:{minute}"
    start = datetime.fromtimestamp(minute * WINDOW_SECONDS, UTC)
    if await _take(db, key, start, room(previous, elapsed, per_minute)):
        return 0
    this_minute = await db.public_form_rates.find_one({"_id": key}, {"count": 1})
    return seconds_to_wait(previous, int(this_minute["count"]) if this_minute else 0, elapsed, per_minute)


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


async def guard(request: Request) -> PublicForm:
    """The limits of a public form's submission (a dependency of its POST routes): 429 above the rate, 413 above
    the body size; the fields too long and the honeypot are reported for the route to act on."""
    settings: PlatformSettings = request.app.state.settings
    address = client_address(request, frozenset(settings.trusted_proxies))
    wait = await rate_wait(request.app.state.runtime.db, settings, address)
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
    await db.public_form_rates.create_index([("at", 1)])


async def prune_claims(db: AsyncDatabase[Any], settings: PlatformSettings, now: datetime | None = None) -> int:
    """Deletes the claims older than the duplicate window and the rate counts of minutes that no longer count
    (a TTL index would, but the local server has none), one operation each; returns how many claims."""
    now = now or datetime.now(UTC)
    await db.public_form_rates.delete_many({"at": {"$lt": now - timedelta(seconds=2 * WINDOW_SECONDS)}})
    before = now - timedelta(hours=settings.public_form_duplicate_hours)
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
        PersonalField(
            "public_form_rates",
            "_id",
            subject,
            "count a client address's public form submissions per minute, for the rate limit (a keyed hash of the "
            "address and the minute, not the address)",
            "AVG art. 6(1)(f) and 32: keeping the public form usable against abuse (legitimate interest, security)",
            Term("two minutes: deleted with the claims on each retention run, whose interval sets how late"),
            erasure=Erasure.DOCUMENT,
        ),
    )
