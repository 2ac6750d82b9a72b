"""A resident's help request reaches the municipality's queue: a self-reported case of its own, or the household's
active case; sealed, announced without personal data, stored once however often it is sent."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plumbing.events import CloudEvent
from services.signals.calendar import add_working_days
from services.signals.help_requests import HelpRequestReceived, request_help
from services.signals.retention import erase_expired
from services.signals.self_test import ARREARS, INCOMES, WORRIES, Arrear, HelpRequestCreate, Income, Worry
from tests.conftest import Servers
from tests.integration.kafka_helpers import read_all
from tests.integration.signals.conftest import Signals, employer_desk_code, signal_body

pytestmark = pytest.mark.integration


def help_request(**changes: Any) -> HelpRequestCreate:
    body = {
        "test": {"income": "short", "arrears": ["rent", "energy"], "municipality": "GM0141"},
        "consent": True,
        "name": "Sanne de Vries",
        "contact_by": "phone",
        "phone": "06 98765432",
        "postcode": "7607 AB",
        "house_number": 12,
        **changes,
    }
    return HelpRequestCreate.model_validate(body)


async def ask(signals: Signals, request: HelpRequestCreate) -> HelpRequestReceived:
    async with signals.app.state.runtime.unit_of_work() as work:
        return await request_help(work, signals.settings, request)


async def test_a_help_request_opens_a_self_reported_case_with_the_municipalitys_term(
    signals: Signals, servers: Servers
) -> None:
    code = await employer_desk_code(signals, "ten-cate")
    received = await ask(signals, help_request(employer_code=code))
    case = await signals.db.cases.find_one({"_id": received.case_id})
    assert (case["origin"], case["status"], case["creditor_count"]) == ("self_reported", "open", 0)
    assert case["deadline"] == add_working_days(date.today(), 10).isoformat() == received.deadline.isoformat()
    stored = str(case)
    assert "Sanne" not in stored and "98765432" not in stored, "personal data is sealed"
    assert (case["help_requests"][0]["employer_code"], case["help_requests"][0]["employer_id"]) == (code, "ten-cate")

    listed = (await signals.client.get("/api/v1/cases", params={"municipality": "GM0141"})).json()["items"]
    assert [item["id"] for item in listed] == [received.case_id]

    records = await read_all(servers.kafka_bootstrap, signals.settings.topic("signals.events"), expected=1)
    event = CloudEvent.model_validate_json(records[0].value)
    assert event.type == "nl.redzaam.help.requested"
    assert records[0].key.decode() == case["household_ref"] == event.data["household_ref"]
    assert (event.data["opened_case"], event.data["bundled"], event.data["employer_code"]) == (True, False, code)
    assert event.data["employer_id"] == "ten-cate", "the employer whose desk code it is, for reporting"
    assert "Sanne" not in records[0].value.decode() and "7607" not in records[0].value.decode()


async def test_a_reported_eviction_gets_the_crisis_term(signals: Signals) -> None:
    urgent = help_request(test={"income": "short", "worries": ["eviction"], "municipality": "GM0141"})
    received = await ask(signals, urgent)
    assert received.crisis and received.deadline == add_working_days(date.today(), 3)


async def test_a_help_request_joins_the_households_open_case_of_creditors(signals: Signals) -> None:
    signalled = await signals.client.post(
        "/api/v1/signals", json=signal_body(), headers=signals.as_partner("woonstad-almelo")
    )
    case_id = signalled.json()["case_id"]
    received = await ask(signals, help_request(postcode="7607ab"))
    assert received.case_id == case_id
    case = await signals.db.cases.find_one({"_id": case_id})
    assert case.get("origin") is None and len(case["help_requests"]) == 1 and case["creditor_count"] == 1
    assert await signals.db.cases.count_documents({}) == 1


async def test_the_same_request_twice_is_stored_once(signals: Signals) -> None:
    first = await ask(signals, help_request())
    again = await ask(signals, help_request(name="  sanne DE vries "))
    assert (again.duplicate, again.request_id, again.case_id) == (True, first.request_id, first.case_id)
    case = await signals.db.cases.find_one({"_id": first.case_id})
    assert len(case["help_requests"]) == 1
    other = await ask(signals, help_request(phone="06 11112222"))
    assert not other.duplicate and other.case_id == first.case_id


async def test_a_confirmation_is_queued_only_when_asked_for_with_an_address(signals: Signals) -> None:
    await ask(signals, help_request(email="sanne@example.nl"))
    assert await signals.db.notifications.count_documents({}) == 0
    received = await ask(signals, help_request(house_number=14, email="sanne@example.nl", confirmation_email=True))
    notification = await signals.db.notifications.find_one({"_id": f"help-request-received:{received.request_id}"})
    assert received.confirmation_queued and notification["to"] == "sanne@example.nl"
    assert "Sanne" not in notification["subject"] and "werkdagen" in notification["body"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent": False}, ["consent"]),
        ({"contact_by": "email"}, ["email"]),
        ({"phone": "x" * 31}, ["phone"]),
        ({"name": "x" * 201}, ["name"]),
        ({"test": {"income": "enough", "municipality": "GM9999"}}, ["test", "municipality"]),
        ({"test": {"income": "rich", "municipality": "GM0141"}}, ["test", "income"]),
        ({"postcode": "7607"}, ["postcode"]),
        ({"nickname": "S"}, ["nickname"]),
    ],
)
async def test_the_public_api_refuses_a_bad_request_naming_the_field_and_stores_nothing(
    signals: Signals, changes: dict[str, Any], field: list[str]
) -> None:
    body = {**help_request().model_dump(mode="json"), **changes}
    response = await signals.client.post("/api/v1/help-requests", json=body, headers={"Authorization": ""})
    assert response.status_code == 422, response.text
    assert [problem["loc"][1:] for problem in response.json()["detail"]] == [field]
    assert await signals.db.cases.count_documents({}) == 0


async def test_a_self_reported_case_loses_its_personal_data_after_the_term(signals: Signals) -> None:
    received = await ask(signals, help_request(email="sanne@example.nl"))
    closed = await signals.client.post(f"/api/v1/cases/{received.case_id}/close", json={"outcome": "no_help_wanted"})
    assert closed.status_code == 204
    later = datetime.now(UTC) + timedelta(days=signals.settings.retention_days_without_help + 1)
    assert await erase_expired(signals.db, signals.settings, later) == 1
    case = await signals.db.cases.find_one({"_id": received.case_id})
    assert case["personal"] is None and [entry["personal"] for entry in case["help_requests"]] == [None]
    assert case["origin"] == "self_reported" and case["household_ref"].startswith("hh-")  # the pseudonym stays
    shown = await signals.client.get(f"/casussen/{received.case_id}", params={"reden": "kwaliteit"})
    assert shown.status_code == 200 and "Gewist na afloop van de bewaartermijn." in shown.text


async def test_a_self_reported_case_page_shows_what_the_resident_reported_instead_of_an_empty_signals_table(
    signals: Signals,
) -> None:
    answers = {"income": "short", "arrears": ["rent", "energy"], "worries": ["sleep"], "municipality": "GM0141"}
    received = await ask(signals, help_request(test=answers))
    page = await signals.client.get(f"/casussen/{received.case_id}", params={"reden": "kwaliteit"})
    assert page.status_code == 200
    assert "Geen signalen van schuldeisers: de bewoner meldde zich zelf." in page.text
    assert '<th scope="col">Schuldeiser</th>' not in page.text, "no empty table of creditors"
    assert "bij 0 schuldeisers" not in page.text
    for label in (INCOMES[Income.SHORT], ARREARS[Arrear.RENT], ARREARS[Arrear.ENERGY], WORRIES[Worry.SLEEP]):
        assert label in page.text, label

    signalled = await signals.client.post(
        "/api/v1/signals", json=signal_body(), headers=signals.as_partner("woonstad-almelo")
    )
    with_creditor = await signals.client.get(f"/casussen/{signalled.json()['case_id']}", params={"reden": "kwaliteit"})
    assert (
        '<th scope="col">Schuldeiser</th>' in with_creditor.text
        and "de bewoner meldde zich zelf" not in with_creditor.text
    )


async def test_the_ddas_export_of_early_signals_leaves_self_reported_cases_out(signals: Signals) -> None:
    received = await ask(signals, help_request())
    attempt = {"kind": "phone", "on": date.today().isoformat(), "part_of_day": "morning", "reached": True}
    logged = await signals.client.post(f"/api/v1/cases/{received.case_id}/contact-attempts", json=attempt)
    assert logged.status_code == 201
    closed = await signals.client.post(f"/api/v1/cases/{received.case_id}/close", json={"outcome": "quick_fix"})
    assert closed.status_code == 204
    today = date.today().isoformat()
    params = {"municipality": "GM0141", "start": today, "end": today}
    figures = (await signals.client.get("/api/v1/export/ddas", params=params)).json()
    assert (figures["contactpogingen"]["totaal"], figures["afgesloten"]["totaal"]) == (0, 0)
