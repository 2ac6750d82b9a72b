"""Volunteers' personal data has a term, on real Kafka and MongoDB: a sign-up never screened is deleted, a volunteer
who left loses their personal data (and their name on hours logged), old audit entries go; by the register."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plumbing.access import Role
from services.volunteers.register import LEFT_TERM, REGISTER
from tests.access import staff_headers
from tests.integration.volunteers.test_volunteers import Volunteers, volunteers

pytestmark = pytest.mark.integration
__all__ = ["volunteers"]  # the fixture, shared with the other volunteers tests
TODAY = date.today().isoformat()


async def run(volunteers: Volunteers) -> dict[str, int]:
    admin = staff_headers(volunteers.settings, Role.ADMINISTRATOR)
    response = await volunteers.client.post("/api/v1/retention/run", headers=admin)
    assert response.status_code == 200, response.text
    report: dict[str, int] = response.json()
    return report


async def days_ago(volunteers: Volunteers, volunteer_id: str, field: str, days: int) -> None:
    moment = datetime.now(UTC) - timedelta(days=days)
    await volunteers.db.volunteers.update_one({"_id": volunteer_id}, {"$set": {field: moment}})


async def test_a_sign_up_never_screened_is_deleted_after_its_term(volunteers: Volunteers) -> None:
    body = {"name": "Aanmelder", "email": "aanmelder@example.nl", "roles": ["debt_buddy"], "municipalities": ["GM0141"]}
    stale = (await volunteers.client.post("/api/v1/sign-ups", json=body, headers={"Authorization": ""})).json()["id"]
    other = {**body, "email": "tweede@example.nl"}  # the same sign-up twice would be stored once
    recent = (await volunteers.client.post("/api/v1/sign-ups", json=other, headers={"Authorization": ""})).json()["id"]
    await volunteers.volunteer("screened")
    await run(volunteers)  # starts the clocks
    for volunteer_id in (stale, "screened"):
        await days_ago(volunteers, volunteer_id, "seen_applicant_at", volunteers.settings.applicant_retention_days + 1)
    await volunteers.db.volunteers.update_one({"_id": stale}, {"$set": {"outbox_pending": False}})

    assert (await run(volunteers))["deleted_applicants"] == 1
    assert await volunteers.db.volunteers.find_one({"_id": stale}) is None
    assert await volunteers.db.volunteers.find_one({"_id": recent}) is not None
    assert (await volunteers.db.volunteers.find_one({"_id": "screened"}))["name"] == "screened"


async def test_a_volunteer_who_left_loses_their_personal_data_after_the_term(volunteers: Volunteers) -> None:
    personal: dict[str, Any] = {
        "name": "Piet Vertrokken",
        "phone": "0698765432",
        "email": "piet@example.nl",
        "languages": ["nl", "tr"],
        "recruited_through": "Bakkerij Almelo",
        "roles": ["guest_teacher"],
        "trained_roles": ["guest_teacher"],
    }
    await volunteers.volunteer("piet", **personal)
    lesson = await volunteers.lesson()
    assert (lesson["state"], lesson["volunteer_id"]) == ("assigned", "piet")
    await volunteers.volunteer("blijft", **{**personal, "name": "Blijft Actief"})
    hours = {"on": TODAY, "hours": 2, "by": "Piet Vertrokken"}
    logged = await volunteers.client.post(f"/api/v1/assignments/{lesson['id']}/hours", json=hours)
    assert logged.status_code == 204, logged.text
    await volunteers.client.post(f"/api/v1/assignments/{lesson['id']}/release")
    await volunteers.volunteer("piet", **{**personal, "status": "left"})
    assert (await run(volunteers))["erased_volunteers"] == 0  # the clock starts now
    await days_ago(volunteers, "piet", "left_at", volunteers.settings.left_retention_days + 1)

    assert (await run(volunteers))["erased_volunteers"] == 1
    piet = await volunteers.db.volunteers.find_one({"_id": "piet"}, {"outbox": 0})
    for entry in REGISTER.erased_by("volunteers", LEFT_TERM):
        assert piet[entry.path] == entry.erased_value, entry.path
    for value in ("Piet", "0698765432", "piet@example.nl", "Bakkerij"):
        assert value not in str(piet), value
    assert (piet["status"], piet["roles"]) == ("left", ["guest_teacher"])  # what reporting counts stays
    assignment = await volunteers.db.assignments.find_one({"_id": lesson["id"]}, {"outbox": 0})
    assert [entry["by"] for entry in assignment["hours"]] == [""] and assignment["hours"][0]["hours"] == 2
    assert (await volunteers.db.volunteers.find_one({"_id": "blijft"}))["name"] == "Blijft Actief"
    assert (await run(volunteers))["erased_volunteers"] == 0


async def test_a_volunteer_erased_after_leaving_is_registered_and_screened_again_with_full_data(
    volunteers: Volunteers,
) -> None:
    await volunteers.volunteer("terug", phone="0612345678", languages=["nl", "ar"])
    await volunteers.volunteer("terug", status="left")
    await run(volunteers)
    await days_ago(volunteers, "terug", "left_at", volunteers.settings.left_retention_days + 1)
    assert (await run(volunteers))["erased_volunteers"] == 1
    screening = {"certificate_of_conduct_date": TODAY, "trained_roles": ["debt_buddy"]}

    erased = await volunteers.client.post("/api/v1/volunteers/terug/screening", json=screening)
    assert erased.status_code == 409 and "register them again" in erased.text, erased.text
    form = {"vog": TODAY, "getraind": "debt_buddy"}
    page = await volunteers.client.post("/vrijwilligers/terug/screening", data=form)
    assert page.status_code == 422 and "zijn na het vertrek gewist" in page.text, page.text
    await volunteers.volunteer("terug", screened=False, name="Terug Gekomen", languages=["nl", "ar"])
    again = await volunteers.client.post("/api/v1/volunteers/terug/screening", json=screening)
    assert again.status_code == 200, again.text
    assert again.json()["assignable_roles"] == ["debt_buddy"]
    back = await volunteers.db.volunteers.find_one({"_id": "terug"})
    assert (back["name"], back["languages"], back["status"]) == ("Terug Gekomen", ["nl", "ar"], "active")
    assert "erased_at" not in back and "left_at" not in back
    await volunteers.volunteer("terug", status="left")
    await run(volunteers)  # the clock starts again for the second time they leave
    assert (await run(volunteers))["erased_volunteers"] == 0


async def test_old_audit_entries_are_deleted_and_only_administrators_run_retention(volunteers: Volunteers) -> None:
    await volunteers.volunteer("anna")
    await volunteers.volunteer("anna", phone="0611111111")
    entries = await volunteers.db.audit.find({"record": "volunteer:anna"}).sort("at", 1).to_list()
    assert len(entries) == 2
    written = datetime.now(UTC) - timedelta(days=volunteers.settings.audit_retention_days + 1)
    await volunteers.db.audit.update_one({"_id": entries[0]["_id"]}, {"$set": {"at": written}})
    assert (await run(volunteers))["expired_audit_entries"] == 1
    assert [entry["_id"] async for entry in volunteers.db.audit.find({"record": "volunteer:anna"})] == [
        entries[1]["_id"]
    ]
    assert (await volunteers.client.post("/api/v1/retention/run")).status_code == 403  # a coordinator
