"""The life of a case below the threshold, and erasure of everything the register lists, on real Kafka and MongoDB:
a registered case closes by itself after its wait (feedback `not_picked_up`, a `case.closed` event) or by a
worker's hand, and is then erased on time; notes, contract references, eviction addresses and old audit entries
are erased after their terms."""

import asyncio
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from plumbing.access import Role
from plumbing.events import CloudEvent
from plumbing.register import Erasure
from plumbing.unit_of_work import UnitOfWork
from services.signals.register import CASE_TERM, EVICTION_TERM, REGISTER
from services.signals.retention import close_registered_due, erase_expired
from tests.conftest import Servers
from tests.integration.commands import CommandCounter
from tests.integration.kafka_helpers import read_all
from tests.integration.signals.conftest import Signals, signal_body

pytestmark = pytest.mark.integration
BELOW = "GM0150"  # the fixture's threshold there is EUR 200
TODAY = date.today().isoformat()


async def submit(signals: Signals, house: int, municipality: str = "GM0141", **changes: Any) -> str:
    body = signal_body(municipality=municipality, address={"postcode": "7607 AB", "house_number": house}, **changes)
    response = await signals.client.post("/api/v1/signals", json=body, headers=signals.as_partner("woonstad-almelo"))
    assert response.status_code == 202, response.text
    return str(response.json()["case_id"])


async def run(signals: Signals) -> dict[str, int]:
    response = await signals.client.post("/api/v1/retention/run", headers=signals.as_staff(Role.ADMINISTRATOR))
    assert response.status_code == 200, response.text
    report: dict[str, int] = response.json()
    return report


async def feedback(signals: Signals) -> dict[str, str]:
    answer = await signals.client.get("/api/v1/feedback", headers=signals.as_partner("woonstad-almelo"))
    items = answer.json()["items"]
    return {item["contract_reference"]: item["feedback"] for item in items}


async def backdate(signals: Signals, case_id: str, field: str, days: int) -> None:
    await signals.db.cases.update_one({"_id": case_id}, {"$set": {field: datetime.now(UTC) - timedelta(days=days)}})


async def test_case_below_the_threshold_closes_by_itself_after_its_wait_and_is_erased_on_time(
    signals: Signals, servers: Servers
) -> None:
    waited = await submit(signals, 1, BELOW, arrears_cents=10_000, contract_reference="KLEIN-1")
    waiting = await submit(signals, 2, BELOW, arrears_cents=10_000, contract_reference="KLEIN-2")
    assert (await signals.db.cases.find_one({"_id": waited}))["status"] == "registered"
    assert await feedback(signals) == {"KLEIN-1": "pending", "KLEIN-2": "pending"}
    await backdate(signals, waited, "last_signal_at", signals.settings.registered_close_days + 1)

    report = await run(signals)
    assert report["closed_below_threshold"] == 1 and report["erased_cases"] == 0
    closed = await signals.db.cases.find_one({"_id": waited})
    assert (closed["status"], closed["outcome"]) == ("closed", "below_threshold")
    assert (await signals.db.cases.find_one({"_id": waiting}))["status"] == "registered"
    assert await feedback(signals) == {"KLEIN-1": "not_picked_up", "KLEIN-2": "pending"}
    records = await read_all(servers.kafka_bootstrap, signals.settings.topic("signals.events"), expected=3)
    events = [CloudEvent.model_validate_json(record.value) for record in records]
    closing = [event for event in events if event.type == "nl.redzaam.case.closed"]
    assert [(event.data["case_id"], event.data["outcome"], event.data["follow_up"]) for event in closing] == [
        (waited, "below_threshold", False)
    ]
    audit = await signals.db.audit.find_one({"record": f"case:{waited}", "action": "case.closed"})
    assert audit is not None and audit["result"] == "ok"
    assert (await run(signals))["closed_below_threshold"] == 0  # done once

    await backdate(signals, waited, "closed_at", signals.settings.retention_days_without_help + 1)
    assert (await run(signals))["erased_cases"] == 1
    assert (await signals.db.cases.find_one({"_id": waited}))["personal"] is None
    assert (await signals.db.cases.find_one({"_id": waiting}))["personal"] is not None


