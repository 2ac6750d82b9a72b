"""How a resident's own help request becomes outreach: a case of its own kind (self-reported, no creditor), or a
request in the household's active case. No I/O: the use case (services.signals.help_requests) writes the result.

A self-reported case is worked at once (no threshold: the resident asked), with the municipality's outreach term in
working days, or the crisis term when they report an announced eviction or disconnection. Joining a case below the
threshold starts its outreach the same way; joining an open case brings its deadline forward only for a crisis.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from services.signals.bundling import OPEN, REGISTERED, Policy, empty_case
from services.signals.events import (
    CASE_ESCALATED,
    CASE_OPENED,
    HELP_REQUESTED,
    CaseEscalated,
    CaseOpened,
    HelpRequested,
)
from services.signals.rules import deadline
from services.signals.self_test import HelpRequestCreate, advise

SELF_REPORTED, SIGNALLED = "self_reported", "signal"


@dataclass
class Requested:
    case: dict[str, Any]
    events: list[tuple[str, BaseModel]] = field(default_factory=list)


def personal_of(request: HelpRequestCreate) -> dict[str, Any]:
    """The request's personal data, in the shape of a case's (`person`, `address`), to be sealed."""
    return {
        "person": {"name": request.name, "phone": request.phone, "email": request.email},
        "address": {
            "postcode": request.postcode,
            "house_number": request.house_number,
            "addition": request.addition,
            "street": request.street,
            "city": request.city,
        },
    }


def request_entry(
    request_id: str, request: HelpRequestCreate, now: datetime, seal: Callable[[Any], str], employer_id: str = ""
) -> dict[str, Any]:
    """The request as the case keeps it: who and the answers sealed, the rest plain for the queue and figures."""
    return {
        "id": request_id,
        "at": now,
        "personal": seal({**personal_of(request), "test": request.test.model_dump(mode="json")}),
        "contact_by": request.contact_by.value,
        "crisis": request.crisis,
        "advice": advise(request.test).advice.value,
        "employer_code": request.employer_code,
        "employer_id": employer_id or None,  # the employer desk it came through (services.signals.employer_desk)
        "confirmation_email": request.confirmation_email,
    }


def new_self_reported_case(
    case_id: str, household: str, request: HelpRequestCreate, now: datetime, seal: Callable[[Any], str]
) -> dict[str, Any]:
    """An empty case of the household, begun by the resident; `fold_request` then adds the request."""
    case = empty_case(case_id, household, request.test.municipality, request.postcode, seal(personal_of(request)), now)
    return {**case, "origin": SELF_REPORTED, "help_requests": []}


def fold_request(case: dict[str, Any], entry: dict[str, Any], policy: Policy, on: date) -> Requested:
    """Adds the request `entry` to an active case (new or the household's own) on day `on`."""
    earlier = case.get("help_requests", [])  # cases of creditors hold none until a resident asks
    fresh = not earlier and case.get("origin") == SELF_REPORTED
    crisis = case["crisis"] or entry["crisis"]
    due = deadline(on, crisis, policy.term_working_days)
    updated = {**case, "help_requests": [*earlier, entry], "crisis": crisis}
    events: list[tuple[str, BaseModel]] = []
    opened = case["status"] == REGISTERED
    if opened:
        updated.update(status=OPEN, deadline=due.isoformat())
        if not fresh:  # a case of creditors below the threshold: worked from now on, as any opened case
            events.append(
                (
                    CASE_OPENED,
                    CaseOpened(
                        case_id=case["_id"],
                        household_ref=case["household_ref"],
                        municipality=case["municipality"],
                        deadline=due,
                        crisis=crisis,
                        creditor_count=case["creditor_count"],
                        total_arrears_cents=case["total_arrears_cents"],
                    ),
                )
            )
    elif crisis and not case["crisis"]:
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
    events.append(
        (
            HELP_REQUESTED,
            HelpRequested(
                request_id=entry["id"],
                case_id=case["_id"],
                household_ref=case["household_ref"],
                municipality=case["municipality"],
                deadline=date.fromisoformat(updated["deadline"]),
                crisis=entry["crisis"],
                opened_case=opened,
                bundled=not fresh,
                advice=entry["advice"],
                contact_by=entry["contact_by"],
                employer_code=entry["employer_code"],
                employer_id=entry.get("employer_id"),
            ),
        )
    )
    return Requested(updated, events)
