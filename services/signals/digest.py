"""The daily digest: each neighbourhood team's mailbox hears, once a day, how many of its municipality's open cases
have a deadline within two working days or past it, with a link to the queue. Counts only, no household.

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
    """Queues today's digest for each team mailbox that has cases due; one aggregation for all municipalities."""
    now = now or datetime.now(AMSTERDAM)
    if now.hour < settings.digest_hour or not settings.team_mailboxes:
        return 0
    today = now.date()
    soon = add_working_days(today, DUE_WITHIN_WORKING_DAYS).isoformat()
    pipeline: list[dict[str, Any]] = [
        {
            "$match": {
                "status": OPEN,
                "municipality": {"$in": list(settings.team_mailboxes)},
                "deadline": {"$lte": soon},
            }
        },
        {"$project": {"municipality": 1, "late": {"$cond": [{"$lt": ["$deadline", today.isoformat()]}, 1, 0]}}},
        {"$group": {"_id": "$municipality", "due": {"$sum": 1}, "late": {"$sum": "$late"}}},
    ]
    counts = {row["_id"]: row async for row in await db.cases.aggregate(pipeline)}
    digests = [
        digest(settings, municipality, address, today, counts[municipality]["due"], counts[municipality]["late"])
        for municipality, address in settings.team_mailboxes.items()
        if municipality in counts
    ]
    return await enqueue(db, digests)


def digest(
    settings: SignalsSettings, municipality: str, address: str, today: date, due: int, late: int
) -> Notification:
    name = municipality_name(municipality)
    link = f"{settings.signals_url}/?gemeente={municipality}"
    body = (
        f"Goedemorgen,\n\nIn {name} staan {due} open casussen waarvan de termijn binnen "
        f"{DUE_WITHIN_WORKING_DAYS} werkdagen afloopt"
        + (f"; bij {late} daarvan is de termijn al verstreken" if late else "")
        + f".\n\nDe werkvoorraad: {link}\n\nDeze e-mail bevat geen gegevens over huishoudens; die ziet u na inloggen."
    )
    return Notification(
        key=f"digest:{municipality}:{today.isoformat()}",
        to=address,
        subject=f"Werkvoorraad {name}: {due} casussen met een termijn die afloopt",
        body=body,
    )