async def test_a_new_signal_restarts_the_wait_of_a_case_below_the_threshold(signals: Signals) -> None:
    case_id = await submit(signals, 1, BELOW, arrears_cents=10_000)
    await backdate(signals, case_id, "last_signal_at", signals.settings.registered_close_days + 1)
    assert await submit(signals, 1, BELOW, arrears_cents=15_000) == case_id  # grown, still below EUR 200
    assert (await run(signals))["closed_below_threshold"] == 0
    assert (await signals.db.cases.find_one({"_id": case_id}))["status"] == "registered"


async def test_worker_closes_a_case_below_the_threshold_with_an_outcome_that_fits_it(signals: Signals) -> None:
    below = await submit(signals, 1, BELOW, arrears_cents=10_000, contract_reference="KLEIN-1")
    worked = await submit(signals, 2, contract_reference="GROOT-1")
    wrong = await signals.client.post(f"/api/v1/cases/{below}/close", json={"outcome": "quick_fix"})
    assert wrong.status_code == 422 and wrong.json()["detail"].startswith("outcome:")
    not_open = await signals.client.post(f"/api/v1/cases/{worked}/close", json={"outcome": "below_threshold"})
    assert not_open.status_code == 422 and "outcome" in not_open.json()["detail"]
    closed = await signals.client.post(f"/api/v1/cases/{below}/close", json={"outcome": "already_paid"})
    assert closed.status_code == 204, closed.text
    case = (await signals.client.get(f"/api/v1/cases/{below}")).json()
    assert (case["status"], case["outcome"]) == ("closed", "already_paid")
    assert (await feedback(signals))["KLEIN-1"] == "not_picked_up"
    again = await signals.client.post(f"/api/v1/cases/{below}/close", json={"outcome": "already_paid"})
    assert again.status_code == 409


async def test_worker_closes_a_case_below_the_threshold_on_its_page(signals: Signals) -> None:
    case_id = await submit(signals, 1, BELOW, arrears_cents=10_000)
    page = await signals.client.get(f"/casussen/{case_id}", params={"reden": "afsluiten"})
    assert page.status_code == 200
    assert 'action="/casussen/' + case_id + '/afsluiten"' in page.text
    assert "/contactpoging" not in page.text  # nobody reaches out below the threshold
    assert 'value="below_threshold"' in page.text and 'value="quick_fix"' not in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    posted = await signals.client.post(
        f"/casussen/{case_id}/afsluiten", data={"csrf": csrf[1], "uitkomst": "below_threshold"}
    )
    assert posted.status_code == 303, posted.text
    assert (await signals.db.cases.find_one({"_id": case_id}))["outcome"] == "below_threshold"


async def test_closing_the_cases_below_the_threshold_costs_the_same_few_commands_for_many(
    signals: Signals, servers: Servers
) -> None:
    cases = [await submit(signals, house, BELOW, arrears_cents=10_000) for house in range(1, 41)]
    await signals.db.cases.update_many(
        {"_id": {"$in": cases}}, {"$set": {"last_signal_at": datetime.now(UTC) - timedelta(days=100)}}
    )
    counter = CommandCounter()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri, tz_aware=True, event_listeners=[counter])
    try:
        async with UnitOfWork(client[signals.settings.database_name], None) as work:
            assert await close_registered_due(work, signals.settings) == len(cases)
    finally:
        await client.close()
    # a read, a bulk write, the audit entries: not one round trip per case
    assert sum(counter.commands.values()) <= 4, counter.commands
    assert await signals.db.cases.count_documents({"_id": {"$in": cases}, "status": "closed"}) == len(cases)


async def test_notes_contract_references_and_who_worked_the_case_are_erased_with_it(signals: Signals) -> None:
    case_id = await submit(signals, 1, contract_reference="HUUR-GEHEIM")
    attempt = {"kind": "phone", "on": TODAY, "part_of_day": "morning", "reached": True, "note": "Mevr. zegt: ziek"}
    assert (await signals.client.post(f"/api/v1/cases/{case_id}/contact-attempts", json=attempt)).status_code == 201
    closing = {"outcome": "no_help_wanted", "note": "Wil geen hulp, schaamte"}
    assert (await signals.client.post(f"/api/v1/cases/{case_id}/close", json=closing)).status_code == 204
    await backdate(signals, case_id, "closed_at", signals.settings.retention_days_without_help + 1)

    assert await erase_expired(signals.db, signals.settings) == 1
    case = await signals.db.cases.find_one({"_id": case_id})
    signal = await signals.db.signals.find_one({"case_id": case_id})
    stored = str({**case, "outbox": None}) + str(signal)
    for secret in ("ziek", "schaamte", "HUUR-GEHEIM", "outreach_worker"):
        assert secret not in stored, secret
    for entry in REGISTER.erased_by("cases", CASE_TERM) + REGISTER.erased_by("signals", CASE_TERM):
        document = case if entry.collection == "cases" else signal
        assert values_at(document, entry.path) in ([entry.erased_value], [])
    assert case["contact_attempts"][0]["kind"] == "phone" and case["total_arrears_cents"] == 45_000  # figures stay
    record = await signals.db.erasures.find_one({"_id": case_id})
    assert "case.contact_attempts[].note" in record["fields"] and "case.closing_note" in record["fields"]


