"""Figures for creditors and for the municipality: creditor feedback and the DDAS-style export."""

from collections import Counter
from datetime import UTC, date, datetime, time
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from plumbing.cursor import Following, Position, read_on
from plumbing.paging import FIRST_PAGE, PageRequest, find_page
from services.signals.bundling import CLOSED
from services.signals.rules import Outcome, feedback_for


async def creditor_feedback(
    db: AsyncDatabase[Any], partner: str, since: datetime, page: PageRequest = FIRST_PAGE
) -> tuple[list[dict[str, Any]], int]:
    """Per signal of this partner, one page at a time (oldest first), and how many there are in all: picked up,
    not picked up, or pending. Never the outcome itself."""
    signals, total = await find_page(
        db.signals, {"partner": partner, "received_at": {"$gte": since}}, [("received_at", 1)], page, FEEDBACK_FIELDS
    )
    return await with_feedback(db, signals), total


FEEDBACK_FIELDS = {"contract_reference": 1, "received_at": 1, "case_id": 1, "repeat": 1}


async def creditor_feedback_after(
    db: AsyncDatabase[Any], partner: str, after: Position | None, since: datetime | None, per_page: int
) -> tuple[list[dict[str, Any]], Following]:
    """The same, followed by cursor: the partner's signals after `after` (or from `since`), oldest first, up to
    the settled horizon (`plumbing.cursor`), so that a system following `next` never misses or repeats one."""
    page = await read_on(db.signals, {"partner": partner}, "received_at", after, since, per_page, FEEDBACK_FIELDS)
    return await with_feedback(db, page.documents), page


async def with_feedback(db: AsyncDatabase[Any], signals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each signal with what became of it, read with one `$in` of their cases."""
    case_ids = list({signal["case_id"] for signal in signals if signal.get("case_id")})
    outcomes = {
        case["_id"]: case.get("outcome") async for case in db.cases.find({"_id": {"$in": case_ids}}, {"outcome": 1})
    }
    return [
        {
            "signal_id": signal["_id"],
            "contract_reference": signal["contract_reference"],
            "received_at": signal["received_at"],
            "feedback": feedback_for(
                Outcome(outcomes[signal["case_id"]]) if outcomes.get(signal.get("case_id")) else None
            ).value,
        }
        for signal in signals
    ]


async def ddas_export(db: AsyncDatabase[Any], municipality: str, start: date, end: date) -> dict[str, Any]:
    """The municipality's figures over [start, end], grouped as the DDAS-vroegsignalering standard reports them:
    signals per creditor type, households, contact attempts per kind and reach, closed cases per outcome."""
    since = datetime.combine(start, time.min, UTC)
    until = datetime.combine(end, time.max, UTC)
    signals = await db.signals.find(
        {"municipality": municipality, "received_at": {"$gte": since, "$lte": until}},
        {"creditor_type": 1, "household_ref": 1, "repeat": 1},
    ).to_list()
    cases = await db.cases.find(  # early signalling only: a resident's own request (self-reported) is no signal
        {"municipality": municipality, "first_signal_at": {"$lte": until}, "origin": {"$ne": "self_reported"}},
        {"status": 1, "outcome": 1, "closed_at": 1, "contact_attempts": 1, "reached": 1, "first_signal_at": 1},
    ).to_list()
    attempts = [
        attempt
        for case in cases
        for attempt in case["contact_attempts"]
        if start.isoformat() <= attempt["on"] <= end.isoformat()
    ]
    closed = [case for case in cases if case["status"] == CLOSED and since <= case["closed_at"] <= until]
    return {
        "standaard": "DDAS-vroegsignalering",
        "gemeente": municipality,
        "periode": {"van": start.isoformat(), "tot_en_met": end.isoformat()},
        "signalen": {
            "totaal": len(signals),
            "herhaalsignalen": sum(1 for s in signals if s.get("repeat")),
            "per_schuldeiser_type": dict(sorted(Counter(s["creditor_type"] for s in signals).items())),
        },
        "huishoudens_met_signaal": len({s["household_ref"] for s in signals}),
        "contactpogingen": {
            "totaal": len(attempts),
            "bereikt": sum(1 for a in attempts if a["reached"]),
            "per_soort": dict(sorted(Counter(a["kind"] for a in attempts).items())),
        },
        "afgesloten": {
            "totaal": len(closed),
            "per_uitkomst": {
                outcome.value: sum(1 for c in closed if c["outcome"] == outcome.value) for outcome in Outcome
            },
        },
        "feedback_schuldeisers": dict(
            sorted(Counter(feedback_for(Outcome(c["outcome"])).value for c in closed).items())
        ),
        "gegenereerd_op": datetime.now(UTC).isoformat(),
    }
