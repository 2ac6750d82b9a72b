"""The coordinator's pages for what was API-only: hours, release, pause and resume, lesson requests and lessons
given; each form runs the API's use case, and bad input is a Dutch message beside the field. On real MongoDB."""

import re
from datetime import date, timedelta

import pytest

from plumbing.access import Role
from services.volunteers.assignments import open_request
from tests.access import staff_headers
from tests.integration.volunteers.test_volunteers import YESTERDAY, Volunteers, volunteers

pytestmark = pytest.mark.integration
__all__ = ["volunteers"]
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


def field_error(page: str, field_id: str) -> str:
    """The message shown beside a field, '' when there is none."""
    found = re.search(rf'<p id="{field_id}-fout" class="error">([^<]*)</p>', page)
    return found.group(1) if found else ""


async def assigned_lesson(volunteers: Volunteers, teacher: str = "teacher") -> str:
    await volunteers.volunteer(teacher, roles=["guest_teacher"], trained_roles=["guest_teacher"])
    lesson = await volunteers.lesson()  # GM0141 assigns at once
    assert lesson["volunteer_id"] == teacher
    return str(lesson["id"])


async def test_hours_logged_on_the_page_add_up_and_are_audited(volunteers: Volunteers) -> None:
    request_id = await assigned_lesson(volunteers)
    client = volunteers.client
    logged = [("2,5", YESTERDAY), ("1", date.today().isoformat()), ("0.25", YESTERDAY)]
    for hours, on in logged:
        form = {"datum": on, "uren": hours, "door": "Sanne"}
        response = await client.post(f"/koppelingen/{request_id}/uren", data=form)
        assert (response.status_code, response.headers["location"]) == (303, f"/koppelingen/{request_id}?uren=1")
    page = (await client.get(f"/koppelingen/{request_id}")).text
    expected = 2.5 + 1 + 0.25
    assert f"<dt>Uren in totaal</dt><dd>{expected:g}".replace(".", ",") in page
    api = (await client.get("/api/v1/assignments", params={"state": "assigned"})).json()["items"]
    assert [item["hours"] for item in api if item["id"] == request_id] == [expected]
    entries = await volunteers.db.audit.count_documents(
        {"action": "hours.logged", "record": f"assignment:{request_id}", "result": "ok"}
    )
    assert entries == len(logged)


@pytest.mark.parametrize(
    ("form", "field_id", "message"),
    [
        ({"datum": YESTERDAY, "uren": "-2"}, "uren", "Vul het aantal uren in: meer dan 0 en hoogstens 24"),
        ({"datum": YESTERDAY, "uren": "25"}, "uren", "Vul het aantal uren in: meer dan 0 en hoogstens 24"),
        ({"datum": YESTERDAY, "uren": "twee"}, "uren", "Vul het aantal uren in"),
        ({"datum": TOMORROW, "uren": "2"}, "datum", "De datum ligt in de toekomst"),
        ({"datum": "", "uren": "2"}, "datum", "Vul de datum in waarop gewerkt is."),
    ],
)
async def test_bad_hours_on_the_page_are_refused_beside_the_field_and_nothing_is_logged(
    volunteers: Volunteers, form: dict[str, str], field_id: str, message: str
) -> None:
    request_id = await assigned_lesson(volunteers)
    response = await volunteers.client.post(f"/koppelingen/{request_id}/uren", data=form)
    assert response.status_code == 422
    assert field_error(response.text, field_id).startswith(message)
    assert f'value="{form["uren"]}"' in response.text  # what was typed stays
    stored = await volunteers.db.assignments.find_one({"_id": request_id})
    assert stored["hours"] == []


