"""One use case's unit of work: its state changes, the events they announce, its audit entries and the relay's
wake-up, kept together in one place.

A use case takes a `UnitOfWork` and does three things through it: it writes documents with `work.db` (a changed
document carries the events that announce the change in its own outbox, in the same atomic write), it names the
documents that now have events to publish with `work.announced(...)`, and it records what it did with
`work.audit(...)`. Leaving the unit (`async with`) writes the audit entries, with the outcome, in one insert and
tells the relay which documents to publish at once; the relay's scan would find them too, only later.

Edges (HTTP routes, pages, Kafka handlers) open the unit with the caller and call the use case: they never write
the audit log, an outbox entry, or wake the relay themselves, so an API route and a page doing the same thing are
one use case, audited alike.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from fastapi import Request
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.access import Principal
from plumbing.outbox import OutboxRelay


@dataclass(frozen=True)
class Actor:
    """Who a use case acts for, as the audit log names them."""

    who: str = ""
    role: str = ""
    organisation: str = ""
    session: str = ""
    origin: str = ""
    user_agent: str = ""

    @classmethod
    def of(cls, request: Request | None, principal: Principal | None, who: str = "") -> Self:
        return cls(
            who=principal.subject if principal else who,
            role=principal.role.value if principal and principal.role else (principal.kind if principal else ""),
            organisation=principal.organisation if principal else "",
            session=principal.session if principal else "",
            origin=request.client.host if request is not None and request.client else "",
            user_agent=request.headers.get("user-agent", "")[:200] if request is not None else "",
        )


SYSTEM = Actor(who="system")


def audit_entry(
    actor: Actor,
    action: str,
    record: str,
    result: str = "ok",
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry of the append-only audit log (see plumbing.audit); `changes`, for a change of settings, holds each
    field's value before and after (`{"field": {"before": ..., "after": ...}}`), never personal data."""
    entry = {
        "_id": str(uuid.uuid4()),
        "at": datetime.now(UTC),
        "who": actor.who,
        "role": actor.role,
        "organisation": actor.organisation,
        "action": action,
        "record": record,
        "reason": reason,
        "result": result,
        "origin": actor.origin,
        "user_agent": actor.user_agent,
        "session": actor.session,
    }
    if changes:
        entry["changes"] = dict(changes)
    return entry


class UnitOfWork:
    def __init__(self, db: AsyncDatabase[Any], relay: OutboxRelay | None, actor: Actor = SYSTEM) -> None:
        self.db = db
        self.actor = actor
        self._relay = relay
        self._announced: dict[str, list[Any]] = {}
        self._audit: list[dict[str, Any]] = []

    def announced(self, collection: str, *document_ids: Any) -> None:
        """These documents of `collection` now hold events for the relay to publish."""
        self._announced.setdefault(collection, []).extend(document_ids)

    def audit(
        self,
        action: str,
        record: str,
        reason: str = "",
        result: str = "",
        changes: Mapping[str, Any] | None = None,
        by: Actor | None = None,
    ) -> None:
        """An audit entry, written when the unit ends, with its outcome (`ok`, or what went wrong) unless given;
        `changes`: what a changed setting was before and is after; `by`: who did it, when not the unit's actor (a
        batch of several partners' answers)."""
        self._audit.append(
            {"action": action, "record": record, "reason": reason, "result": result, "changes": changes, "by": by}
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        outcome = "ok" if error is None else f"refused: {type(error).__name__}"
        if self._audit:
            await self.db.audit.insert_many(
                [
                    audit_entry(
                        entry["by"] or self.actor,
                        entry["action"],
                        entry["record"],
                        entry["result"] or outcome,
                        entry["reason"],
                        entry["changes"],
                    )
                    for entry in self._audit
                ]
            )
        if self._relay is not None:  # also after an error: what was written before it is in the outbox
            for collection, document_ids in self._announced.items():
                self._relay.wake_many(collection, document_ids)