async def test_eviction_address_is_erased_after_its_term_and_the_pseudonym_stays(signals: Signals) -> None:
    report = {"municipality": "GM0141", "address": {"postcode": "7607 AB", "house_number": 12}, "outcome": "prevented"}
    headers = {**signals.as_partner("woonstad-almelo"), "Idempotency-Key": "ontruiming-1"}
    old = await signals.client.post("/api/v1/evictions", json={**report, "on": TODAY}, headers=headers)
    fresh_headers = {**headers, "Idempotency-Key": "ontruiming-2"}
    fresh = await signals.client.post("/api/v1/evictions", json={**report, "on": TODAY}, headers=fresh_headers)
    assert (old.status_code, fresh.status_code) == (202, 202)
    days = signals.settings.eviction_address_retention_days + 1
    await signals.db.evictions.update_one(
        {"_id": "woonstad-almelo:ontruiming-1"}, {"$set": {"received_at": datetime.now(UTC) - timedelta(days=days)}}
    )
    assert (await run(signals))["erased_eviction_addresses"] == 1
    erased = await signals.db.evictions.find_one({"_id": "woonstad-almelo:ontruiming-1"})
    kept = await signals.db.evictions.find_one({"_id": "woonstad-almelo:ontruiming-2"})
    for entry in REGISTER.erased_by("evictions", EVICTION_TERM):
        assert erased[entry.path] == entry.erased_value and kept[entry.path] is not None
    assert erased["household_ref"] == kept["household_ref"] and erased["outcome"] == "prevented"
    assert (await run(signals))["erased_eviction_addresses"] == 0


async def test_audit_entries_older_than_their_term_are_deleted(signals: Signals) -> None:
    case_id = await submit(signals, 1)
    for _ in range(2):
        assert (await signals.client.get(f"/api/v1/cases/{case_id}")).status_code == 200
    reads = await signals.db.audit.find({"record": f"case:{case_id}", "action": "case.viewed"}).to_list()
    written = datetime.now(UTC) - timedelta(days=signals.settings.audit_retention_days + 1)
    await signals.db.audit.update_one({"_id": reads[0]["_id"]}, {"$set": {"at": written}})
    assert (await run(signals))["expired_audit_entries"] == 1
    left = await signals.db.audit.find({"record": f"case:{case_id}", "action": "case.viewed"}).to_list()
    assert [entry["_id"] for entry in left] == [reads[1]["_id"]]
    assert all(entry.erasure is Erasure.DOCUMENT for entry in REGISTER.fields if entry.collection == "audit")


def values_at(document: Any, path: str) -> list[Any]:
    """The values at a register path: `a.b`, or `a[].b` for each element of the list `a`."""
    if "[]." in path:
        array, key = path.split("[].", 1)
        return [element.get(key) for element in values_at(document, array)[0] or [] if key in element]
    for part in path.split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return [document]


async def test_two_retention_runs_at_once_close_each_case_once_with_one_event(signals: Signals) -> None:
    cases = [await submit(signals, house, BELOW, arrears_cents=10_000) for house in range(1, 21)]
    await signals.db.cases.update_many(
        {"_id": {"$in": cases}}, {"$set": {"last_signal_at": datetime.now(UTC) - timedelta(days=100)}}
    )
    works = [UnitOfWork(signals.db, None), UnitOfWork(signals.db, None)]
    closed = await asyncio.gather(*(close_registered_due(work, signals.settings) for work in works))
    assert sum(closed) == len(cases)
    stored = await signals.db.cases.find({"_id": {"$in": cases}}).to_list()
    closing_events = [
        entry
        for case in stored
        for entry in case["outbox"].values()
        if entry["event"]["type"] == "nl.redzaam.case.closed"
    ]
    assert len(closing_events) == len(cases) and {case["status"] for case in stored} == {"closed"}
