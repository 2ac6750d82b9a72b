"""The Schuldenlab's portfolio on real Kafka and MongoDB: the spelregels, every gate, the MKBA, KPIs that move as
events arrive, and the portfolio rebuilt from its own topic."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent, encode
from services.reporting.app import create_app
from services.reporting.lab.rebuild import rebuild_lab
from services.reporting.lab.store import all_projects
from services.reporting.settings import ReportingSettings
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce, read_to_end
from tests.integration.served import Served, served

pytestmark = pytest.mark.integration
YEAR = date.today().year


@dataclass
class Lab(Served):
    settings: ReportingSettings

    def as_role(self, role: Role, username: str = "") -> dict[str, str]:
        return staff_headers(self.settings, role, username=username)


@pytest.fixture
async def lab(servers: Servers, namespace: str) -> AsyncIterator[Lab]:
    settings = ReportingSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        outbox_scan_seconds=1,
    )
    app = create_app(settings)
    async with served(app, staff_headers(settings, Role.PROGRAMME_LEAD, username="lead")) as client:
        yield Lab(app, client, settings)


def idea(**changes: Any) -> dict[str, Any]:
    return {
        "id": "vroeg-erop-af",
        "title": "Vroeg erop af!",
        "theme": "Rol van de gemeente in schuldenproblematiek",
        "theme_year": YEAR,
        "debt_phases": ["early_intervention"],
        "kind": "running",
        "municipality": "GM0141",
        "partners": ["Beter Wonen", "Menzis"],
    } | changes


READY = {
    "leader": {"name": "Fatima el Idrissi", "organisation": "Gemeente Almelo", "account": "projectleider"},
    "steering_group": ["Gemeente Almelo", "Beter Wonen", "Menzis"],
    "plan": {
        "summary": "Erop af bij huur- en premieachterstand",
        "budget": [{"year": YEAR, "amount_cents": 4_000_000, "payer": "Gemeente Almelo"}],
    },
}
PROJECT = "/api/v1/lab/projects/vroeg-erop-af"


def fields(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "id"}


async def test_a_project_starts_only_with_a_leader_a_steering_group_and_a_plan_with_a_budget(lab: Lab) -> None:
    assert (await lab.client.post("/api/v1/lab/projects", json=idea())).status_code == 201
    assert (await lab.client.post("/api/v1/lab/projects", json=idea())).status_code == 409  # the code is taken
    body = idea()
    for missing in ("leader", "steering_group", "plan.budget"):
        refused = await lab.client.post(f"{PROJECT}/start")
        assert refused.status_code == 422 and refused.json()["detail"].startswith(f"{missing}:"), refused.text
        key = missing.split(".")[0]
        body[key] = READY[key]
        assert (await lab.client.put(PROJECT, json=fields(body))).status_code == 200
    started = await lab.client.post(f"{PROJECT}/start")
    assert started.status_code == 200 and started.json()["phase"] == "develop"
    assert started.json()["started_on"] == date.today().isoformat()
    unknown = await lab.client.post("/api/v1/lab/projects", json=idea(id="x2", municipality="GM9999"))
    assert unknown.status_code == 422 and "municipality" in unknown.text


async def started(lab: Lab) -> None:
    assert (await lab.client.post("/api/v1/lab/projects", json=idea() | READY)).status_code == 201
    assert (await lab.client.post(f"{PROJECT}/start")).status_code == 200


def gate(decision: str = "go", **changes: str) -> dict[str, str]:
    return {"decision": decision, "why": "de pilot werkt", "evidence": "KPI op doel, MKBA positief"} | changes


async def test_every_gate_is_a_recorded_decision_and_no_scale_up_without_a_financing_model(
    lab: Lab, servers: Servers
) -> None:
    await started(lab)
    outreach = lab.as_role(Role.OUTREACH_WORKER)
    assert (await lab.client.post(f"{PROJECT}/decisions", json=gate(), headers=outreach)).status_code == 403
    for expected in ("validate", "experiment", "realise"):
        moved = await lab.client.post(f"{PROJECT}/decisions", json=gate())
        assert moved.status_code == 200 and moved.json()["phase"] == expected
    refused = await lab.client.post(f"{PROJECT}/decisions", json=gate())
    assert refused.status_code == 422 and refused.json()["detail"].startswith("financing_model:")
    scaled = await lab.client.post(f"{PROJECT}/decisions", json=gate(financing_model="structureel in de begroting"))
    assert scaled.status_code == 200 and scaled.json()["phase"] == "scaled_up"
    decisions = scaled.json()["decisions"]
    assert [(d["from_phase"], d["to_phase"], d["by"]) for d in decisions] == [
        ("develop", "validate", "lead"),
        ("validate", "experiment", "lead"),
        ("experiment", "realise", "lead"),
        ("realise", "scaled_up", "lead"),
    ]
    assert all(d["on"] == date.today().isoformat() and d["evidence"] for d in decisions)
    assert (await lab.client.post(f"{PROJECT}/decisions", json=gate())).status_code == 422  # it has ended

    async def announced() -> bool:
        records = await read_to_end(servers.kafka_bootstrap, lab.settings.topic("lab.events"))
        types = [CloudEvent.model_validate_json(record.value).type for record in records]
        return (
            types
            == ["nl.redzaam.project.registered", "nl.redzaam.project.started"]
            + ["nl.redzaam.project.phase_decided"] * 4
        )

    await eventually(announced, what="the project's events on the lab topic")
    actions = [entry["action"] async for entry in lab.db.audit.find({"record": "project:vroeg-erop-af"})]
    assert actions.count("project.phase_decided") == 6  # the two refused ones are audited too, with their outcome


async def test_a_no_go_ends_the_project_with_its_lessons(lab: Lab) -> None:
    await started(lab)
    refused = await lab.client.post(f"{PROJECT}/decisions", json=gate("no_go"))
    assert refused.status_code == 422 and refused.json()["detail"].startswith("lessons:")
    missing_evidence = await lab.client.post(f"{PROJECT}/decisions", json=gate("no_go", evidence=""))
    assert missing_evidence.status_code == 422 and "evidence" in missing_evidence.text
    stopped = await lab.client.post(f"{PROJECT}/decisions", json=gate("no_go", lessons="partners haakten af"))
    assert stopped.json()["phase"] == "stopped" and stopped.json()["decisions"][-1]["lessons"] == "partners haakten af"
    assert (await lab.client.put(PROJECT, json=fields(idea() | READY))).status_code == 422


async def test_the_mkba_gives_the_net_present_value_and_who_pays_and_who_benefits(lab: Lab) -> None:
    await started(lab)
    prices = [
        {
            "key": "eviction",
            "label": "Huisuitzetting",
            "unit": "per stuk",
            "low": 600_000,
            "expected": 800_000,
            "high": 1_000_000,
        },
    ]
    assert (await lab.client.put("/api/v1/lab/prices", json={"prices": prices})).status_code == 200
    analysis = {
        "horizon_years": 3,
        "discount_percent": 4,
        "effects": [
            {
                "stakeholder": "housing_corporation",
                "description": "minder huisuitzettingen",
                "price_key": "eviction",
                "direction": "benefit",
                "null_per_year": [10, 10, 10],
                "project_per_year": [8, 6, 6],
            }
        ],
        "investments": [{"payer": "municipality", "per_year": [4_000_000, 2_000_000]}],
    }
    unknown = await lab.client.put(
        f"{PROJECT}/analysis", json=analysis | {"effects": [analysis["effects"][0] | {"price_key": "x"}]}
    )
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("effects.0.price_key:")
    result = (await lab.client.put(f"{PROJECT}/analysis", json=analysis)).json()
    # by hand: 2, 4, 4 evictions avoided at 8,000 euro; costs 40,000 and 20,000 euro; factors 1, 1/1.04, 1/1.04^2
    benefits = 2 * 800_000 + 4 * 800_000 / 1.04 + 4 * 800_000 / 1.04**2
    costs = 4_000_000 + 2_000_000 / 1.04
    assert abs(result["expected"]["net_present_value"] - (benefits - costs)) <= 1
    balances = result["expected"]["per_stakeholder"]
    assert balances["municipality"]["pays_pv"] == round(costs) and balances["municipality"]["benefits_pv"] == 0
    assert abs(balances["housing_corporation"]["benefits_pv"] - benefits) <= 1
    shown = (await lab.client.get(PROJECT)).json()
    assert shown["analysis"]["expected"] == result["expected"]


async def test_a_kpi_moves_as_events_arrive(lab: Lab, servers: Servers) -> None:
    await started(lab)
    this_month = date.today().strftime("%Y-%m")
    kpi = {
        "id": "uitzettingen",
        "label": "Huisuitzettingen in Almelo",
        "metric": "evictions_executed",
        "municipality": "GM0141",
        "kind": "reduction",
        "baseline": 4,
        "target": 2,
        "start": this_month,
    }
    bad = await lab.client.put(f"{PROJECT}/kpis", json=[kpi | {"metric": "typed_in"}])
    assert bad.status_code == 422 and "metric" in bad.text
    assert (await lab.client.put(f"{PROJECT}/kpis", json=[kpi])).status_code == 200

    def eviction(household: str, municipality: str = "GM0141") -> bytes:
        data = {
            "household_ref": household,
            "municipality": municipality,
            "outcome": "executed",
            "on": date.today().isoformat(),
        }
        return encode(
            CloudEvent(
                id=f"e-{household}",
                source="/tests",
                type="nl.redzaam.eviction.reported",
                subject=household,
                time=datetime.now(UTC),
                data=data,
            )
        )

    await produce(
        servers.kafka_bootstrap,
        lab.settings.topic("signals.events"),
        [eviction("hh-1"), eviction("hh-2"), eviction("hh-3", "GM0150")],
    )

    async def measured() -> bool:
        kpis = (await lab.client.get(PROJECT)).json()["kpis"]
        return kpis[0]["values"] == {this_month: 2} and kpis[0]["met"] is True

    await eventually(measured, what="the KPI counting the two evictions in Almelo")
    await produce(servers.kafka_bootstrap, lab.settings.topic("signals.events"), [eviction("hh-4")])

    async def over_target() -> bool:
        kpis = (await lab.client.get(PROJECT)).json()["kpis"]
        return kpis[0]["latest"] == 3 and kpis[0]["met"] is False

    await eventually(over_target, what="the KPI above its ceiling")


async def test_the_portfolio_is_rebuilt_from_its_own_topic(lab: Lab, servers: Servers) -> None:
    await started(lab)
    assert (await lab.client.post(f"{PROJECT}/decisions", json=gate())).status_code == 200
    assert (
        await lab.client.post("/api/v1/lab/projects", json=idea(id="leergang", title="Leergang omgaan met geld"))
    ).status_code == 201
    before = await all_projects(lab.db)

    async def published() -> bool:
        return len(await read_to_end(servers.kafka_bootstrap, lab.settings.topic("lab.events"))) == 4

    await eventually(published, what="four lab events")
    await lab.db.lab_projects.drop()
    rebuilt = await rebuild_lab(lab.settings, lab.db)
    assert (rebuilt.projects, rebuilt.events) == (2, 4)
    assert await all_projects(lab.db) == before


async def test_only_the_lead_or_the_projects_own_leader_changes_it(lab: Lab) -> None:
    await started(lab)
    stranger = lab.as_role(Role.PARTNER_EMPLOYEE, username="iemand")
    leader = lab.as_role(Role.PARTNER_EMPLOYEE, username="projectleider")
    body = fields(idea() | READY) | {"partners": ["Beter Wonen", "Menzis", "CAK"]}
    assert (await lab.client.put(PROJECT, json=body, headers=stranger)).status_code == 403
    assert (await lab.client.put(PROJECT, json=body, headers=leader)).status_code == 200
    assert (await lab.client.post(f"{PROJECT}/start", headers=leader)).status_code == 403
    csv_export = await lab.client.get("/api/v1/lab/portfolio.csv", headers=stranger)
    assert csv_export.status_code == 200 and "Vroeg erop af!" in csv_export.text and "40000.00" in csv_export.text
    exported = (await lab.client.get("/api/v1/lab/portfolio.json")).json()
    assert [project["partners"] for project in exported] == [["Beter Wonen", "Menzis", "CAK"]]


async def test_text_with_half_a_surrogate_pair_and_amounts_past_any_budget_are_refused(lab: Lab) -> None:
    lone = '{"id": "x1", "title": "A\\ud836B", "theme": "t", "theme_year": 2026, "debt_phases": ["prevention"], '
    lone += '"kind": "own_development"}'
    refused = await lab.client.post(
        "/api/v1/lab/projects", content=lone.encode(), headers={"Content-Type": "application/json"}
    )
    assert refused.status_code == 422 and "surrogate" in refused.text
    paired = lone.replace("\\ud836B", "\\ud83d\\ude00")  # a whole pair is text (an emoji)
    accepted = await lab.client.post(
        "/api/v1/lab/projects", content=paired.encode(), headers={"Content-Type": "application/json"}
    )
    assert accepted.status_code == 201, accepted.text
    budget = {"year": YEAR, "amount_cents": 8009473745907295364164091904, "payer": "Gemeente Almelo"}
    too_much = await lab.client.post("/api/v1/lab/projects", json=idea(id="x2", plan={"budget": [budget]}))
    assert too_much.status_code == 422 and "amount_cents" in too_much.text
    assert await lab.db.lab_projects.count_documents({}) == 1
