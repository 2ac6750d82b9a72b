"""The threshold and the outreach term per municipality, set by the administrator: in effect for the next signal
without a restart, audited with before and after, bad values refused naming the field, one read per batch."""

import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from plumbing.access import Role
from plumbing.unit_of_work import UnitOfWork
from services.signals.calendar import add_working_days
from services.signals.domain import SignalSubmission
from services.signals.intake import Submitted, accept_signals, ensure_indexes
from services.signals.municipality_settings import change_settings
from services.signals.settings import DEFAULT_TERM_WORKING_DAYS
from tests.conftest import Servers
from tests.factories import signal_body
from tests.integration.signals.conftest import Signals, signals_settings

pytestmark = pytest.mark.integration
DEVENTER = "GM0150"  # the fixture's environment sets its threshold to EUR 200


def household(number: int, municipality: str = DEVENTER, **changes: Any) -> dict[str, Any]:
    address = {"postcode": f"74{number % 100:02d} AB", "house_number": number + 1}
    return signal_body(municipality=municipality, address=address, contract_reference=f"T-{number}", **changes)


async def submit(signals: Signals, body: dict[str, Any]) -> dict[str, Any]:
    response = await signals.client.post("/api/v1/signals", json=body, headers=signals.as_partner("woonstad-deventer"))
    assert response.status_code == 202, response.text
    case: dict[str, Any] = await signals.db.cases.find_one({"_id": response.json()["case_id"]})
    return case


async def put(signals: Signals, body: dict[str, Any], role: Role = Role.ADMINISTRATOR) -> Any:
    return await signals.client.put(
        f"/api/v1/municipalities/{DEVENTER}/settings", json=body, headers=signals.as_staff(role)
    )


async def test_a_changed_threshold_applies_to_the_next_signal_without_a_restart(signals: Signals) -> None:
    before = await submit(signals, household(1, arrears_cents=15_000))
    assert before["status"] == "registered"  # below the environment's EUR 200

    changed = await put(signals, {"threshold_cents": 10_000})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["threshold_cents"], changed.json()["overridden"]) == (10_000, ["threshold_cents"])

    after = await submit(signals, household(2, arrears_cents=15_000))
    assert after["status"] == "open"
    untouched = await signals.db.cases.find_one({"_id": before["_id"]})
    assert untouched["status"] == "registered"  # only new signals are weighed with the new threshold
    elsewhere = await submit(signals, household(3, arrears_cents=15_000, municipality="GM0141"))
    assert elsewhere["status"] == "open"  # Almelo keeps the default of EUR 50


async def test_a_changed_term_sets_the_deadline_of_new_cases_and_open_cases_keep_theirs(signals: Signals) -> None:
    today = date.today()
    earlier = await submit(signals, household(4, arrears_cents=30_000))
    assert earlier["deadline"] == add_working_days(today, DEFAULT_TERM_WORKING_DAYS).isoformat()

    assert (await put(signals, {"term_working_days": 15})).status_code == 200

    later = await submit(signals, household(5, arrears_cents=30_000))
    assert later["deadline"] == add_working_days(today, 15).isoformat()
    kept = await signals.db.cases.find_one({"_id": earlier["_id"]})
    assert kept["deadline"] == earlier["deadline"]


async def test_a_change_is_audited_with_the_value_before_and_after(signals: Signals) -> None:
    assert (await put(signals, {"threshold_cents": 7_500, "term_working_days": 12})).status_code == 200
    assert (await put(signals, {"threshold_cents": None})).status_code == 200  # back to the default

    entries = await signals.db.audit.find({"record": f"municipality:{DEVENTER}"}).sort("at", 1).to_list()
    assert [(entry["who"], entry["action"], entry["result"]) for entry in entries] == [
        ("administrator", "municipality_settings.changed", "ok")
    ] * 2
    assert entries[0]["changes"] == {
        "term_working_days": {"before": DEFAULT_TERM_WORKING_DAYS, "after": 12},
        "threshold_cents": {"before": 20_000, "after": 7_500},
    }
    assert entries[1]["changes"] == {"threshold_cents": {"before": 7_500, "after": 20_000}}
    now = (
        await signals.client.get(
            f"/api/v1/municipalities/{DEVENTER}/settings", headers=signals.as_staff(Role.ADMINISTRATOR)
        )
    ).json()
    assert (now["threshold_cents"], now["term_working_days"], now["overridden"], now["version"]) == (
        20_000,
        12,
        ["term_working_days"],
        2,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"threshold_cents": -1}, "threshold_cents"),
        ({"threshold_cents": 10_000_001}, "threshold_cents"),
        ({"term_working_days": 0}, "term_working_days"),
        ({"term_working_days": 61}, "term_working_days"),
        ({"term_working_days": "tien"}, "term_working_days"),
        ({"drempel": 5}, "drempel"),
    ],
)
async def test_a_bad_value_is_refused_naming_the_field(signals: Signals, body: dict[str, Any], field: str) -> None:
    response = await put(signals, body)
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [["body", field]]
    assert await signals.db.municipality_settings.count_documents({}) == 0


async def test_a_change_made_on_an_old_version_is_refused(signals: Signals) -> None:
    assert (await put(signals, {"term_working_days": 12, "version": 0})).status_code == 200
    stale = await put(signals, {"term_working_days": 14, "version": 0})
    assert stale.status_code == 409
    assert (await signals.db.municipality_settings.find_one({"_id": DEVENTER}))["term_working_days"] == 12


