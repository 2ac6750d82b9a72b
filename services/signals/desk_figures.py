"""What an employer sees of its desk: per month, how many help requests came through it (asked by its HR contact or
with its desk code) and how many of those the municipality picked up. Never who, never a case.

Counts below `SUPPRESS_BELOW` show as "minder dan 5", zero included, so that a request of one employee does not show
as a change from 0 to 1 (reporting's threshold for anything shared outside the region, `suppress_below`). Only
months that are over are shown: a count that moves within the month could tell an HR contact who had just asked.
"Picked up" is what a creditor hears as picked up: the case closed with help, a referral or a quick fix.

Secondary suppression: requests minus picked up is the number not picked up, so when that difference is above zero
and below the threshold the picked-up figure shows only as "niet getoond" (12 requests and 10 picked up would tell
that 2 were not). A difference of zero reveals nothing about anyone and stays shown.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.signals.rules import Feedback, Outcome, feedback_for

SUPPRESS_BELOW = 5
MONTHS_SHOWN = 12
NOT_SHOWN = "niet getoond"
MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
               "november", "december")  # fmt: skip


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    label: str  # "maart 2026"
    requests: str
    picked_up: str


def anonymous(count: int, below: int = SUPPRESS_BELOW) -> str:
    """A count as an employer may see it: below the threshold (zero too) only that it is below."""
    return f"minder dan {below}" if count < below else str(count)


def picked_up_shown(requests: int, picked_up: int, below: int = SUPPRESS_BELOW) -> str:
    """The picked-up count as an employer may see it: hidden when small, and hidden too when the few not picked up
    could be read from it (0 < requests - picked up < threshold)."""
    if picked_up >= below and 0 < requests - picked_up < below:
        return NOT_SHOWN
    return anonymous(picked_up, below)


def months_before(today: date, count: int = MONTHS_SHOWN) -> list[str]:
    """The `count` months that are over, newest first: for 2026-12-02, 2026-11 back to 2025-12."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(f"{year:04d}-{month:02d}")
    return months


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def tally(cases: list[dict[str, Any]], employer_id: str, months: list[str]) -> tuple[Counter[str], Counter[str]]:
    """Requests through this employer's desk per month, and those picked up, from the cases that hold them."""
    requests: Counter[str] = Counter()
    picked_up: Counter[str] = Counter()
    for case in cases:
        outcome = case.get("outcome")
        picked = feedback_for(Outcome(outcome) if outcome else None) is Feedback.PICKED_UP
        for entry in case.get("help_requests", []):
            month = entry["at"].strftime("%Y-%m")
            if entry.get("employer_id") == employer_id and month in months:
                requests[month] += 1
                picked_up[month] += picked
    return requests, picked_up


async def desk_figures(db: AsyncDatabase[Any], employer_id: str, today: date | None = None) -> list[MonthFigures]:
    """The employer's anonymous figures for the months that are over, newest first; one read of the cases."""
    months = months_before(today or date.today())
    oldest = datetime.fromisoformat(f"{months[-1]}-01").replace(tzinfo=UTC)
    cases = await db.cases.find(
        {"help_requests.employer_id": employer_id, "help_requests.at": {"$gte": oldest}},  # `tally` checks each
        {"help_requests.employer_id": 1, "help_requests.at": 1, "outcome": 1},
    ).to_list()
    requests, picked_up = tally(cases, employer_id, months)
    return [
        MonthFigures(
            month, month_label(month), anonymous(requests[month]), picked_up_shown(requests[month], picked_up[month])
        )
        for month in months
    ]


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db.cases.create_index([("help_requests.employer_id", 1), ("help_requests.at", 1)])
