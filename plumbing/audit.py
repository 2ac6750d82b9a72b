"""Append-only audit log: every read and change of personal data and every sign-in, with who, which record, what,
why, the result, where from and when. Entries are only ever inserted; no code path updates them, and only the
retention run of the service deletes them, whole, after `audit_retention_days` (`expire_entries`). No secrets,
passwords or BSNs are written here: the record is named by its id."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.access import Principal, Role, staff
from plumbing.paging import PER_PAGE, Page, PageNumber, PageRequest, PerPage, find_page
from plumbing.register import Erasure, PersonalField, Term
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import Actor, audit_entry
from plumbing.web import RuntimeDep


async def audit(
    db: AsyncDatabase[Any],
    request: Request,
    principal: Principal | None,
    action: str,
    record: str,
    result: str = "ok",
    reason: str = "",
    who: str = "",
) -> None:
    """An audit entry written at once: for what is no use case's change, such as reading a record or signing in.
    A use case's own entries go through its unit of work (plumbing.unit_of_work)."""
    await db.audit.insert_one(audit_entry(Actor.of(request, principal, who), action, record, result, reason))


async def reason_given(db: AsyncDatabase[Any], principal: Principal, record: str) -> str | None:
    """The reason this session gave for opening `record`, if it gave one."""
    if not principal.session:
        return None
    entry = await db.audit.find_one(
        {"who": principal.subject, "session": principal.session, "record": record, "reason": {"$ne": ""}}
    )
    return entry["reason"] if entry else None


LOCAL = ZoneInfo("Europe/Amsterdam")  # the days an administrator filters by are Dutch days


@dataclass(frozen=True)
class AuditFilter:
    """Which entries the administrator asks for; an empty field asks for all. `until` is not included."""

    who: str = ""
    record: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def query(self) -> dict[str, Any]:
        query: dict[str, Any] = {
            name: value
            for name, value in (("who", self.who), ("record", self.record), ("action", self.action))
            if value
        }
        if self.since or self.until:
            query["at"] = {
                **({"$gte": self.since} if self.since else {}),
                **({"$lt": self.until} if self.until else {}),
            }
        return query

    @classmethod
    def of_days(cls, who: str, record: str, action: str, start: date | None, end: date | None) -> "AuditFilter":
        """The entries of `who`, `record` and `action` (each: all when empty) from the day `start` up to and with
        the day `end`, in Dutch time: how the page and the API ask alike."""
        return cls(
            who=who.strip(),
            record=record.strip(),
            action=action.strip(),
            since=datetime.combine(start, time.min, LOCAL) if start else None,
            until=datetime.combine(end + timedelta(days=1), time.min, LOCAL) if end else None,
        )


async def find_entries(
    db: AsyncDatabase[Any], asked: AuditFilter, page: PageRequest
) -> tuple[list[dict[str, Any]], int]:
    """One page of the entries asked for, newest first, and how many there are in all."""
    return await find_page(db.audit, asked.query(), [("at", -1)], page)


AUDIT_TERM = Term("{audit_retention_days} days after the entry was written; the entry is deleted whole")
AUDIT_PURPOSE = "account for every view and change of personal data and every sign-in (who, what, why, when)"
AUDIT_BASIS = "AVG art. 5(2) and 32 (accountability, security of processing); BIO 12.4 (logging)"


def audit_register_entries() -> tuple[PersonalField, ...]:
    """The audit log's personal fields, as every service that keeps one lists them in its register."""
    fields = (
        ("who", "who acted: a staff member's username, or a partner system"),
        ("origin", "the client address the request came from"),
        ("user_agent", "the browser or program that made the request"),
        ("session", "the sign-in session"),
        ("reason", "why a staff member opened a record with personal data"),
    )
    return tuple(
        PersonalField(
            "audit", path, "staff member", f"{AUDIT_PURPOSE}: {what}", AUDIT_BASIS, AUDIT_TERM, erasure=Erasure.DOCUMENT
        )
        for path, what in fields
    )


async def ensure_index(db: AsyncDatabase[Any]) -> None:
    """The log is read newest first and expired oldest first, both by time; administrators look up a person's or a
    record's entries."""
    await db.audit.create_index([("at", 1)])
    await db.audit.create_index([("who", 1), ("at", -1)])
    await db.audit.create_index([("record", 1), ("at", -1)])


async def expire_entries(db: AsyncDatabase[Any], settings: PlatformSettings, now: datetime | None = None) -> int:
    """Deletes the entries older than the audit log's term, in one operation; returns how many went."""
    written_before = (now or datetime.now(UTC)) - timedelta(days=settings.audit_retention_days)
    result = await db.audit.delete_many({"at": {"$lt": written_before}})
    return result.deleted_count


router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get(
    "/audit",
    response_model=Page[dict[str, Any]],
    summary="The audit log of this service, newest first, filtered and in pages (administrators)",
)
async def audit_log(
    runtime: RuntimeDep,
    admin: Annotated[Principal, staff(Role.ADMINISTRATOR)],
    who: Annotated[str, Query(max_length=200, description="Who acted: a username or partner client id.")] = "",
    record: Annotated[str, Query(max_length=300, description="The record, such as case:c-1234.")] = "",
    action: Annotated[str, Query(max_length=100, description="The action, such as case.opened.")] = "",
    start: Annotated[date | None, Query(description="From this day (Dutch time), included.")] = None,
    end: Annotated[date | None, Query(description="Up to this day (Dutch time), included.")] = None,
    page: PageNumber = 1,
    per_page: PerPage = PER_PAGE,
) -> Page[dict[str, Any]]:
    if start and end and end < start:
        raise HTTPException(422, detail="end: before start")
    asked = PageRequest(page, per_page)
    found, total = await find_entries(runtime.db, AuditFilter.of_days(who, record, action, start, end), asked)
    return asked.answer([{**entry, "at": entry["at"].isoformat()} for entry in found], total)
