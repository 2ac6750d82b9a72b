"""The volunteers' public sign-up page: each field at fault gets its Dutch message beside it, and nothing is stored;
the API names the field (422). The limits of every public form: tests/integration/test_public_forms.py."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.volunteers.app import create_app
from services.volunteers.settings import VolunteersSettings
from tests.conftest import Servers
from tests.integration.served import Served, served

pytestmark = pytest.mark.integration
PUBLIC = {"Authorization": ""}
VALID = {"naam": "Vera", "email": "vera@example.nl", "rollen": ["debt_buddy"], "gemeenten": ["GM0141"]}


@pytest.fixture
async def volunteers(servers: Servers, namespace: str) -> AsyncIterator[Served]:
    settings = VolunteersSettings(
        kafka_bootstrap=servers.kafka_bootstrap, mongo_uri=servers.mongo_uri, mongo_database=namespace,
        topic_prefix=namespace,
    )  # fmt: skip
    app = create_app(settings)
    async with served(app) as client:
        yield Served(app, client)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"naam": ""}, "naam", "Vul uw naam in."),
        ({"email": "geen-adres"}, "email", "Vul een geldig e-mailadres in."),
        ({"telefoon": "0" * 31}, "telefoon", "Vul een telefoonnummer in van hoogstens 30 tekens."),
        ({"rollen": []}, "rollen", "Kies minstens één rol."),
        ({"rollen": ["juggler"]}, "rollen", "Kies minstens één rol."),
        ({"gemeenten": []}, "gemeenten", "Kies minstens één gemeente."),
        ({"gemeenten": ["GM9999"]}, "gemeenten", "Kies minstens één gemeente."),
        ({"werkgever": "x" * 201}, "werkgever", "De naam van de werkgever is te lang."),
        ({"werkgever": "x" * 501}, "werkgever", "Dit is te lang: hoogstens 500 tekens."),
    ],
)
async def test_a_sign_up_field_at_fault_gets_its_dutch_message_and_nothing_is_stored(
    volunteers: Served, changes: dict[str, Any], field: str, message: str
) -> None:
    page = await volunteers.client.post("/aanmelden", data={**VALID, **changes}, headers=PUBLIC)
    assert page.status_code == 422
    assert f'<p id="{field}-fout" class="error">{message}</p>' in page.text
    assert await volunteers.db.volunteers.count_documents({}) == 0


async def test_a_sign_up_stores_the_applicant_and_says_when_a_coordinator_calls(volunteers: Served) -> None:
    page = await volunteers.client.post("/aanmelden", data=VALID, headers=PUBLIC)
    assert page.status_code == 200 and "Een coördinator neemt binnen twee weken contact met u op." in page.text
    stored = await volunteers.db.volunteers.find_one({})
    assert (stored["name"], stored["email"], stored["status"]) == ("Vera", "vera@example.nl", "applicant")
