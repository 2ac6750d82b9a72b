"""A coordinator works for some municipalities: they see, change and assign only theirs; lists come in pages."""

from datetime import date, timedelta
from typing import Any

import pytest

from plumbing.access import Role, Scope
from plumbing.paging import PER_PAGE
from tests.access import partner_headers, staff_headers
from tests.integration.volunteers.test_volunteers import YESTERDAY, Volunteers, volunteers

pytestmark = pytest.mark.integration
__all__ = ["volunteers"]


def body(volunteer_id: str, *municipalities: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": volunteer_id,
        "name": f"Vrijwilliger {volunteer_id}",
        "roles": ["guest_teacher"],
        "municipalities": list(municipalities),
        "status": "active",
        "certificate_of_conduct_date": YESTERDAY,
        "trained_roles": ["guest_teacher"],
        **changes,
    }


def lesson(municipality: str) -> dict[str, Any]:
    when = (date.today() + timedelta(days=7)).isoformat()
    return {"school": "ROC", "municipality": municipality, "lesson_date": when, "group_size": 18}


async def test_a_coordinator_sees_and_handles_only_their_municipalities(volunteers: Volunteers) -> None:
    """Before, every coordinator saw and changed every municipality's volunteers and requests."""
    client, settings = volunteers.client, volunteers.settings
    almelo = staff_headers(settings, Role.VOLUNTEER_COORDINATOR, ("GM0141",), username="coordinator-almelo")
    deventer = staff_headers(settings, Role.VOLUNTEER_COORDINATOR, ("GM0150",), username="coordinator-deventer")
    region = staff_headers(settings, Role.VOLUNTEER_COORDINATOR, (), username="regio", region_wide=True)
    assert (await client.put("/api/v1/volunteers/vw-a", json=body("vw-a", "GM0141"), headers=almelo)).status_code == 201
    assert (
        await client.put("/api/v1/volunteers/vw-d", json=body("vw-d", "GM0150"), headers=deventer)
    ).status_code == 201
    across = await client.put("/api/v1/volunteers/vw-x", json=body("vw-x", "GM0141", "GM0150"), headers=almelo)
    assert across.status_code == 403 and across.json()["detail"] == "municipalities: you do not work for GM0150"
    elsewhere = await client.put("/api/v1/volunteers/vw-d", json=body("vw-d", "GM0141"), headers=almelo)
    assert elsewhere.status_code == 404  # another municipality's volunteer does not exist for this coordinator
    lesson_d = (await client.post("/api/v1/lesson-requests", json=lesson("GM0150"), headers=deventer)).json()
    refused = await client.post("/api/v1/lesson-requests", json=lesson("GM0150"), headers=almelo)
    assert refused.status_code == 403 and refused.json()["detail"].startswith("municipality:")

    seen = (await client.get("/api/v1/assignments", headers=almelo)).json()
    assert (seen["total"], seen["items"]) == (0, [])
    assert (await client.get("/api/v1/assignments", headers=region)).json()["total"] == 1
    for path in ("candidates", "release"):
        method = client.get if path == "candidates" else client.post
        assert (await method(f"/api/v1/assignments/{lesson_d['id']}/{path}", headers=almelo)).status_code == 404
    hours = {"on": YESTERDAY, "hours": 2}
    assert (
        await client.post(f"/api/v1/assignments/{lesson_d['id']}/hours", json=hours, headers=almelo)
    ).status_code == 404
    screening = {"certificate_of_conduct_date": YESTERDAY, "trained_roles": ["guest_teacher"]}
    assert (await client.post("/api/v1/volunteers/vw-d/screening", json=screening, headers=almelo)).status_code == 404

    page = (await client.get("/", headers=almelo)).text
    assert "Vrijwilliger vw-a" in page and "Vrijwilliger vw-d" not in page and "ROC" not in page
    assert (await client.get("/vrijwilligers/vw-d", headers=almelo)).status_code == 404
    assert "Vrijwilliger vw-d" in (await client.get("/vrijwilligers/vw-d", headers=region)).text
    region_page = (await client.get("/", headers=region)).text
    assert "Vrijwilliger vw-a" in region_page and "Vrijwilliger vw-d" in region_page


async def test_a_volunteer_of_two_municipalities_keeps_the_other_one_when_one_coordinator_changes_them(
    volunteers: Volunteers,
) -> None:
    client, settings = volunteers.client, volunteers.settings
    almelo = staff_headers(settings, Role.VOLUNTEER_COORDINATOR, ("GM0141",), username="coordinator-almelo")
    assert (await client.put("/api/v1/volunteers/vw-2", json=body("vw-2", "GM0141", "GM0150"))).status_code == 201
    kept = await client.put(
        "/api/v1/volunteers/vw-2", json=body("vw-2", "GM0141", "GM0150", weekly_hours=6), headers=almelo
    )
    dropped = await client.put("/api/v1/volunteers/vw-2", json=body("vw-2", "GM0141"), headers=almelo)
    assert (kept.status_code, dropped.status_code) == (200, 403)


async def test_a_school_asks_for_lessons_only_where_it_works(volunteers: Volunteers) -> None:
    school = partner_headers(volunteers.settings, "landstede", Scope.REQUEST_LESSONS, municipalities=("GM0193",))
    client = volunteers.client
    assert (await client.post("/api/v1/lesson-requests", json=lesson("GM0193"), headers=school)).status_code == 201
    assert (await client.post("/api/v1/lesson-requests", json=lesson("GM0141"), headers=school)).status_code == 403


async def test_an_unknown_municipality_of_a_volunteer_is_refused_naming_the_field(volunteers: Volunteers) -> None:
    response = await volunteers.client.put("/api/v1/volunteers/vw-9", json=body("vw-9", "GM9999"))
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "municipalities", 0]
    assert problem["msg"] == "GM9999 is not a municipality of the region"


async def test_assignments_and_volunteers_come_in_pages_with_the_total(volunteers: Volunteers) -> None:
    client = volunteers.client
    for _ in range(PER_PAGE + 1):
        await client.post("/api/v1/lesson-requests", json=lesson("GM0163"))
    first = (await client.get("/api/v1/assignments", params={"per_page": 20, "state": "waiting"})).json()
    last = (await client.get("/api/v1/assignments", params={"per_page": 20, "page": 3, "state": "waiting"})).json()
    assert (first["total"], first["pages"], len(first["items"]), len(last["items"])) == (PER_PAGE + 1, 3, 20, 11)
    page = (await client.get("/")).text
    assert f"1–{PER_PAGE} van {PER_PAGE + 1} verzoeken" in page
    assert 'href="?wachtend=2#wachtend" rel="next"' in page
    second = (await client.get("/", params={"wachtend": "2"})).text
    assert f"{PER_PAGE + 1}–{PER_PAGE + 1} van {PER_PAGE + 1} verzoeken" in second