async def test_only_an_administrator_reads_or_changes_the_settings(signals: Signals) -> None:
    for role in (Role.OUTREACH_WORKER, Role.PROGRAMME_LEAD):
        assert (await put(signals, {"term_working_days": 12}, role)).status_code == 403
        page = await signals.client.get("/beheer/gemeenten", headers=signals.as_staff(role))
        assert page.status_code == 403
        assert "Geen toegang" in page.text
    assert await signals.db.municipality_settings.count_documents({}) == 0


def form_token(page_text: str) -> dict[str, str]:
    found = {name: re.search(rf'name="{name}" value="([^"]*)"', page_text) for name in ("csrf", "versie")}
    return {name: match[1] for name, match in found.items() if match}


async def test_the_page_shows_the_values_in_effect_and_changes_them(signals: Signals) -> None:
    admin = signals.as_staff(Role.ADMINISTRATOR)
    overview = await signals.client.get("/beheer/gemeenten", headers=admin)
    assert overview.status_code == 200
    deventer = re.search(r"<th scope=\"row\">Deventer</th>(.*?)</tr>", overview.text, re.S)
    assert (
        deventer is not None and "€ 200,00" in deventer[1] and f"{DEFAULT_TERM_WORKING_DAYS} werkdagen" in deventer[1]
    )

    form = await signals.client.get(f"/beheer/gemeenten/{DEVENTER}", headers=admin)
    assert 'value="200,00"' in form.text
    sent = {**form_token(form.text), "drempel": "1.250,50", "termijn": str(DEFAULT_TERM_WORKING_DAYS)}
    done = await signals.client.post(f"/beheer/gemeenten/{DEVENTER}", data=sent, headers=admin)
    assert done.status_code == 303
    stored = await signals.db.municipality_settings.find_one({"_id": DEVENTER})
    assert stored["threshold_cents"] == 125_050
    assert "term_working_days" not in stored  # left as it was: still the default


async def test_a_bad_value_on_the_page_gets_a_dutch_message_beside_the_field(signals: Signals) -> None:
    admin = signals.as_staff(Role.ADMINISTRATOR)
    form = await signals.client.get(f"/beheer/gemeenten/{DEVENTER}", headers=admin)
    sent = {**form_token(form.text), "drempel": "veel", "termijn": "61"}
    refused = await signals.client.post(f"/beheer/gemeenten/{DEVENTER}", data=sent, headers=admin)
    assert refused.status_code == 422
    assert re.search(r'id="drempel-fout" class="error">Vul een bedrag in euro in', refused.text)
    assert re.search(r'id="termijn-fout" class="error">Mag hoogstens 60 zijn\.', refused.text)
    assert 'value="veel"' in refused.text  # what was typed stays, to be corrected
    assert await signals.db.municipality_settings.count_documents({}) == 0


class SettingsReads(monitoring.CommandListener):
    def __init__(self) -> None:
        self.reads: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.reads[event.command["find"]] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def counted(servers: Servers, namespace: str) -> AsyncIterator[tuple[Any, SettingsReads]]:
    listener = SettingsReads()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri, tz_aware=True, event_listeners=[listener])
    await ensure_indexes(client[namespace])
    yield client[namespace], listener
    await client.drop_database(namespace)
    await client.close()


async def test_a_batch_from_several_municipalities_reads_the_settings_once(
    counted: tuple[Any, SettingsReads], servers: Servers, namespace: str
) -> None:
    db, listener = counted
    settings = signals_settings(servers, namespace)
    municipalities = ["GM0141", "GM0150", "GM0163", "GM0193"]
    async with UnitOfWork(db, None) as work:
        for code in municipalities[:2]:
            await change_settings(work, settings, code, {"threshold_cents": 100_000})
    listener.reads.clear()
    batch = [
        Submitted(
            SignalSubmission.model_validate(
                household(n, municipality=municipalities[n % 4]) | {"arrears_cents": 50_000}
            )
        )
        for n in range(200)
    ]
    accepted = await accept_signals(UnitOfWork(db, None), settings, "woonstad", batch)
    assert listener.reads["municipality_settings"] == 1
    statuses = Counter(
        (case["municipality"], case["status"])
        for case in await db.cases.find({"_id": {"$in": [result.case_id for result in accepted]}}).to_list()
    )
    # EUR 500 is below the EUR 1,000 set for Almelo and Deventer, above the default EUR 50 elsewhere
    assert statuses == {
        ("GM0141", "registered"): 50,
        ("GM0150", "registered"): 50,
        ("GM0163", "open"): 50,
        ("GM0193", "open"): 50,
    }


async def test_a_stored_value_the_model_no_longer_accepts_gives_way_to_the_default(signals: Signals) -> None:
    # as if the bounds were narrowed after the administrator set 90 working days
    await signals.db.municipality_settings.insert_one(
        {"_id": DEVENTER, "term_working_days": 90, "threshold_cents": 10_000, "version": 1}
    )
    case = await submit(signals, household(6, arrears_cents=15_000))
    assert (case["status"], case["deadline"]) == (
        "open",
        add_working_days(date.today(), DEFAULT_TERM_WORKING_DAYS).isoformat(),
    )
    read = await signals.client.get(
        f"/api/v1/municipalities/{DEVENTER}/settings", headers=signals.as_staff(Role.ADMINISTRATOR)
    )
    assert (read.json()["term_working_days"], read.json()["threshold_cents"], read.json()["overridden"]) == (
        DEFAULT_TERM_WORKING_DAYS,
        10_000,
        ["threshold_cents"],
    )
