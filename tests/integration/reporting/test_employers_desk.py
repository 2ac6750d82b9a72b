"""Employers using the employer debt-help desk, against expectations counted here from the events themselves:
each employer once over the programme's period, whichever municipality and month its desk's requests came in,
and apart from the employers that recruit volunteers."""

import random
import uuid
from datetime import UTC, datetime
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
MONTHS = [datetime(2026, month, 10, tzinfo=UTC) for month in (3, 7, 11)]


def event(kind: str, when: datetime, **data: Any) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()), source="/tests", type=f"nl.redzaam.{kind}", subject="x", time=when, data=data
    )


def help_requests(rng: random.Random) -> list[CloudEvent]:
    """Residents' own requests (no employer) and requests through 23 employers' desks, some employers again and
    again, in several municipalities and months; and employers that recruit volunteers, one of them also a desk."""
    events = []
    for number in range(160):
        employer = f"werkgever-{rng.randrange(23)}" if number % 3 else None
        data = {
            "request_id": f"hr-{number}",
            "case_id": f"c-{number}",
            "household_ref": f"hh-{rng.randrange(120)}",
            "municipality": rng.choice(MUNICIPALITIES),
            "employer_id": employer,
        }
        events.append(event("help.requested", rng.choice(MONTHS), **data))
    for number, employer in enumerate(["Ten Cate", "werkgever-3", "Bakkerij Jansen"]):
        events.append(
            event(
                "volunteer.status_changed",
                rng.choice(MONTHS),
                volunteer_id=f"vw-{number}",
                status="active",
                roles=["debt_buddy"],
                municipalities=[rng.choice(MUNICIPALITIES)],
                recruited_through=employer,
            )
        )
    return events


async def test_the_desk_target_counts_each_employer_using_the_desk_once(mongo: Any) -> None:
    events = help_requests(random.Random(16))
    projection = projection_named(mongo, "counters")
    items = [Delivered(item, Origin("t.events", 0, offset)) for offset, item in enumerate(events)]
    for start in range(0, len(items), 50):
        await record_batch(projection, items[start : start + 50])

    desk = [item.data for item in events if item.type.endswith("help.requested") and item.data["employer_id"]]
    employers = {data["employer_id"] for data in desk}
    per_municipality = {
        municipality: len({data["employer_id"] for data in desk if data["municipality"] == municipality})
        for municipality in MUNICIPALITIES
    }
    target = next(item for item in await progress(projection, DEFAULT_TARGETS) if item.target.id == "employers")
    assert (target.value, target.target.goal) == (len(employers), 200)
    assert target.percent == round(100 * len(employers) / 200, 1)

    shown = await read_figures(projection)
    assert shown.totals["employers_desk"] == len(employers)
    assert {m: shown.by_municipality[m]["employers_desk"] for m in MUNICIPALITIES} == per_municipality
    # requests came again from the same employers, in several places: adding up would overcount
    assert len(desk) > len(employers) and sum(per_municipality.values()) > len(employers)
    # recruiting volunteers is another figure, even for an employer that also uses the desk
    assert shown.totals["employers_recruiting"] == 3


async def test_a_request_without_an_employer_counts_for_no_employer(mongo: Any) -> None:
    projection = projection_named(mongo, "counters")
    data = {"request_id": "hr-1", "case_id": "c-1", "household_ref": "hh-1", "municipality": "GM0141"}
    events = [event("help.requested", MONTHS[0], **data), event("help.requested", MONTHS[1], **data, employer_id="")]
    await record_batch(projection, [Delivered(item, Origin("t.events", 0, n)) for n, item in enumerate(events)])
    shown = await read_figures(projection)
    assert shown.totals.get("employers_desk", 0) == 0