async def test_a_date_in_the_future_is_refused_on_both_edges_for_hours_and_for_the_vog(volunteers: Volunteers) -> None:
    request_id = await assigned_lesson(volunteers)
    client = volunteers.client
    api_hours = await client.post(f"/api/v1/assignments/{request_id}/hours", json={"on": TOMORROW, "hours": 2})
    assert api_hours.status_code == 422 and api_hours.json()["detail"][0]["loc"] == ["body", "on"]
    page_hours = await client.post(f"/koppelingen/{request_id}/uren", data={"datum": TOMORROW, "uren": "2"})
    assert page_hours.status_code == 422 and field_error(page_hours.text, "datum").startswith("De datum ligt in")

    await volunteers.volunteer("applicant", screened=False)
    screening = {"certificate_of_conduct_date": TOMORROW, "trained_roles": ["debt_buddy"]}
    api_vog = await client.post("/api/v1/volunteers/applicant/screening", json=screening)
    assert api_vog.status_code == 422
    assert api_vog.json()["detail"][0]["loc"] == ["body", "certificate_of_conduct_date"]
    page_vog = await client.post("/vrijwilligers/applicant/screening", data={"vog": TOMORROW, "getraind": "debt_buddy"})
    assert page_vog.status_code == 422
    assert field_error(page_vog.text, "vog") == (
        "De datum van de VOG ligt in de toekomst: vul de datum in die op de verklaring staat."
    )
    untrained = await client.post("/vrijwilligers/applicant/screening", data={"vog": YESTERDAY})
    assert (field_error(untrained.text, "vog"), field_error(untrained.text, "getraind")) == (
        "",
        "Kies minstens één training.",
    )
    undated = await client.post("/vrijwilligers/applicant/screening", data={"getraind": "debt_buddy"})
    assert field_error(undated.text, "vog") == "Vul de datum van de VOG in."
    assert (await volunteers.db.volunteers.find_one({"_id": "applicant"}))["status"] == "applicant"


async def test_hours_for_a_request_without_a_volunteer_are_refused_on_the_page(volunteers: Volunteers) -> None:
    waiting = await volunteers.lesson()  # nobody to take it
    page = await volunteers.client.post(f"/koppelingen/{waiting['id']}/uren", data={"datum": YESTERDAY, "uren": "1"})
    assert page.status_code == 409 and "pas worden geschreven als er een vrijwilliger is gekoppeld" in page.text
    assert (await volunteers.client.get("/koppelingen/bestaat-niet")).status_code == 404


async def test_releasing_on_the_page_frees_the_place_and_a_second_release_is_refused(volunteers: Volunteers) -> None:
    await volunteers.volunteer("buddy")  # one household at most
    request_id = "r-release"
    household = {"kind": "household", "role": "debt_buddy", "household_ref": "hh-9", "municipality": "GM0141"}
    await open_request(volunteers.db, request_id, household)  # as a matched household opens it
    assigned = await volunteers.client.post(f"/koppelingen/{request_id}", data={"vrijwilliger": "buddy"})
    assert assigned.headers["location"] == "/?gekoppeld=1"
    assert (await volunteers.db.volunteers.find_one({"_id": "buddy"}))["free_places"] == 0
    released = await volunteers.client.post(f"/koppelingen/{request_id}/beeindigen")
    assert released.headers["location"] == f"/koppelingen/{request_id}?beeindigd=1"
    assert (await volunteers.db.volunteers.find_one({"_id": "buddy"}))["free_places"] == 1
    assert (await volunteers.db.assignments.find_one({"_id": request_id}))["state"] == "released"
    again = await volunteers.client.post(f"/koppelingen/{request_id}/beeindigen")
    assert again.status_code == 409 and "niet (meer) actief" in again.text
    actions = {e["action"] async for e in volunteers.db.audit.find({"record": f"assignment:{request_id}"})}
    assert {"volunteer.assigned", "volunteer.released"} <= actions


