"""Exact counters, targets, suppression and the rebuild, on real Kafka and MongoDB."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent, encode
from services.reporting.app import create_app
from services.reporting.projection import active_projection, projection_named
from services.reporting.readings import counters
from services.reporting.rebuild import rebuild
from services.reporting.settings import ReportingSettings
from services.reporting.targets import Target
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce
from tests.integration.served import Served, served

pytestmark = pytest.mark.integration
THIS_MONTH = datetime.now(UTC).strftime("%Y-%m")


@dataclass
class Reporting(Served):
    settings: ReportingSettings


@pytest.fixture
async def reporting(servers: Servers, namespace: str) -> AsyncIterator[Reporting]:
    settings = ReportingSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        targets=[
            Target(
                id="reached",
                label="Bereikt",
                metric="households_reached",
                target=4,
                start=date(date.today().year, 1, 1),
                end=date(date.today().year, 12, 31),
            ),
            Target(
                id="members",
                label="Leden",
                metric="members_joined",
                excluding_metric="members_left",
                target=50,
                start=date(date.today().year, 1, 1),
                end=date(date.today().year, 12, 31),
            ),
            Target(
                id="evictions",
                label="Huisuitzettingen gehalveerd",
                kind="reduction",
                metric="evictions_executed",
                baseline_per_year=40,
                start=date(date.today().year, 1, 1),
                end=date(date.today().year, 12, 31),
            ),
        ],
    )
    app = create_app(settings)
    async with served(app, staff_headers(settings, Role.PROGRAMME_LEAD)) as client:
        yield Reporting(app, client, settings)


def event(event_type: str, **data: Any) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()),
        source="/tests",
        type=f"nl.redzaam.{event_type}",
        subject=data.get("household_ref", "x"),
        time=datetime.now(UTC),
        data={"municipality": "GM0141", **data},
    )


def raised(household: str, creditor: str = "rent") -> CloudEvent:
    return event("signal.raised", household_ref=household, creditor_type=creditor)


def contact(household: str, reached: bool = True) -> CloudEvent:
    return event("contact.attempted", household_ref=household, reached=reached)


async def publish(
    reporting: Reporting, servers: Servers, topic: str, events: list[CloudEvent], extra: list[bytes] | None = None
) -> None:
    await produce(
        servers.kafka_bootstrap, reporting.settings.topic(topic), [encode(item) for item in events] + (extra or [])
    )


async def totals(reporting: Reporting) -> dict[str, tuple[int, int]]:
    rows = (await reporting.client.get("/api/v1/counters")).json()
    return {row["metric"]: (row["total"], row["distinct"]) for row in rows}


async def wait_for(reporting: Reporting, expected: dict[str, tuple[int, int]]) -> None:
    async def reached() -> bool:
        return await totals(reporting) == expected

    await eventually(reached, what=f"counters {expected}")


async def test_each_event_counts_once_and_households_are_counted_distinctly(
    reporting: Reporting,
    servers: Servers,
) -> None:
    first = raised("hh-a")
    await publish(
        reporting,
        servers,
        "signals.events",
        [first, first, raised("hh-a", "water"), raised("hh-b"), contact("hh-a"), contact("hh-b", False)],
    )
    await wait_for(reporting, {"signals_raised": (3, 2), "households_reached": (1, 1)})
    breakdown = (await reporting.client.get("/api/v1/breakdown/signals_raised")).json()
    assert breakdown == {"rent": 2, "water": 1}


async def test_volunteers_employers_and_lessons_are_counted(reporting: Reporting, servers: Servers) -> None:
    assigned = [
        event("volunteer.assigned", household_ref=f"hh-{n}", volunteer_id="vw-1", role="debt_buddy") for n in (1, 2)
    ]
    screened = [
        event(
            "volunteer.status_changed",
            volunteer_id="vw-1",
            status="active",
            roles=["debt_buddy", "budget_coach"],
            municipalities=["GM0141"],
            recruited_through=employer,
        )
        for employer in ("Bolk Transport", "bolk transport ")
    ]
    lesson = event("lesson.given", volunteer_id="vw-2", school="ROC", students_reached=17)
    await publish(reporting, servers, "volunteers.events", [*assigned, *screened, lesson])
    await wait_for(
        reporting,
        {
            "volunteers_assigned": (2, 2),
            "volunteers_active": (2, 1),
            "volunteers_registered": (4, 1),
            "volunteers_via_employers": (2, 1),
            "employers_recruiting": (2, 1),
            "lessons_given": (1, 1),
            "students_reached": (17, 1),
        },
    )


async def test_targets_show_progress_and_a_projection(reporting: Reporting, servers: Servers) -> None:
    await publish(reporting, servers, "signals.events", [contact("hh-a"), contact("hh-b"), contact("hh-a")])
    await wait_for(reporting, {"households_reached": (3, 2)})
    target, *_ = (await reporting.client.get("/api/v1/targets")).json()
    assert (target["value"], target["target"], target["percent"]) == (2, 4, 50.0)
    assert target["projected"] is not None and target["projected"] >= 2


async def test_member_organisations_count_until_they_leave(reporting: Reporting, servers: Servers) -> None:
    def member(change: str, partner: str, municipalities: list[str]) -> CloudEvent:
        return event(f"partner.{change}", partner_id=partner, type="housing", municipalities=municipalities)

    await publish(
        reporting,
        servers,
        "signals.events",
        [
            member("joined", "p-1", ["GM0141", "GM0150"]),
            member("joined", "p-2", ["GM0141"]),
            member("joined", "p-3", ["GM0193"]),
            member("left", "p-3", ["GM0193"]),
        ],
    )

    async def counted() -> bool:
        rows = (await reporting.client.get("/api/v1/counters", params={"metric": "members_joined"})).json()
        return {row["municipality"]: row["total"] for row in rows} == {"GM0141": 2, "GM0150": 1, "GM0193": 1}

    await eventually(counted, what="members per municipality")
    await eventually(lambda: _left_counted(reporting), what="members left")
    members = {target["id"]: target for target in (await reporting.client.get("/api/v1/targets")).json()}["members"]
    assert (members["value"], members["target"]) == (2, 50)  # p-1 counts once across its two municipalities


async def _left_counted(reporting: Reporting) -> bool:
    return bool((await reporting.client.get("/api/v1/counters", params={"metric": "members_left"})).json())


async def test_evictions_halved_is_a_ceiling_derived_from_the_baseline(reporting: Reporting, servers: Servers) -> None:
    evictions = [event("eviction.reported", household_ref=f"hh-{n}", outcome="executed") for n in range(3)]
    await publish(reporting, servers, "signals.events", evictions)
    await wait_for(reporting, {"evictions_executed": (3, 3)})
    target = {item["id"]: item for item in (await reporting.client.get("/api/v1/targets")).json()}["evictions"]
    assert (target["kind"], target["value"], target["target"]) == ("reduction", 3, 20)  # half of 40 in one year
    assert target["on_track"] is (target["projected"] <= 20)


async def test_external_export_suppresses_counts_below_five(reporting: Reporting, servers: Servers) -> None:
    await publish(reporting, servers, "signals.events", [raised(f"hh-{n}") for n in range(6)] + [contact("hh-1")])
    await wait_for(reporting, {"signals_raised": (6, 6), "households_reached": (1, 1)})
    external = list(csv.reader(io.StringIO((await reporting.client.get("/api/v1/export.csv")).text)))
    internal = list(
        csv.reader(
            io.StringIO((await reporting.client.get("/api/v1/export.csv", params={"audience": "internal"})).text)
        )
    )
    assert ["GM0141", THIS_MONTH, "households_reached", "<5", "<5"] in external
    assert ["GM0141", THIS_MONTH, "signals_raised", "6", "6"] in external
    assert ["GM0141", THIS_MONTH, "households_reached", "1", "1"] in internal
    bad = await reporting.client.get("/api/v1/export.csv", params={"audience": "press"})
    assert bad.status_code == 422


async def test_bad_queries_are_refused_naming_the_parameter(reporting: Reporting) -> None:
    for params in ({"municipality": "Almelo"}, {"start": "2026-13"}, {"metric": "happiness"}):
        response = await reporting.client.get("/api/v1/counters", params=params)
        assert response.status_code == 422
        assert next(iter(params)) in str(response.json()["detail"])
    assert (await reporting.client.get("/api/v1/breakdown/happiness")).status_code == 422


async def test_rebuild_from_the_log_equals_the_live_counters_and_switches_over(
    reporting: Reporting,
    servers: Servers,
) -> None:
    first = raised("hh-a")
    await publish(
        reporting, servers, "signals.events", [first, first, raised("hh-b"), contact("hh-b")], extra=[b"not an event"]
    )
    await publish(
        reporting, servers, "referrals.events", [event("household.matched", household_ref="hh-b", offer_id="coaching")]
    )
    await wait_for(reporting, {"signals_raised": (2, 2), "households_reached": (1, 1), "households_matched": (1, 1)})
    live = await counters(await active_projection(reporting.db))

    rebuilt = await rebuild(reporting.settings, reporting.db)

    assert (rebuilt.skipped, (await active_projection(reporting.db)).name) == (1, rebuilt.collection)
    assert await counters(projection_named(reporting.db, rebuilt.collection)) == live
    assert await totals(reporting) == {
        "signals_raised": (2, 2),
        "households_reached": (1, 1),
        "households_matched": (1, 1),
    }


async def test_eviction_reports_count_as_prevented_or_executed(reporting: Reporting, servers: Servers) -> None:
    reports = [
        event("eviction.reported", household_ref=f"hh-{n}", outcome=outcome, on="2026-11-02")
        for n, outcome in enumerate(["prevented", "prevented", "executed", "postponed"])
    ]
    await publish(reporting, servers, "signals.events", reports)
    await wait_for(reporting, {"evictions_prevented": (2, 2), "evictions_executed": (1, 1)})


def numbers(**changes: Any) -> dict[str, Any]:
    year = date.today().year
    return {
        "label": "Huisuitzettingen gehalveerd",
        "kind": "reduction",
        "target": None,
        "baseline": 0,
        "baseline_per_year": 30,
        "reduction_percent": 50,
        "start": f"{year}-01-01",
        "end": f"{year}-12-31",
    } | changes


async def test_a_programme_lead_sets_a_target_and_the_change_is_kept_and_audited(reporting: Reporting) -> None:
    changed = await reporting.client.put("/api/v1/targets/evictions", json=numbers(baseline_per_year=30))
    assert changed.status_code == 200, changed.text
    target = {item["id"]: item for item in (await reporting.client.get("/api/v1/targets")).json()}["evictions"]
    assert (target["baseline_per_year"], target["target"]) == (30, 15)  # half of 30 in one year
    assert await reporting.db.targets.count_documents({}) == 1  # only what the lead changed is stored
    entry = await reporting.db.audit.find_one({"action": "target.changed"})
    assert (
        entry is not None and entry["record"] == "target:evictions" and "baseline_per_year: 40 -> 30" in entry["reason"]
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": "2020-01-01"}, "end"),
        ({"kind": "reach", "target": None}, "target"),
        ({"reduction_percent": 0}, "reduction_percent"),
        ({"kind": "more"}, "kind"),
        ({"baseline": -1}, "baseline"),
        ({"start": "1 januari"}, "start"),
    ],
)
async def test_numbers_that_make_no_target_are_refused_naming_the_field(
    reporting: Reporting, changes: dict[str, Any], field: str
) -> None:
    refused = await reporting.client.put("/api/v1/targets/evictions", json=numbers(**changes))
    assert refused.status_code == 422
    assert field in refused.text
    assert await reporting.db.targets.count_documents({}) == 0


async def test_only_the_programme_lead_sets_targets(reporting: Reporting) -> None:
    headers = staff_headers(reporting.settings, Role.OUTREACH_WORKER)
    refused = await reporting.client.put("/api/v1/targets/evictions", json=numbers(), headers=headers)
    assert refused.status_code == 403
    unknown = await reporting.client.put("/api/v1/targets/nothing", json=numbers())
    assert unknown.status_code == 404 and "target_id" in unknown.text
