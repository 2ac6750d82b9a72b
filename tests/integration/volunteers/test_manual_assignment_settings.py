"""Manual assignment per municipality, set by the administrator: in effect for the next request without a restart,
audited with before and after, refused naming the field, for administrators only."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from plumbing.access import Role
from services.volunteers.app import create_app
from services.volunteers.settings import VolunteersSettings
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.served import Served, served

pytestmark = pytest.mark.integration
ALMELO, DEVENTER = "GM0141", "GM0150"  # the environment makes Deventer manual, Almelo automatic
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@dataclass
class Volunteers(Served):
    settings: VolunteersSettings

    def admin(self, role: Role = Role.ADMINISTRATOR) -> dict[str, str]:
        return staff_headers(self.settings, role)

    async def teacher(self, volunteer_id: str, *municipalities: str) -> None:
        body = {
            "id": volunteer_id,
            "name": volunteer_id,
            "roles": ["guest_teacher"],
            "municipalities": list(municipalities),
            "max_households": 5,
            "status": "active",
            "certificate_of_conduct_date": YESTERDAY,
            "trained_roles": ["guest_teacher"],
        }
        response = await self.client.put(f"/api/v1/volunteers/{volunteer_id}", json=body)
        assert response.status_code in (200, 201), response.text

    async def lesson(self, municipality: str) -> dict[str, Any]:
        body = {
            "school": "ROC van Twente",
            "municipality": municipality,
            "lesson_date": (date.today() + timedelta(days=7)).isoformat(),
            "group_size": 18,
        }
        response = await self.client.post("/api/v1/lesson-requests", json=body)
        assert response.status_code == 201, response.text
        lesson: dict[str, Any] = response.json()
        return lesson

    async def put(self, code: str, body: dict[str, Any], role: Role = Role.ADMINISTRATOR) -> Any:
        return await self.client.put(f"/api/v1/municipalities/{code}/settings", json=body, headers=self.admin(role))


@pytest.fixture
async def volunteers(servers: Servers, namespace: str) -> AsyncIterator[Volunteers]:
    settings = VolunteersSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        manual_assignment_municipalities=[DEVENTER],
    )
    app = create_app(settings)
    async with served(app, staff_headers(settings, Role.VOLUNTEER_COORDINATOR)) as client:
        yield Volunteers(app, client, settings)


async def test_a_change_to_manual_or_automatic_applies_to_the_next_request_without_a_restart(
    volunteers: Volunteers,
) -> None:
    await volunteers.teacher("teacher", ALMELO, DEVENTER)
    assert (await volunteers.lesson(ALMELO))["state"] == "assigned"
    assert (await volunteers.lesson(DEVENTER))["state"] == "waiting"

    assert (await volunteers.put(ALMELO, {"manual_assignment": True})).status_code == 200
    assert (await volunteers.put(DEVENTER, {"manual_assignment": False})).status_code == 200

    assert (await volunteers.lesson(ALMELO))["state"] == "waiting"
    assert (await volunteers.lesson(DEVENTER))["state"] == "assigned"


async def test_a_change_is_audited_with_the_value_before_and_after(volunteers: Volunteers) -> None:
    changed = await volunteers.put(DEVENTER, {"manual_assignment": False})
    assert (changed.json()["manual_assignment"], changed.json()["overridden"]) == (False, ["manual_assignment"])
    back = await volunteers.put(DEVENTER, {"manual_assignment": None})  # back to the environment's default
    assert back.json()["manual_assignment"] is True
    entries = await volunteers.db.audit.find({"record": f"municipality:{DEVENTER}"}).sort("at", 1).to_list()
    assert [(entry["who"], entry["action"], entry["changes"]) for entry in entries] == [
        ("administrator", "municipality_settings.changed", {"manual_assignment": {"before": True, "after": False}}),
        ("administrator", "municipality_settings.changed", {"manual_assignment": {"before": False, "after": True}}),
    ]
    log = await volunteers.client.get("/beheer/logboek", headers=volunteers.admin())
    assert "Instellingen van een gemeente gewijzigd" in log.text
    assert '<a href="/beheer/gemeenten">instellingen per gemeente</a>' in log.text  # where an administrator lands
    assert "manual_assignment: True → False" in log.text and "manual_assignment: False → True" in log.text


async def test_a_bad_value_is_refused_naming_the_field(volunteers: Volunteers) -> None:
    for body, field in (({"manual_assignment": "soms"}, "manual_assignment"), ({"handmatig": True}, "handmatig")):
        response = await volunteers.put(ALMELO, body)
        assert response.status_code == 422
        assert [problem["loc"] for problem in response.json()["detail"]] == [["body", field]]
    assert (await volunteers.put("GM9999", {"manual_assignment": True})).status_code == 422
    assert await volunteers.db.municipality_settings.count_documents({}) == 0


async def test_only_an_administrator_reads_or_changes_the_settings(volunteers: Volunteers) -> None:
    coordinator = Role.VOLUNTEER_COORDINATOR
    assert (await volunteers.put(ALMELO, {"manual_assignment": True}, coordinator)).status_code == 403
    read = await volunteers.client.get(f"/api/v1/municipalities/{ALMELO}/settings")
    assert read.status_code == 403
    page = await volunteers.client.get("/beheer/gemeenten")
    assert page.status_code == 403 and "Geen toegang" in page.text
    assert await volunteers.db.municipality_settings.count_documents({}) == 0


async def test_the_page_shows_and_changes_the_setting_with_dutch_errors(volunteers: Volunteers) -> None:
    admin = volunteers.admin()
    overview = await volunteers.client.get("/beheer/gemeenten", headers=admin)
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)', overview.text))
    assert (rows["Deventer"].strip(), rows["Almelo"].strip()) == ("Handmatig", "Automatisch")

    form = await volunteers.client.get(f"/beheer/gemeenten/{DEVENTER}", headers=admin)
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None
    refused = await volunteers.client.post(
        f"/beheer/gemeenten/{DEVENTER}", data={"csrf": token[1], "toewijzen": "soms"}, headers=admin
    )
    assert refused.status_code == 422
    assert re.search(r'id="toewijzen-fout" class="error">Kies een van de mogelijkheden\.', refused.text)

    done = await volunteers.client.post(
        f"/beheer/gemeenten/{DEVENTER}", data={"csrf": token[1], "toewijzen": "nee", "versie": "0"}, headers=admin
    )
    assert done.status_code == 303
    assert (await volunteers.db.municipality_settings.find_one({"_id": DEVENTER}))["manual_assignment"] is False
