"""Append-only audit log: every read and change of personal data and every sign-in, with who, which record, what,
why, the result, where from and when. Entries are only ever inserted; no code path updates or deletes them. No
secrets, passwords or BSNs are written here: the record is named by its id."""

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.access import Principal, Role, staff
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


async def entries(db: AsyncDatabase[Any], record: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    query = {"record": record} if record else {}
    return await db.audit.find(query).sort("at", -1).limit(limit).to_list()


router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", summary="The audit log of this service, newest first (administrators)")
async def audit_log(
    runtime: RuntimeDep, admin: Annotated[Principal, staff(Role.ADMINISTRATOR)], record: str | None = None
) -> list[dict[str, Any]]:
    return [{**entry, "at": entry["at"].isoformat()} for entry in await entries(runtime.db, record)]
