"""People reached directly (they asked for help themselves, through the portal) apart from via partners (a creditor's
signal, then outreach): the target's figure and its breakdown against a count made here from the events."""

import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from plumbing.events import CloudEvent
from plumbing.kafka import Delivered, Origin
from services.reporting.counting import record_batch
from services.reporting.dashboard import read_figures
from services.reporting.projection import projection_named
from services.reporting.targets import DEFAULT_TARGETS, progress

pytestmark = pytest.mark.integration
MUNICIPALITIES = ["GM0141", "GM0150", "GM0163"]
MONTHS = [datetime(2026, month, 10, tzinfo=UTC) for month in (9, 10, 11)]


def event(kind: str, **data: Any) -> CloudEvent:
    when = data.pop("when")
    return CloudEvent(
        id=str(uuid.uuid4()), source="/tests", type=f"nl.redzaam.{kind}", subject="x", time=when, data=data
    )


def generated(rng: random.Random) -> list[CloudEvent]:
    """Households signalled by creditors and reached by outreach, residents asking for help themselves (some of
    them again, some also signalled), and outreach to the self-reported cases."""
    events = []
    for _ in range(200):
        household = f"hh-{rng.randrange(60)}"
        where = {"municipality": rng.choice(MUNICIPALITIES), "when": rng.choice(MONTHS), "household_ref": household}
        roll = rng.random()
        if roll < 0.35:
            events.append(event("contact.attempted", reached=rng.random() < 0.7, **where))
        elif roll < 0.5:
            events.append(event("case.closed", outcome="no_contact", reached=rng.random() < 0.5, **where))
        elif roll < 0.8:
            opened, bundled = rng.random() < 0.8, rng.random() < 0.3
            events.append(event("help.requested", opened_case=opened, bundled=bundled, advice="volunteer", **where))
        else:
            self_reported = {"self_reported": True}
            events.append(event("contact.attempted", reached=rng.random() < 0.7, **where, **self_reported))
    return events


def expected(events: list[CloudEvent]) -> dict[str, Any]:
    """Straight from the events: who was reached which way, how many requests and cases they opened."""
    direct: set[str] = set()
    partners: set[str] = set()
    requests = opened = 0
    for item in events:
        data = item.data
        if item.type.endswith("help.requested"):
            direct.add(data["household_ref"])
            requests += 1
            opened += data["opened_case"] and not data["bundled"]
        elif data.get("reached"):
            (direct if data.get("self_reported") else partners).add(data["household_ref"])
    return {"direct": direct, "partners": partners, "requests": requests, "opened": opened}


async def test_people_reached_directly_are_shown_apart_from_those_reached_via_partners(mongo: Any) -> None:
    events = generated(random.Random(16))
    projection = projection_named(mongo, "counters")
    items = [Delivered(item, Origin("t.events", 0, offset)) for offset, item in enumerate(events)]
    for start in range(0, len(items), 50):
        await record_batch(projection, items[start : start + 50])
    await record_batch(projection, items[:30])  # redelivered: counts nothing again

    want = expected(events)
    measured = {item.target.id: item for item in await progress(projection, DEFAULT_TARGETS, date(2026, 12, 1))}
    people = measured["people_reached"]
    assert people.per_dimension == {"partners": len(want["partners"]), "direct": len(want["direct"])}
    assert people.value == len(want["direct"] | want["partners"])
    shown = await read_figures(projection)
    assert shown.totals["households_reached"] == people.value
    assert (shown.totals["help_requests"], shown.totals["cases_opened"]) == (want["requests"], want["opened"])
    # the data set is one where adding the two ways up would count some households twice
    assert want["direct"] & want["partners"] and want["direct"] - want["partners"]
