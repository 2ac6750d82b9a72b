"""A housing partner reports evictions on its own intake topic, with the rules of POST /api/v1/evictions."""

import uuid
from datetime import UTC, datetime

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent, encode
from services.signals.kafka_evictions import EVICTION_SUBMITTED
from services.signals.kafka_intake import partner_topic
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce, read_all
from tests.integration.signals.conftest import Signals

pytestmark = pytest.mark.integration


def reported(data: dict[str, object], source: str) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=source,
        type=EVICTION_SUBMITTED,
        subject="7607AB-12",
        time=datetime.now(UTC),
        data=data,
    )


async def test_a_housing_partner_reports_an_eviction_on_its_intake_topic(signals: Signals, servers: Servers) -> None:
    admin = signals.as_staff(Role.ADMINISTRATOR)
    for member in (
        {"id": "woonstad-almelo", "name": "Woonstad", "type": "housing", "municipalities": ["GM0141"]},
        {"id": "vitens", "name": "Vitens", "type": "water", "municipalities": ["GM0141"]},
    ):
        assert (await signals.client.post("/api/v1/partners", json=member, headers=admin)).status_code == 201
    report = {
        "municipality": "GM0141",
        "address": {"postcode": "7607 AB", "house_number": 12},
        "outcome": "prevented",
        "on": "2026-11-02",
    }
    good = reported(report, "/partners/woonstad-almelo")
    bad_outcome = reported({**report, "outcome": "postponed"}, "/partners/woonstad-almelo")
    elsewhere = reported({**report, "municipality": "GM0193"}, "/partners/woonstad-almelo")
    await produce(
        servers.kafka_bootstrap,
        partner_topic(signals.settings, "woonstad-almelo"),
        [encode(good), encode(good), encode(bad_outcome), encode(elsewhere)],  # the same event twice: one report
    )
    water = reported(report, "/partners/vitens")
    await produce(servers.kafka_bootstrap, partner_topic(signals.settings, "vitens"), [encode(water)])

    async def stored() -> bool:
        return await signals.db.evictions.count_documents({}) >= 1

    await eventually(stored, within=30, what="the eviction report from the partner's topic")
    dead = await read_all(servers.kafka_bootstrap, signals.settings.dead_letter_topic, expected=3)
    errors = sorted(dict(record.headers)["redzaam_dlq_error"].decode() for record in dead)
    assert len(errors) == 3
    assert any("eviction.submitted data: outcome: Input should be" in error for error in errors)
    assert any(error.startswith("data.municipality: woonstad-almelo is not registered for GM0193") for error in errors)
    assert any(error == "source: vitens may not report evictions" for error in errors)
    events = await read_all(servers.kafka_bootstrap, signals.settings.topic("signals.events"), expected=3)
    outcomes = [
        event.data["outcome"]
        for event in (CloudEvent.model_validate_json(record.value) for record in events)
        if event.type == "nl.redzaam.eviction.reported"
    ]
    assert outcomes == ["prevented"]
    assert await signals.db.evictions.count_documents({}) == 1
