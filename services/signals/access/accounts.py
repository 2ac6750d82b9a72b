"""Staff accounts and signing in. Passwords are stored as scrypt hashes; a signed-in member of staff holds a
session token (plumbing.access) that every service checks, and that expires after a working day."""

import contextlib
import functools
import hashlib
import hmac
import math
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.access import CASEWORKERS, Principal, Role
from plumbing.errors import Conflict, Invalid, NotFound
from plumbing.outbox import change_with_events, outbox_entry
from plumbing.reference import Municipality
from plumbing.revocations import REVOCATIONS_TOPIC, access_revoked
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.signals import employer_desk
from services.signals.access import totp
from services.signals.sealing import Sealer

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MINIMUM_PASSWORD_LENGTH = 12
ADMINISTRATOR = "beheerder"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


@functools.cache
def _nobody() -> str:
    """Compared against when the user does not exist, so that a wrong name takes as long as a wrong password;
    hashed on first use rather than when the module is imported (every import would pay for one scrypt)."""
    return hash_password(secrets.token_urlsafe(16))


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=60, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str = Field(min_length=2, max_length=120)
    role: Role
    municipalities: list[Municipality] = Field(
        default_factory=list,
        description="For caseworkers: whose cases they see; for volunteer coordinators: whose volunteers they see.",
    )
    region_wide: bool = Field(
        default=False, description="For volunteer coordinators: works for the whole region, sees every municipality."
    )
    organisation: str = Field(default="", description="For partner employees: the partner id they work for.")
    password: str = Field(min_length=MINIMUM_PASSWORD_LENGTH, max_length=200)

    @field_validator("municipalities")
    @classmethod
    def distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @model_validator(mode="after")
    def scoped(self) -> Self:
        if self.role in CASEWORKERS and not self.municipalities:
            raise ValueError("municipalities: a caseworker needs at least one municipality")
        if self.region_wide and self.role is not Role.VOLUNTEER_COORDINATOR:
            raise ValueError("region_wide: only a volunteer coordinator works for the whole region")
        if self.role is Role.VOLUNTEER_COORDINATOR and not (self.municipalities or self.region_wide):
            raise ValueError("municipalities: a volunteer coordinator works for some municipalities or region-wide")
        if self.role is Role.PARTNER_EMPLOYEE and not self.organisation:
            raise ValueError("organisation: a partner employee works for a partner organisation")
        if self.role is Role.EMPLOYER_HR and not self.organisation:
            raise ValueError("organisation: an HR contact works for an employer member (its partner id)")
        return self


class AccountExists(Conflict):
    def __init__(self, username: str) -> None:
        super().__init__(f"username: {username} exists already")


class NoSuchEmployer(Invalid):
    """An HR contact's organisation must be an employer member that has not left."""

    def __init__(self, organisation: str) -> None:
        super().__init__("organisation", f"{organisation or '(none)'} is not an active employer member")


async def create_account(db: AsyncDatabase[Any], account: AccountCreate) -> None:
    if account.role is Role.EMPLOYER_HR and await employer_desk.active_employer(db, account.organisation) is None:
        raise NoSuchEmployer(account.organisation)
    try:
        await db.accounts.insert_one(
            {
                "_id": account.username,
                "name": account.name,
                "role": account.role.value,
                "municipalities": account.municipalities,
                "region_wide": account.region_wide,
                "organisation": account.organisation,
                "password_hash": hash_password(account.password),
                "active": True,
                "created_at": datetime.now(UTC),
            }
        )
    except DuplicateKeyError as error:
        raise AccountExists(account.username) from error


async def ensure_administrator(db: AsyncDatabase[Any], password: str | None) -> None:
    """Creates the first administrator from the settings when there is no account yet. Replicas starting at the same
    moment may both try: the one that finds the account created meanwhile goes on, rather than failing to start."""
    if password and await db.accounts.find_one({"role": Role.ADMINISTRATOR.value}, {"_id": 1}) is None:
        with contextlib.suppress(AccountExists):
            await create_account(
                db, AccountCreate(username=ADMINISTRATOR, name="Beheerder", role=Role.ADMINISTRATOR, password=password)
            )


FREE_FAILURES_FROM_ONE_ADDRESS = 5
FREE_FAILURES_FROM_ANYWHERE = 20
LONGEST_WAIT_SECONDS = 15 * 60
WINDOW = timedelta(minutes=15)


def sign_in_wait(failures: list[tuple[datetime, str]], origin: str, now: datetime) -> int:
    """Seconds until the next sign-in for a username may be tried from `origin`, given its recent failures (when,
    from which address). A delay, never a lock-out: past five failures from one address each further try from
    there waits twice as long (2 s, 4 s, ... up to 15 minutes), so guessing from there takes too long, while the
    real user on another address signs in at once; past twenty failures from anywhere (guessing spread over many
    addresses) every try waits a few seconds more, at most 30."""
    here = sorted(at for at, where in failures if where == origin)
    everywhere = sorted(at for at, _ in failures)
    waits = [0.0]
    if len(here) >= FREE_FAILURES_FROM_ONE_ADDRESS:
        delay = min(2 ** (len(here) - FREE_FAILURES_FROM_ONE_ADDRESS + 1), LONGEST_WAIT_SECONDS)
        waits.append(delay - (now - here[-1]).total_seconds())
    if len(everywhere) >= FREE_FAILURES_FROM_ANYWHERE:
        delay = min(len(everywhere) - FREE_FAILURES_FROM_ANYWHERE + 1, 30)
        waits.append(delay - (now - everywhere[-1]).total_seconds())
    return math.ceil(max(waits))


