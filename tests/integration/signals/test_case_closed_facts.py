"""A closed case tells the referrals service what its offers need: the age in years, and the creditors and debt."""

from datetime import date

import pytest

from plumbing.events import CloudEvent
from tests.conftest import Servers
from tests.integration.kafka_helpers import read_all
from tests.integration.signals.conftest import Signals, signal_body

pytestmark = pytest.mark.integration


async def test_case_closed_carries_the_age_in_years_and_the_creditors_and_total_arrears(
    signals: Signals, servers: Servers
) -> None:
    today = date.today()
    born = date(today.year - 27, today.month, 1 if today.day > 1 else today.day)  # 27 already: 18-23 will not fit
    person = {"name": "J. Jansen", "birth_date": born.isoformat()}
    rent = await signals.client.post(
        "/api/v1/signals", json=signal_body(person=person), headers=signals.as_partner("woonstad-almelo")
    )
    water = await signals.client.post(
        "/api/v1/signals",
        json=signal_body(person=person, creditor_type="water", arrears_cents=9_000, contract_reference="W-1"),
        headers=signals.as_partner("vitens"),
    )
    assert (rent.status_code, water.status_code) == (202, 202), water.text
    case_id = rent.json()["case_id"]
    closed = await signals.client.post(f"/api/v1/cases/{case_id}/close", json={"outcome": "follow_up_financial"})
    assert closed.status_code == 204, closed.text
    records = await read_all(servers.kafka_bootstrap, signals.settings.topic("signals.events"), expected=4)
    events = [CloudEvent.model_validate_json(record.value) for record in records]
    data = next(event.data for event in events if event.type == "nl.redzaam.case.closed")
    assert (data["age"], data["age_band"], data["creditor_count"], data["total_arrears_cents"]) == (
        27,
        "18-27",
        2,
        54_000,
    )
    assert "birth_date" not in str(data) and born.isoformat() not in str(data)
