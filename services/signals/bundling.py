"""How one signal changes a household's case: bundling, repeats, threshold, crisis and deadline. No I/O.

A case is a plain dict as stored; `fold_signal` returns the new case fields and the events that announce the
change, which the intake use case writes in one conditional update.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from services.signals.domain import SignalSubmission, postcode_area
from services.signals.events import CASE_ESCALATED, CASE_OPENED, SIGNAL_RAISED, CaseEscalated, CaseOpened, SignalRaised
from services.signals.rules import Creditor, deadline, is_repeat, worked

REGISTERED, OPEN, CLOSED = "registered", "open", "closed"
ACTIVE_STATUSES = [REGISTERED, OPEN]


@dataclass(frozen=True)
class Policy:
    threshold_cents: int
    term_working_days: int


@dataclass
class Folded:
    repeat: bool
    case: dict[str, Any]
    events: list[tuple[str, BaseModel]] = field(default_factory=list)


def empty_case(
    case_id: str, household: str, municipality: str, postcode: str, personal: str, now: datetime
) -> dict[str, Any]:
    """A household's case before anything is folded into it: no signal, no creditor, no deadline yet. `personal` is
    the sealed personal data (services.signals.sealing). Signals and self-reported help requests both start here."""
    return {
        "_id": case_id,
        "household_ref": household,
        "municipality": municipality,
        "postcode_area": postcode_area(postcode),
        "status": REGISTERED,
        "personal": personal,
        "signal_ids": [],
        "repeat_signal_ids": [],
        "creditors": [],
        "creditor_types": [],
        "creditor_count": 0,
        "total_arrears_cents": 0,
        "crisis": False,
        "first_signal_at": now,
        "first_signal_on": now.date().isoformat(),
        "last_signal_at": now,
        "deadline": None,
        "contact_attempts": [],
        "reached": False,
        "outcome": None,
        "closed_at": None,
        "team": None,  # the neighbourhood team of its postcode area (services.signals.teams)
        "assignee": None,  # the worker of the team who took it on (services.signals.assignment)
    }


def new_case_fields(
    case_id: str, household: str, submission: SignalSubmission, now: datetime, seal: Callable[[Any], str]
) -> dict[str, Any]:
    """`seal` encrypts the personal data (services.signals.sealing)."""
    personal = {
        "person": submission.person.model_dump(mode="json"),
        "address": submission.address.model_dump(mode="json"),
    }
    return empty_case(case_id, household, submission.municipality, submission.address.postcode, seal(personal), now)


def fold_signal(
    case: dict[str, Any],
    signal_id: str,
    partner: str,
    submission: SignalSubmission,
    policy: Policy,
    on: date,
    received_at: datetime | None = None,
) -> Folded:
    """Folds the signal received `on` that day into the case. The outreach term starts when the case starts to be
    worked (the day its arrears reach the threshold) or when a crisis is reported, not on the first signal: a case
    that crosses the threshold weeks later, or a crisis reported later, never starts overdue. A counted signal at
    `received_at` restarts the wait of a case below the threshold (it closes by itself when that wait is over)."""
    known = [Creditor(c["partner"], c["creditor_type"], c["arrears_cents"]) for c in case["creditors"]]
    kind = submission.creditor_type.value
    if is_repeat(known, partner, kind, submission.arrears_cents):
        return Folded(True, {**case, "repeat_signal_ids": [*case["repeat_signal_ids"], signal_id]})

    creditors = [c for c in case["creditors"] if (c["partner"], c["creditor_type"]) != (partner, kind)]
    creditors.append(
        {
            "partner": partner,
            "creditor_type": kind,
            "arrears_cents": submission.arrears_cents,
            "contract_reference": submission.contract_reference,
            "arrears_since": submission.arrears_since.isoformat(),
        }
    )
    was_crisis = case["crisis"]
    updated = {
        **case,
        "signal_ids": [*case["signal_ids"], signal_id],
        "creditors": creditors,
        "creditor_types": sorted({c["creditor_type"] for c in creditors}),
        "creditor_count": len({c["partner"] for c in creditors}),
        "total_arrears_cents": sum(c["arrears_cents"] for c in creditors),
        "crisis": was_crisis or submission.crisis,
    }
    if received_at is not None:
        updated["last_signal_at"] = received_at
    events: list[tuple[str, BaseModel]] = [
        (
            SIGNAL_RAISED,
            SignalRaised(
                signal_id=signal_id,
                case_id=case["_id"],
                household_ref=case["household_ref"],
                municipality=case["municipality"],
                creditor_partner=partner,
                creditor_type=kind,
                arrears_cents=submission.arrears_cents,
                arrears_since=submission.arrears_since,
                crisis=submission.crisis,
                creditor_count=updated["creditor_count"],
            ),
        )
    ]
    due = deadline(on, updated["crisis"], policy.term_working_days)
    if case["status"] == REGISTERED and worked(updated["total_arrears_cents"], policy.threshold_cents):
        updated.update(status=OPEN, deadline=due.isoformat())
        events.append(
            (
                CASE_OPENED,
                CaseOpened(
                    case_id=case["_id"],
                    household_ref=case["household_ref"],
                    municipality=case["municipality"],
                    deadline=due,
                    crisis=updated["crisis"],
                    creditor_count=updated["creditor_count"],
                    total_arrears_cents=updated["total_arrears_cents"],
                ),
            )
        )
    elif case["status"] == OPEN and updated["crisis"] and not was_crisis:
        updated["deadline"] = min(due.isoformat(), case["deadline"])
        events.append(
            (
                CASE_ESCALATED,
                CaseEscalated(
                    case_id=case["_id"],
                    household_ref=case["household_ref"],
                    municipality=case["municipality"],
                    deadline=date.fromisoformat(updated["deadline"]),
                ),
            )
        )
    return Folded(False, updated, events)