async def test_a_coordinator_asks_for_a_lesson_on_the_page_and_reports_it_given(volunteers: Volunteers) -> None:
    await volunteers.volunteer("teacher", roles=["guest_teacher"], trained_roles=["guest_teacher"])
    client = volunteers.client
    when = (date.today() + timedelta(days=5)).isoformat()
    form = {"school": "ROC van Twente", "gemeente": "GM0141", "datum": when, "groep": "24", "niveau": "1"}
    asked = await client.post("/gastlessen/nieuw", data=form)
    assert asked.status_code == 303
    request_id = asked.headers["location"].split("/")[2].split("?")[0]
    stored = await volunteers.db.assignments.find_one({"_id": request_id})
    assert (stored["kind"], stored["group_size"], stored["level"], stored["volunteer_id"]) == (
        "lesson",
        24,
        1,
        "teacher",
    )
    shown = (await client.get(asked.headers["location"])).text
    assert "er is meteen een gastdocent gekoppeld" in shown

    refused = await client.post(f"/koppelingen/{request_id}/les-gegeven", data={"leerlingen": "-3"})
    assert refused.status_code == 422 and field_error(refused.text, "leerlingen").startswith("Vul het aantal bereikte")
    given = await client.post(f"/koppelingen/{request_id}/les-gegeven", data={"leerlingen": "21"})
    assert given.status_code == 303
    assert (await volunteers.db.assignments.find_one({"_id": request_id}))["students_reached"] == 21
    twice = await client.post(f"/koppelingen/{request_id}/les-gegeven", data={"leerlingen": "22"})
    assert twice.status_code == 409
    assert (await volunteers.db.assignments.find_one({"_id": request_id}))["students_reached"] == 21


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"school": ""}, "school", "Vul de naam van de school in"),
        ({"groep": "0"}, "groep", "Vul de grootte van de groep in: 1 tot en met 60"),
        ({"groep": "61"}, "groep", "Vul de grootte van de groep in: 1 tot en met 60"),
        ({"datum": "morgen"}, "datum", "Vul de datum van de les in."),
        ({"gemeente": "GM9999"}, "gemeente", "Kies de gemeente van de school."),
        ({"niveau": "3"}, "niveau", "Kies MBO-niveau 1 of 2."),
    ],
)
async def test_a_bad_lesson_request_on_the_page_names_the_field(
    volunteers: Volunteers, change: dict[str, str], field_id: str, message: str
) -> None:
    form = {"school": "ROC", "gemeente": "GM0141", "datum": TOMORROW, "groep": "20", "niveau": "2"} | change
    response = await volunteers.client.post("/gastlessen/nieuw", data=form)
    assert response.status_code == 422
    assert field_error(response.text, field_id).startswith(message)
    assert await volunteers.db.assignments.count_documents({}) == 0


async def test_a_lesson_request_outside_the_coordinators_municipalities_is_refused_on_the_page(
    volunteers: Volunteers,
) -> None:
    almelo = staff_headers(volunteers.settings, Role.VOLUNTEER_COORDINATOR, ("GM0141",), username="almelo")
    form = {"school": "ROC", "gemeente": "GM0150", "datum": TOMORROW, "groep": "20", "niveau": "2"}
    response = await volunteers.client.post("/gastlessen/nieuw", data=form, headers=almelo)
    assert response.status_code == 403 and "U werkt niet voor deze gemeente" in field_error(response.text, "gemeente")
    choices = (await volunteers.client.get("/gastlessen/nieuw", headers=almelo)).text
    assert 'value="GM0141"' in choices and 'value="GM0150"' not in choices
    assert await volunteers.db.assignments.count_documents({}) == 0


async def test_a_paused_volunteer_is_not_proposed_and_is_assigned_waiting_work_on_resuming(
    volunteers: Volunteers,
) -> None:
    await volunteers.volunteer("teacher", roles=["guest_teacher"], trained_roles=["guest_teacher"])
    client = volunteers.client
    paused = await client.post("/vrijwilligers/teacher/pauzeren")
    assert paused.headers["location"] == "/vrijwilligers/teacher?gepauzeerd=1"
    teacher = await volunteers.db.volunteers.find_one({"_id": "teacher"})
    assert (teacher["status"], teacher["assignable_roles"]) == ("paused", [])
    waiting = await volunteers.lesson()
    assert waiting["state"] == "waiting"
    again = await client.post("/vrijwilligers/teacher/pauzeren")
    assert again.status_code == 409 and "Alleen een actieve vrijwilliger" in again.text
    resumed = await client.post("/vrijwilligers/teacher/hervatten")
    assert resumed.headers["location"] == "/vrijwilligers/teacher?hervat=1"
    lesson = await volunteers.db.assignments.find_one({"_id": waiting["id"]})
    assert (lesson["state"], lesson["volunteer_id"]) == ("assigned", "teacher")
    changes = volunteers.db.audit.find(
        {"record": "volunteer:teacher", "action": {"$in": ["volunteer.paused", "volunteer.resumed"]}}
    )
    assert sorted([(e["action"], e["result"]) async for e in changes]) == [
        ("volunteer.paused", "ok"),
        ("volunteer.paused", "refused: WrongState"),
        ("volunteer.resumed", "ok"),
    ]
    assert (await client.post("/vrijwilligers/teacher/wegdoen")).status_code == 404
