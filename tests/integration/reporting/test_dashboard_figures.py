"""The dashboard's figures on a generated data set, against expectations counted here from the events themselves:
distinct metrics count each household, volunteer or employer once over what a figure covers, also across months
and municipalities; the others count events."""

import random
import uuid
from collections import defaultdict
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
MONTHS = [datetime(2026, month, 10, tzinfo=UTC) for month in (9, 10, 11)]


def event(kind: str, when: datetime, **data: Any) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()), source="/tests", type=f"nl.redzaam.{kind}", subject="x", time=when, data=data
    )


def generated(rng: random.Random) -> list[CloudEvent]:
    events = []
    for _ in range(150):  # households signalled and reached, some many times, some in two municipalities
        household = f"hh-{rng.randrange(40)}"
        municipality, when = rng.choice(MUNICIPALITIES), rng.choice(MONTHS)
        events.append(
            event("signal.raised", when, household_ref=household, municipality=municipality, creditor_type="rent")
        )
        if rng.random() < 0.5:
            events.append(
                event("contact.attempted", when, household_ref=household, municipality=municipality, reached=True)
            )
    for _ in range(120):  # a few volunteers assigned again and again, some recruited through an employer
        volunteer = f"vw-{rng.randrange(12)}"
        employer = ["", "Bakkerij Jansen", " bakkerij jansen ", "Ten Cate"][int(volunteer[3:]) % 4]
        events.append(
            event(
                "volunteer.assigned",
                rng.choice(MONTHS),
                household_ref=f"hh-{rng.randrange(40)}",
                volunteer_id=volunteer,
                role="debt_buddy",
                municipality=rng.choice(MUNICIPALITIES),
                recruited_through=employer,
            )
        )
    return events


def expected(events: list[CloudEvent]) -> dict[str, Any]:
    """The figures counted straight from the events, without the reporting code's facts."""
    reached: dict[str, set[tuple[str, ...]]] = defaultdict(set)  # what -> {(subject, municipality, month)}
    signals: list[tuple[str, str]] = []
    for item in events:
        data, month = item.data, item.time.strftime("%Y-%m")
        if item.type.endswith("signal.raised"):
            signals.append((data["municipality"], month))
        elif item.type.endswith("contact.attempted"):
            reached["households_reached"].add((data["household_ref"], data["municipality"], month))
        else:
            reached["volunteers_active"].add((data["volunteer_id"], data["municipality"], month))
            employer = data["recruited_through"].strip().lower()
            if employer:
                reached["employers_engaged"].add((employer, data["municipality"], month))

    def distinct(metric: str, municipality: str | None = None, month: str | None = None) -> int:
        return len(
            {
                subject
                for subject, where, when in reached[metric]
                if municipality in (None, where) and month in (None, when)
            }
        )

    months = [when.strftime("%Y-%m") for when in MONTHS]
    metrics = ["households_reached", "volunteers_active", "employers_engaged"]
    return {
        "totals": {metric: distinct(metric) for metric in metrics} | {"signals_raised": len(signals)},
        "by_month": {metric: {month: distinct(metric, month=month) for month in months} for metric in metrics},
        "by_municipality": {
            municipality: {metric: distinct(metric, municipality) for metric in metrics}
            | {"signals_raised": sum(1 for where, _ in signals if where == municipality)}
            for municipality in MUNICIPALITIES
        },
    }


async def test_the_dashboard_counts_each_subject_once_over_what_a_figure_covers(mongo: Any) -> None:
    events = generated(random.Random(2026))
    projection = projection_named(mongo, "counters")
    items = [Delivered(item, Origin("t.events", 0, offset)) for offset, item in enumerate(events)]
    for start in range(0, len(items), 100):
        await record_batch(projection, items[start : start + 100])

    shown = await read_figures(projection)

    want = expected(events)
    assert {metric: shown.totals[metric] for metric in want["totals"]} == want["totals"]
    assert {metric: shown.by_month[metric] for metric in want["by_month"]} == want["by_month"]
    assert {
        municipality: {metric: shown.by_municipality[municipality][metric] for metric in figures}
        for municipality, figures in want["by_municipality"].items()
    } == want["by_municipality"]
    # the data set is one where adding months or municipalities up would overcount
    assert shown.totals["volunteers_active"] == 12 < sum(shown.by_month["volunteers_active"].values())
    assert shown.totals["employers_engaged"] == 2


async def test_the_members_target_counts_the_existing_members_and_no_schools(mongo: Any) -> None:
    joined = [
        ("woonstad", "housing"),
        ("menzis", "health_insurer"),
        ("roc-twente", "school"),
        ("landstede", "school"),
        ("vitens", "water"),
    ]
    events = [
        event("partner.joined", MONTHS[0], partner_id=partner, type=kind, municipalities=MUNICIPALITIES[:2])
        for partner, kind in joined
    ]
    events.append(event("partner.left", MONTHS[1], partner_id="vitens", type="water", municipalities=["GM0141"]))
    projection = projection_named(mongo, "counters")
    await record_batch(projection, [Delivered(item, Origin("t.events", 0, n)) for n, item in enumerate(events)])
    members = next(item for item in await progress(projection, DEFAULT_TARGETS) if item.target.id == "members")
    # 30 members before the programme; two joined and stayed (schools are not members of the cooperative)
    assert (members.value, members.target.goal) == (30 + 2, 50)