async def wait_before_sign_in(db: AsyncDatabase[Any], username: str, origin: str) -> int:
    """`sign_in_wait` for this username and address, from the refused sign-ins of the last 15 minutes."""
    now = datetime.now(UTC)
    refused = await db.audit.find(
        {
            "action": {"$in": ["sign_in.page", "sign_in.password"]},
            "record": username.strip().lower(),
            "result": {"$in": ["refused", "refused: one-time code"]},
            "at": {"$gte": now - WINDOW},
        },
        {"at": 1, "origin": 1},
    ).to_list()
    return sign_in_wait([(entry["at"], entry.get("origin", "")) for entry in refused], origin, now)


class SecondFactorNeeded(Exception):
    """The password was right, but the account has a second factor and the code was missing or wrong."""


async def sign_in(
    db: AsyncDatabase[Any], username: str, password: str, code: str = "", sealer: Sealer | None = None
) -> Principal | None:
    """The principal for these credentials; with a second factor set up, `code` must be its current code."""
    account = await db.accounts.find_one({"_id": username.strip().lower()})
    if account is None or not account["active"]:
        password_matches(password, _nobody())
        return None
    if not password_matches(password, account["password_hash"]):
        return None
    second_factor = False
    if account.get("totp_secret"):
        if sealer is None or not code or not totp.verify(sealer.open(account["totp_secret"]), code):
            raise SecondFactorNeeded(username)
        second_factor = True
    return Principal(
        kind="staff",
        subject=account["_id"],
        name=account["name"],
        role=Role(account["role"]),
        organisation=account.get("organisation", ""),
        municipalities=tuple(account.get("municipalities", [])),
        region_wide=account.get("region_wide", _saw_the_region(account)),
        session=secrets.token_urlsafe(16),
        second_factor=second_factor,
    )


def _saw_the_region(account: dict[str, Any]) -> bool:
    """An account stored before accounts named a region keeps what it could: a coordinator created without
    municipalities saw every municipality's volunteers, so stays region-wide until re-created."""
    return account["role"] == Role.VOLUNTEER_COORDINATOR.value and not account.get("municipalities")


class UnknownAccount(NotFound):
    def __init__(self, username: str) -> None:
        super().__init__(f"username: no account {username}")


async def end_session(work: UnitOfWork, settings: PlatformSettings, who: Principal) -> None:
    """Signing out: the session's token is refused by every service from now on, not only forgotten by this
    browser. The announcement is stored with the account (outbox), so it is published even after a crash."""
    work.audit("sign_out", who.subject)
    event = access_revoked(who.subject, who.session)
    await work.db.accounts.update_one(
        {"_id": who.subject}, change_with_events({}, outbox_entry(settings.topic(REVOCATIONS_TOPIC), event))
    )
    work.announced("accounts", who.subject)


async def deactivate(work: UnitOfWork, settings: PlatformSettings, username: str) -> bool:
    """The account can no longer sign in, and its sessions and tokens end everywhere. False if it was inactive."""
    work.audit("account.deactivated", f"account:{username}")
    if await work.db.accounts.find_one({"_id": username}, {"_id": 1}) is None:
        raise UnknownAccount(username)
    event = access_revoked(username)
    result = await work.db.accounts.update_one(
        {"_id": username, "active": True},
        change_with_events(
            {"active": False, "deactivated_at": datetime.now(UTC)},
            outbox_entry(settings.topic(REVOCATIONS_TOPIC), event),
        ),
    )
    work.announced("accounts", username)
    return result.modified_count == 1


async def start_second_factor(db: AsyncDatabase[Any], username: str, sealer: Sealer) -> str:
    """A new TOTP secret for the account, pending until a code from it is confirmed; returns the secret."""
    account = await db.accounts.find_one({"_id": username}, {"totp_pending": 1})
    if account and account.get("totp_pending"):
        pending: str = sealer.open(account["totp_pending"])
        return pending
    secret = totp.new_secret()
    await db.accounts.update_one({"_id": username}, {"$set": {"totp_pending": sealer.seal(secret)}})
    return secret


async def confirm_second_factor(db: AsyncDatabase[Any], username: str, code: str, sealer: Sealer) -> bool:
    """Turns the pending secret on when `code` matches it; from then on sign-in asks for a code."""
    account = await db.accounts.find_one({"_id": username}, {"totp_pending": 1})
    if not account or not account.get("totp_pending") or not totp.verify(sealer.open(account["totp_pending"]), code):
        return False
    await db.accounts.update_one(
        {"_id": username}, {"$set": {"totp_secret": account["totp_pending"]}, "$unset": {"totp_pending": ""}}
    )
    return True


async def listing(db: AsyncDatabase[Any]) -> list[dict[str, Any]]:
    names = ("name", "role", "municipalities", "region_wide", "organisation", "active", "deactivated_at", "totp_secret")
    fields = dict.fromkeys(names, 1)
    return await db.accounts.find({}, fields).sort("_id", 1).to_list()
