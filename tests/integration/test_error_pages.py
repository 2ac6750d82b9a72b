"""Pages answer errors with a Dutch page and a way back; API routes keep their JSON."""

from collections.abc import AsyncIterator

import pytest

from plumbing.access import Role
from services.reporting.app import create_app
from services.reporting.settings import ReportingSettings
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.served import Served, served

pytestmark = pytest.mark.integration


@pytest.fixture
async def reporting(servers: Servers, namespace: str) -> AsyncIterator[Served]:
    settings = ReportingSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
    )
    app = create_app(settings)
    async with served(app, staff_headers(settings, Role.OUTREACH_WORKER)) as client:
        yield Served(app, client)


async def test_a_page_refused_or_not_found_is_a_dutch_page_with_a_way_back(reporting: Served) -> None:
    refused = await reporting.client.get("/doelen")  # the programme lead's page, asked by an outreach worker
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert "<h1>Geen toegang</h1>" in refused.text and 'lang="nl"' in refused.text
    assert 'href="/"' in refused.text
    missing = await reporting.client.get("/lab/bestaat-niet/mkba")
    assert missing.status_code == 404 and "niet gevonden" in missing.text.lower()
    nowhere = await reporting.client.get("/geen-pagina")
    assert nowhere.status_code == 404 and "Niet gevonden" in nowhere.text


async def test_api_routes_keep_their_json(reporting: Served) -> None:
    refused = await reporting.client.put("/api/v1/targets/evictions", json={})
    assert refused.status_code == 403 and refused.json()["detail"]
    invalid = await reporting.client.get("/api/v1/counters", params={"municipality": "GM9999"})
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"][-1] == "municipality"


async def test_a_page_without_a_session_still_sends_the_browser_to_sign_in(reporting: Served) -> None:
    anonymous = await reporting.client.get("/lab", headers={"Authorization": ""})
    assert anonymous.status_code == 303 and "/inloggen" in anonymous.headers["location"]
