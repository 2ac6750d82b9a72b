"""Use cases of outreach workers: the queue, contact attempts and closing a case with an outcome."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.dates import PastDate
from plumbing.errors import Conflict, Invalid, NotFound
from plumbing.events import new_event
from plumbing.outbox import change_with_events, outbox_entry
from plumbing.paging import FIRST_PAGE, PageRequest, find_page
from plumbing.unit_of_work import UnitOfWork
from services.signals.bundling import ACTIVE_STATUSES, CLOSED, OPEN
from services.signals.domain import CreditorType, age_band, age_in_years
from services.signals.events import (
    CASE_CLOSED,
    CONTACT_ATTEMPTED,
    EVENTS_TOPIC,
    CaseClosed,
    ContactAttempted,
)
from services.signals.intake import SOURCE
from services.signals.partner_feedback import feedback_entries, signals_by_partner
from services.signals.rules import FOLLOW_UP_OUTCOMES, ContactKind, Outcome, PartOfDay, closing_outcomes
from services.signals.sealing import Sealer
from services.signals.settings import SignalsSettings

QUEUE_ORDER = [
    ("deadline", 1),
    ("crisis", -1),
    ("creditor_count", -1),
    ("total_arrears_cents", -1),
    ("first_signal_at", 1),
]


class CaseNotFound(NotFound):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} does not exist")


class CaseNotOpen(Conflict):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} is not open")


class OutcomeDoesNotFit(Invalid):
    """A case below the threshold was never reached out to: it cannot close with what outreach found; an open case
    cannot close as below the threshold."""

    def __init__(self, outcome: Outcome, status: str, fitting: list[Outcome]) -> None:
        self.fitting = ", ".join(outcome.value for outcome in fitting)
        problem = f"{outcome.value} does not fit a case that is {status}; choose one of {self.fitting}"
        super().__init__("outcome", problem)


class ContactAttemptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ContactKind
    on: PastDate = Field(description="Day of the attempt; not in the future.")
    part_of_day: PartOfDay
    reached: bool
    note: str = Field(default="", max_length=1000)


class CaseClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    note: str = Field(default="", max_length=2000)


@dataclass(frozen=True)
class QueueFilter:
    municipality: str | None = None
    postcode_area: str | None = None
    creditor_type: CreditorType | None = None
    status: str = OPEN

    def query(self) -> dict[str, Any]:
        query: dict[str, Any] = {"status": self.status}
        if self.municipality:
            query["municipality"] = self.municipality
        if self.postcode_area:
            query["postcode_area"] = self.postcode_area
        if self.creditor_type:
            query["creditor_types"] = self.creditor_type.value
        return query


async def queue(
    db: AsyncDatabase[Any], selection: QueueFilter, page: PageRequest = FIRST_PAGE
) -> tuple[list[dict[str, Any]], int]:
    """One page of the queue, and how many cases it holds in all."""
    order = QUEUE_ORDER if selection.status == OPEN else [("first_signal_at", -1)]
    return await find_page(db.cases, selection.query(), order, page, {"outbox": 0})


async def overdue_in(db: AsyncDatabase[Any], selection: QueueFilter, today: date | None = None) -> int:
    """How many cases of the selection, on any page, are past their deadline (only open cases have one)."""
    if selection.status != OPEN:
        return 0
    deadline = {"$ne": None, "$lt": (today or date.today()).isoformat()}
    return await db.cases.count_documents({**selection.query(), "deadline": deadline})


def is_overdue(case: dict[str, Any], today: date | None = None) -> bool:
    today = today or date.today()
    return case["status"] == OPEN and case.get("deadline") is not None and date.fromisoformat(case["deadline"]) < today


async def get_case(db: AsyncDatabase[Any], case_id: str) -> dict[str, Any]:
    case: dict[str, Any] | None = await db.cases.find_one({"_id": case_id})
    if case is None:
        raise CaseNotFound(case_id)
    return case


async def log_contact_attempt(
    work: UnitOfWork, settings: SignalsSettings, case_id: str, attempt: ContactAttemptCreate
) -> dict[str, Any]:
    work.audit("contact_attempt.logged", f"case:{case_id}")
    case = await _open_case(work.db, case_id)
    record = {**attempt.model_dump(mode="json"), "worker": work.actor.who, "logged_at": datetime.now(UTC)}
    announced = ContactAttempted(
        case_id=case_id,
        household_ref=case["household_ref"],
        municipality=case["municipality"],
        kind=attempt.kind,
        on=attempt.on,
        reached=attempt.reached,
        within_term=case.get("deadline") is not None and attempt.on <= date.fromisoformat(case["deadline"]),
        self_reported=case.get("origin") == "self_reported",
    )
    await _change_open_case(
        work,
        settings,
        case,
        CONTACT_ATTEMPTED,
        announced,
        {"reached": case["reached"] or attempt.reached},
        push={"contact_attempts": record},
    )
    return record


async def close_case(work: UnitOfWork, settings: SignalsSettings, case_id: str, closing: CaseClose) -> None:
    """Closes an open case, or one below the threshold (registered), with an outcome that fits it."""
    work.audit("case.closed", f"case:{case_id}")
    case = await get_case(work.db, case_id)
    if case["status"] not in ACTIVE_STATUSES:
        raise CaseNotOpen(case_id)
    fitting = closing_outcomes(case["status"] == OPEN)
    if closing.outcome not in fitting:
        raise OutcomeDoesNotFit(closing.outcome, case["status"], fitting)
    now = datetime.now(UTC)
    announced, changes = closing_of(case, settings, closing.outcome, closing.note, work.actor.who, now)
    creditors = (await signals_by_partner(work.db, [case_id]))[case_id]
    heard = feedback_entries(settings, case_id, creditors, closing.outcome, now.date())
    await _change_open_case(work, settings, case, CASE_CLOSED, announced, changes, status=case["status"], also=heard)


def closing_of(
    case: dict[str, Any], settings: SignalsSettings, outcome: Outcome, note: str, who: str, now: datetime
) -> tuple[CaseClosed, dict[str, Any]]:
    """The event announcing that the case closed with `outcome`, and the case's changes; alike whether a worker
    closes it or it closes by itself below the threshold (services.signals.retention)."""
    born = _birth_date(case, settings)
    announced = CaseClosed(
        case_id=case["_id"],
        household_ref=case["household_ref"],
        municipality=case["municipality"],
        outcome=outcome,
        follow_up=outcome in FOLLOW_UP_OUTCOMES,
        reached=case["reached"],
        creditor_types=case["creditor_types"],
        age_band=age_band(born, now.date()),
        age=age_in_years(born, now.date()),
        creditor_count=case["creditor_count"] or None,
        total_arrears_cents=case["total_arrears_cents"],
        self_reported=case.get("origin") == "self_reported",
    )
    changes = {"status": CLOSED, "outcome": outcome.value, "closing_note": note, "closed_by": who, "closed_at": now}
    return announced, changes


def _birth_date(case: dict[str, Any], settings: SignalsSettings) -> date | None:
    born = ((Sealer(settings).open(case.get("personal")) or {}).get("person") or {}).get("birth_date")
    return date.fromisoformat(born) if born else None


async def _change_open_case(
    work: UnitOfWork,
    settings: SignalsSettings,
    case: dict[str, Any],
    event_type: str,
    data: BaseModel,
    changes: dict[str, Any],
    push: dict[str, Any] | None = None,
    status: str = OPEN,
    also: list[dict[str, Any]] | None = None,
) -> None:
    """Applies `changes` to a case that still has `status`, with the event announcing them (and `also` these
    outbox entries), in one write."""
    event = new_event(type=event_type, source=SOURCE, subject=case["household_ref"], data=data)
    update = change_with_events(changes, outbox_entry(settings.topic(EVENTS_TOPIC), event), *(also or []))
    if push:
        update["$push"] = push
    result = await work.db.cases.update_one({"_id": case["_id"], "status": status}, update)
    if result.modified_count != 1:
        raise CaseNotOpen(case["_id"])
    work.announced("cases", case["_id"])


async def _open_case(db: AsyncDatabase[Any], case_id: str) -> dict[str, Any]:
    case = await get_case(db, case_id)
    if case["status"] != OPEN:
        raise CaseNotOpen(case_id)
    return case
