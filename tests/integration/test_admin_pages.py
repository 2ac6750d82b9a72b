"""The administrator's audit log page and retention run, shared by the four services (plumbing.admin_pages): filters,
pages with totals, Dutch labels and errors, and "Nu opschonen" audited; on real MongoDB and Kafka."""

import asyncio
import random
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from plumbing.access import Role
from plumbing.paging import PER_PAGE
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import Actor, audit_entry
from services.referrals.app import create_app as referrals_app
from services.referrals.settings import ReferralsSettings
from services.reporting.app import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.signals.app import create_app as signals_app
from services.signals.settings import SignalsSettings
from services.volunteers.app import create_app as volunteers_app
from services.volunteers.settings import VolunteersSettings
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.served import served

pytestmark = pytest.mark.integration
LOCAL = ZoneInfo("Europe/Amsterdam")
KEYS = {"pseudonym_key": "integration-pseudonym-key-0123456789", "data_key": "integration-data-key-0123456789"}
SERVICES: dict[str, tuple[Callable[[Any], FastAPI], type[PlatformSettings], dict[str, Any], str]] = {
    "signals": (signals_app, SignalsSettings, KEYS, "cases"),
    "referrals": (referrals_app, ReferralsSettings, {}, "referrals"),
    "volunteers": (volunteers_app, VolunteersSettings, {}, "volunteers"),
    "reporting": (reporting_app, ReportingSettings, {}, "reporting"),
}


@asynccontextmanager
async def service(
    name: str, servers: Servers, namespace: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Any, PlatformSettings]]:
    create, settings_class, extra, _ = SERVICES[name]
    settings = settings_class(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        **extra,
    )
    app = create(settings)
    async with served(app, staff_headers(settings, Role.ADMINISTRATOR, username="beheerder")) as client:
        yield client, app.state.runtime.db, settings


async def startup_run_done(db: Any, old: datetime) -> None:
    """The retention job runs once as the service starts (and then hourly): wait until that first run is over, or
    it could take the stale entries a test puts in before the administrator's run does. An old entry put in now
    goes with that run unless it was over already."""
    await db.audit.insert_one(entry("wachter", "sign_out", "x", old))
    for _ in range(30):
        if await db.audit.count_documents({"who": "wachter"}) == 0:
            return
        await asyncio.sleep(0.1)
    await db.audit.delete_many({"who": "wachter"})  # the first run was over before it came


def shown_total(page: str) -> str:
    found = re.search(r"<p>(\d+–\d+ van \d+ regels|Geen regels)", page)
    assert found, "the page says how many entries there are"
    return found.group(1)


def entry(who: str, action: str, record: str, at: datetime) -> dict[str, Any]:
    return audit_entry(Actor(who=who, role="volunteer_coordinator"), action, record) | {"at": at}


async def test_the_audit_log_page_filters_by_person_record_action_and_dates_with_the_totals(
    servers: Servers, namespace: str
) -> None:
    now = datetime.now(UTC)
    chance = random.Random(namespace)
    entries = [
        entry(
            chance.choice(["anna", "bram", "cem"]),
            chance.choice(["volunteer.viewed", "hours.logged", "volunteer.screened"]),
            f"volunteer:vw-{chance.randint(1, 4)}",
            now - timedelta(days=chance.randint(0, 40), minutes=chance.randint(0, 600)),
        )
        for _ in range(3 * PER_PAGE)
    ]
    async with service("volunteers", servers, namespace) as (client, db, _):
        await db.audit.insert_many(entries)
        everything = (await client.get("/beheer/logboek")).text
        assert shown_total(everything) == f"1–{PER_PAGE} van {len(entries)} regels"
        assert "Uren geschreven" in everything and "Vrijwilliger bekeken" in everything  # Dutch, not the codes

        start = (now - timedelta(days=20)).astimezone(LOCAL).date()
        end = (now - timedelta(days=5)).astimezone(LOCAL).date()
        asked = {"wie": "anna", "actie": "hours.logged", "van": start.isoformat(), "tot": end.isoformat()}
        expected = [
            e
            for e in entries
            if e["who"] == "anna" and e["action"] == "hours.logged" and start <= e["at"].astimezone(LOCAL).date() <= end
        ]
        page = (await client.get("/beheer/logboek", params=asked)).text
        assert shown_total(page) == (f"1–{len(expected)} van {len(expected)} regels" if expected else "Geen regels")
        assert page.count("<td>anna</td>") == len(expected)

        record = [e for e in entries if e["record"] == "volunteer:vw-2"]
        of_record = (await client.get("/beheer/logboek", params={"record": "volunteer:vw-2"})).text
        assert shown_total(of_record) == f"1–{min(len(record), PER_PAGE)} van {len(record)} regels"

        second = (await client.get("/beheer/logboek", params={"pagina": "2"})).text
        assert shown_total(second) == f"{PER_PAGE + 1}–{2 * PER_PAGE} van {len(entries)} regels"
        newest = sorted(entries, key=lambda e: e["at"], reverse=True)[PER_PAGE : 2 * PER_PAGE]
        assert [f"{e['at'].astimezone(LOCAL):%d-%m-%Y %H:%M:%S}" for e in newest] == re.findall(
            r"<td>(\d\d-\d\d-\d{4} \d\d:\d\d:\d\d)</td>", second
        )


