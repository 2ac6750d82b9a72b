"""The queue as a worker narrows it: by team, by assignee, by search text, sorted by a column; and the same list
as a CSV download. A page costs two operations (the page, the total), whatever the filters.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from plumbing.paging import FIRST_PAGE, PageRequest, find_page
from services.signals.bundling import OPEN
from services.signals.casework import QueueFilter, is_overdue
from services.signals.labels import STATUSES
from services.signals.municipality_settings import QueueWeights
from services.signals.order import priority_expression, sorted_by, weighted_order, why
from services.signals.teams import NO_TEAM, NO_TEAM_LABEL

UNASSIGNED = "niemand"  # the assignee filter value for cases nobody took on
POSTCODE_SEARCH = re.compile(r"^([1-9][0-9]{3}) ?([A-Za-z]{2})?$")
MIN_REFERENCE_SEARCH = 4
MAX_EXPORT_ROWS = 10_000


@dataclass(frozen=True)
class Worklist(QueueFilter):
    team: str | None = None  # a team id, NO_TEAM, or None for every team
    assignee: str | None = None  # a username, UNASSIGNED, or None for anyone
    search: str = ""  # a postcode (its area counts) or the start of a case or household reference
    sort: str | None = None  # a column of order.SORTS; None: the standard (or weighted) order
    reverse: bool = False

    def query(self) -> dict[str, Any]:
        query = super().query()
        if self.team:
            query["team"] = None if self.team == NO_TEAM else self.team
        if self.assignee:
            query["assignee"] = None if self.assignee == UNASSIGNED else self.assignee
        text = self.search.strip()
        postcode = POSTCODE_SEARCH.match(text)
        if postcode:
            query["postcode_area"] = postcode.group(1)
        elif len(text) >= MIN_REFERENCE_SEARCH:
            start = {"$regex": "^" + re.escape(text)}
            query["$or"] = [{"_id": start}, {"household_ref": start}]
        elif text:
            query["_id"] = {"$in": []}  # too short to be a reference: nothing, rather than everything
        return query


def search_is_too_short(text: str) -> bool:
    text = text.strip()
    return bool(text) and not POSTCODE_SEARCH.match(text) and len(text) < MIN_REFERENCE_SEARCH


async def worklist(
    db: AsyncDatabase[Any],
    selection: Worklist,
    weights: QueueWeights | None = None,
    page: PageRequest = FIRST_PAGE,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the selection in its order, and how many cases it holds in all."""
    query = selection.query()
    if selection.sort:
        return await find_page(db.cases, query, sorted_by(selection.sort, selection.reverse), page, {"outbox": 0})
    if selection.status != OPEN:
        return await find_page(db.cases, query, [("first_signal_at", -1)], page, {"outbox": 0})
    if weights is None:
        return await find_page(db.cases, query, sorted_by("deadline"), page, {"outbox": 0})
    pipeline: list[dict[str, Any]] = [
        {"$match": query},
        {"$addFields": {"priority": priority_expression(weights, now or datetime.now(UTC))}},
        {"$sort": dict([*weighted_order(), ("_id", 1)])},
        {"$skip": page.skip},
        {"$limit": page.per_page},
        {"$project": {"outbox": 0}},
    ]
    found = [case async for case in await db.cases.aggregate(pipeline)]
    return found, await db.cases.count_documents(query)


CSV_HEADERS = [
    "Casus",
    "Gemeente",
    "Wijk (postcodegebied)",
    "Team",
    "Behandelaar",
    "Status",
    "Termijn",
    "Over termijn",
    "Crisis",
    "Schuldeisers",
    "Achterstand (EUR)",
    "Eerste signaal",
    "Contactpogingen",
    "Bereikt",
    "Waarom hier",
]


def csv_of(
    cases: list[dict[str, Any]],
    municipality_names: dict[str, str],
    team_names: dict[str, str],
    weights: QueueWeights | None,
    now: datetime,
    today: date,
) -> str:
    """The list as shown in the queue, one row per case, Dutch headers; no personal data (the queue shows none)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for case in cases:
        writer.writerow(
            [
                case["_id"],
                municipality_names.get(case["municipality"], case["municipality"]),
                case["postcode_area"],
                team_names.get(case.get("team") or "", NO_TEAM_LABEL),
                case.get("assignee") or "",
                STATUSES.get(case["status"], case["status"]),
                case.get("deadline") or "",
                "ja" if is_overdue(case, today) else "nee",
                "ja" if case["crisis"] else "nee",
                case["creditor_count"],
                f"{case['total_arrears_cents'] / 100:.2f}".replace(".", ","),
                case["first_signal_on"],
                len(case["contact_attempts"]),
                "ja" if case["reached"] else "nee",
                why(case, now, weights),
            ]
        )
    return out.getvalue()
