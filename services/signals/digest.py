"""The daily digest: each mailbox hears, once a day, how many open cases have a deadline within two working days or
past it, with a link to the queue: a municipality's of `team_mailboxes` all its cases, a neighbourhood team's own
mailbox (services.signals.teams) the team's. Counts only, no household.

The digest's key (municipality and day) makes it go once a day however often the job runs; the job runs hourly
and queues the day's digests from `digest_hour` on.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.asynchronous.database import AsyncDatabase

from plumbing.mail import Notification, enqueue
from plumbing.reference import municipality_name
from services.signals.bundling import OPEN
from services.signals.calendar import add_working_days
from services.signals.settings import SignalsSettings

DUE_WITHIN_WORKING_DAYS = 2
DIGEST_INTERVAL_SECONDS = 3600.0
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


async def queue_digests(db: AsyncDatabase[Any], settings: SignalsSettings, now: datetime | None = None) -> int:
    """Queues today's digest for each mailbox that has cases due: each municipality's of `team_mailboxes` (all its
    cases) and each neighbourhood team's own mailbox (its cases); one read of the teams, one aggregation for all."""
    now = now or datetime.now(AMSTERDAM)
    if now.hour < settings.digest_hour:
        return 0
    teams = await db.teams.find(
        {"mailbox": {"$nin": [None, ""]}}, {"municipality": 1, "name": 1, "mailbox": 1}
    ).to_list()
    wanted = set(settings.team_mailboxes) | {team["municipality"] for team in teams}
    if not wanted:
        return 0
    today = now.date()
    soon = add_working_days(today, DUE_WITHIN_WORKING_DAYS).isoformat()
    pipeline: list[dict[str, Any]] = [
        {"$match": {"status": OPEN, "municipality": {"$in": sorted(wanted)}, "deadline": {"$lte": soon}}},
        {
            "$project": {
                "municipality": 1,
                "team": 1,
                "late": {"$cond": [{"$lt": ["$deadline", today.isoformat()]}, 1, 0]},
            }
        },
        {"$group": {"_id": {"m": "$municipality", "t": "$team"}, "due": {"$sum": 1}, "late": {"$sum": "$late"}}},
    ]
    per_municipality: dict[str, list[int]] = {}
    per_team: dict[str, list[int]] = {}
    async for row in await db.cases.aggregate(pipeline):
        counts = per_municipality.setdefault(row["_id"]["m"], [0, 0])
        counts[0], counts[1] = counts[0] + row["due"], counts[1] + row["late"]
        if row["_id"].get("t"):
            per_team[row["_id"]["t"]] = [row["due"], row["late"]]
    digests = [
        digest(
            settings, municipality, address, today, per_municipality[municipality][0], per_municipality[municipality][1]
        )
        for municipality, address in settings.team_mailboxes.items()
        if municipality in per_municipality
    ]
    digests += [
        digest(
            settings,
            team["municipality"],
            team["mailbox"],
            today,
            per_team[team["_id"]][0],
            per_team[team["_id"]][1],
            team,
        )
        for team in teams
        if team["_id"] in per_team
    ]
    return await enqueue(db, digests)


def digest(
    settings: SignalsSettings,
    municipality: str,
    address: str,
    today: date,
    due: int,
    late: int,
    team: dict[str, Any] | None = None,
) -> Notification:
    """The digest of a municipality's cases, or (`team`) of one neighbourhood team's."""
    name = f"{team['name']} ({municipality_name(municipality)})" if team else municipality_name(municipality)
    link = f"{settings.signals_url}/?gemeente={municipality}" + (f"&team={team['_id']}" if team else "")
    body = (
        f"Goedemorgen,\n\nIn {name} staan {due} open casussen waarvan de termijn binnen "
        f"{DUE_WITHIN_WORKING_DAYS} werkdagen afloopt"
        + (f"; bij {late} daarvan is de termijn al verstreken" if late else "")
        + f".\n\nDe werkvoorraad: {link}\n\nDeze e-mail bevat geen gegevens over huishoudens; die ziet u na inloggen."
    )
    return Notification(
        key=f"digest:{municipality}:{team['_id'] + ':' if team else ''}{today.isoformat()}",
        to=address,
        subject=f"Werkvoorraad {name}: {due} casussen met een termijn die afloopt",
        body=body,
    )