async def test_a_date_that_cannot_be_used_is_a_dutch_message_beside_its_field(servers: Servers, namespace: str) -> None:
    async with service("volunteers", servers, namespace) as (client, _, settings):
        wrong = await client.get("/beheer/logboek", params={"van": "2026-12-10", "tot": "2026-12-01"})
        assert wrong.status_code == 422
        assert '<p id="tot-fout" class="error">De einddatum ligt vóór de begindatum.</p>' in wrong.text
        garbled = await client.get("/beheer/logboek", params={"van": "gisteren"})
        assert garbled.status_code == 422 and '<p id="van-fout" class="error">Vul een geldige datum in' in garbled.text
        coordinator = staff_headers(settings, Role.VOLUNTEER_COORDINATOR)
        assert (await client.get("/beheer/logboek", headers=coordinator)).status_code == 403
        assert (await client.post("/beheer/opschonen", headers=coordinator)).status_code == 403


@pytest.mark.parametrize("name", list(SERVICES))
async def test_nu_opschonen_runs_the_retention_run_audited_and_says_what_it_removed(
    name: str, servers: Servers, namespace: str
) -> None:
    async with service(name, servers, namespace) as (client, db, settings):
        old = datetime.now(UTC) - timedelta(days=settings.audit_retention_days + 1)
        await startup_run_done(db, old)
        stale = random.Random(namespace).randint(1, 7)
        await db.audit.insert_many([entry("oud", "sign_out", "x", old) for _ in range(stale)])
        response = await client.post("/beheer/opschonen")
        assert response.status_code == 200
        assert f"<li>{stale} verlopen regels van het logboek verwijderd</li>" in response.text
        assert "Nu opschonen" in response.text
        run = await db.audit.find_one({"action": "retention.run"})
        assert (run["who"], run["record"], run["result"]) == ("beheerder", SERVICES[name][3], "ok")
        assert await db.audit.count_documents({"who": "oud"}) == 0
        api = await client.post("/api/v1/retention/run")  # the API runs the same flow, audited alike
        assert api.status_code == 200 and api.json()["expired_audit_entries"] == 0
        assert await db.audit.count_documents({"action": "retention.run"}) == 2
        shown = (await client.get("/beheer/logboek", params={"actie": "retention.run"})).text
        assert shown_total(shown) == "1–2 van 2 regels" and "Bewaartermijnen toegepast (opschonen)" in shown


@pytest.mark.parametrize("name", list(SERVICES))
async def test_the_audit_api_filters_and_pages_like_the_page_with_the_totals(
    name: str, servers: Servers, namespace: str
) -> None:
    now = datetime.now(UTC)
    chance = random.Random(namespace)
    entries = [
        entry(
            chance.choice(["anna", "bram"]),
            chance.choice(["case.opened", "sign_out"]),
            f"record:{chance.randint(1, 3)}",
            now - timedelta(days=chance.randint(0, 30), minutes=chance.randint(0, 600)),
        )
        for _ in range(2 * PER_PAGE + 7)
    ]
    async with service(name, servers, namespace) as (client, db, _):
        await db.audit.insert_many(entries)
        start = (now - timedelta(days=20)).astimezone(LOCAL).date()
        end = (now - timedelta(days=5)).astimezone(LOCAL).date()
        asked = {"who": "anna", "action": "sign_out", "start": start.isoformat(), "end": end.isoformat()}
        expected = sorted(
            (
                e
                for e in entries
                if e["who"] == "anna" and e["action"] == "sign_out" and start <= e["at"].astimezone(LOCAL).date() <= end
            ),
            key=lambda e: e["at"],
            reverse=True,
        )
        filtered = (await client.get("/api/v1/audit", params={**asked, "per_page": 200})).json()
        assert (filtered["total"], filtered["page"], filtered["pages"]) == (len(expected), 1, 1 if expected else 0)
        assert [item["_id"] for item in filtered["items"]] == [e["_id"] for e in expected]

        of_record = [e for e in entries if e["record"] == "record:2"]
        by_record = (await client.get("/api/v1/audit", params={"record": "record:2", "per_page": 200})).json()
        assert by_record["total"] == len(of_record) and {i["record"] for i in by_record["items"]} <= {"record:2"}

        second = (await client.get("/api/v1/audit", params={"page": 2})).json()
        assert second["total"] == await db.audit.count_documents({}) >= len(entries)  # a retention run's on top
        assert second["per_page"] == PER_PAGE
        assert len(second["items"]) == PER_PAGE and second["pages"] == -(-second["total"] // PER_PAGE)
        first = (await client.get("/api/v1/audit")).json()
        assert not {i["_id"] for i in first["items"]} & {i["_id"] for i in second["items"]}

        backwards = await client.get("/api/v1/audit", params={"start": end.isoformat(), "end": start.isoformat()})
        assert backwards.status_code == 422 and "end" in backwards.json()["detail"]
        not_a_day = await client.get("/api/v1/audit", params={"start": "1-12-2026"})
        assert not_a_day.status_code == 422 and not_a_day.json()["detail"][0]["loc"] == ["query", "start"]
