"""The dashboard's figures on a generated data set, against expectations counted here from the events themselves:
distinct metrics count each household, volunteer or employer once over what a figure covers, also across months
and municipalities; the others count events."""

import random
import uuid
from collections import defaultdict
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
    for _ in range(120):  # a few volunteers assigned again and again
        events.append(
            event(
                "volunteer.assigned",
                rng.choice(MONTHS),
                household_ref=f"hh-{rng.randrange(40)}",
                volunteer_id=f"vw-{rng.randrange(12)}",
                role="debt_buddy",
                municipality=rng.choice(MUNICIPALITIES),
            )
        )
    for number in range(12):  # the registry: screened again now and then, some recruited through an employer
        employer = ["", "Bakkerij Jansen", " bakkerij jansen ", "Ten Cate"][number % 4]
        for _ in range(rng.randrange(1, 4)):
            events.append(
                event(
                    "volunteer.status_changed",
                    rng.choice(MONTHS),
                    volunteer_id=f"vw-{number}",
                    status="active",
                    roles=rng.sample(["debt_buddy", "budget_coach"], rng.randrange(1, 3)),
                    municipalities=rng.sample(MUNICIPALITIES, rng.randrange(1, 3)),
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
        elif item.type.endswith("volunteer.assigned"):
            reached["volunteers_active"].add((data["volunteer_id"], data["municipality"], month))
        else:
            employer = data["recruited_through"].strip().lower()
            for municipality in data["municipalities"]:
                reached["volunteers_registered"].add((data["volunteer_id"], municipality, month))
                if employer:
                    reached["employers_recruiting"].add((employer, municipality, month))

    def distinct(metric: str, municipality: str | None = None, month: str | None = None) -> int:
        return len(
            {
                subject
                for subject, where, when in reached[metric]
                if municipality in (None, where) and month in (None, when)
            }
        )

    months = [when.strftime("%Y-%m") for when in MONTHS]
    metrics = ["households_reached", "volunteers_active", "volunteers_registered", "employers_recruiting"]
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
    assert shown.totals["volunteers_registered"] == 12 < sum(shown.by_month["volunteers_registered"].values())
    assert shown.totals["employers_recruiting"] == 2


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


def registry_and_cohort(rng: random.Random) -> list[CloudEvent]:
    """Volunteers screened (some for two roles, some through an employer, some leaving), households reached and
    matched, and a Doorbraak cohort with steps and exits."""
    events = []
    for number in range(40):
        volunteer = f"vw-{number}"
        roles = rng.sample(["debt_buddy", "budget_coach", "guest_teacher"], rng.randrange(1, 3))
        recruited = "Ten Cate" if number % 5 == 0 else ""
        for _ in range(rng.randrange(1, 3)):  # screened again after a renewed VOG: still one volunteer
            events.append(
                event(
                    "volunteer.status_changed",
                    rng.choice(MONTHS),
                    volunteer_id=volunteer,
                    status="active",
                    roles=roles,
                    municipalities=[rng.choice(MUNICIPALITIES)],
                    recruited_through=recruited,
                )
            )
        if number % 7 == 3:
            events.append(
                event(
                    "volunteer.status_changed",
                    MONTHS[-1],
                    volunteer_id=volunteer,
                    status="left",
                    roles=[],
                    municipalities=MUNICIPALITIES[:1],
                )
            )
    for number in range(200):
        household, municipality = f"hh-{rng.randrange(90)}", rng.choice(MUNICIPALITIES)
        kind = rng.choice(["contact.attempted", "case.closed", "household.matched", "cohort.enrolled"])
        when = rng.choice(MONTHS)
        if kind == "contact.attempted":
            events.append(event(kind, when, household_ref=household, municipality=municipality, reached=number % 3 > 0))
        elif kind == "case.closed":
            events.append(
                event(kind, when, household_ref=household, municipality=municipality, outcome="x", reached=True)
            )
        elif kind == "household.matched":
            events.append(event(kind, when, household_ref=household, municipality=municipality, offer_id="o"))
        else:
            events.append(event(kind, when, household_ref=household, municipality=municipality, steps=3))
            events.append(
                event("cohort.exited", when, household_ref=household, municipality=municipality, reason="moved")
            )
    return events


async def test_the_programme_targets_count_what_the_programmes_mean(mongo: Any) -> None:
    events = registry_and_cohort(random.Random(13))
    projection = projection_named(mongo, "counters")
    items = [Delivered(item, Origin("t.events", 0, offset)) for offset, item in enumerate(events)]
    for start in range(0, len(items), 64):
        await record_batch(projection, items[start : start + 64])
    measured = {item.target.id: item for item in await progress(projection, DEFAULT_TARGETS, today=date(2026, 12, 1))}

    # counted here from the events themselves
    active: dict[str, set[str]] = defaultdict(set)  # volunteer -> roles
    via_employer, left, reached, matched, enrolled = set(), set(), set(), set(), set()
    for item in events:
        data, kind = item.data, item.type.removeprefix("nl.redzaam.")
        if kind == "volunteer.status_changed" and data["status"] == "active":
            active[data["volunteer_id"]].update(data["roles"])
            if data["recruited_through"]:
                via_employer.add(data["volunteer_id"])
        elif kind == "volunteer.status_changed":
            left.add(data["volunteer_id"])
        elif (kind == "contact.attempted" and data["reached"]) or kind == "case.closed":
            reached.add(data["household_ref"])
        elif kind == "household.matched":
            matched.add(data["household_ref"])
        elif kind == "cohort.enrolled":
            enrolled.add(data["household_ref"])
    staying = {volunteer: roles for volunteer, roles in active.items() if volunteer not in left}

    volunteers = measured["volunteers"]
    assert volunteers.value == 100 + len(staying)
    assert volunteers.per_dimension == {
        role: sum(1 for roles in staying.values() if role in roles)
        for role in ("budget_coach", "guest_teacher", "debt_buddy")
    }
    assert volunteers.share == round(100 * len(via_employer & set(staying)) / len(staying), 1)
    people = measured["people_reached"]
    assert (people.value, people.share) == (len(reached), round(100 * len(reached & matched) / len(reached), 1))
    assert measured["doorbraak"].value == len(enrolled)  # leaving the cohort later does not undo having been in it
    assert measured["employers"].value == 0  # the employer desk announces nothing yet; recruiting is not using it
    # the data set is one where the old definitions would differ
    assert len(staying) < len(active) and 0 < len(reached & matched) < len(reached) and via_employer


async def test_households_reached_within_the_outreach_term_are_counted_apart(mongo: Any) -> None:
    def attempt(household: str, **data: Any) -> CloudEvent:
        return event("contact.attempted", MONTHS[0], household_ref=household, municipality="GM0141", **data)

    events = [
        attempt("hh-1", reached=True, within_term=True),
        attempt("hh-1", reached=True, within_term=False),
        attempt("hh-2", reached=True, within_term=False),
        attempt("hh-3", reached=True),  # announced before the platform said whether it was in time
        attempt("hh-4", reached=False, within_term=True),
    ]
    projection = projection_named(mongo, "counters")
    await record_batch(projection, [Delivered(item, Origin("t.events", 0, n)) for n, item in enumerate(events)])
    shown = await read_figures(projection)
    assert (shown.totals["households_reached"], shown.totals["households_reached_in_term"]) == (3, 1)
