"""Screening, requests, caseload limits, hours and lessons, on real Kafka and MongoDB."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent, encode
from services.volunteers.app import create_app
from services.volunteers.settings import VolunteersSettings
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import committed_offset, eventually, produce, read_all
from tests.integration.served import Served, served

pytestmark = pytest.mark.integration
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@dataclass
class Volunteers(Served):
    settings: VolunteersSettings

    async def volunteer(self, volunteer_id: str, screened: bool = True, **changes: Any) -> None:
        body: dict[str, Any] = {
            "id": volunteer_id,
            "name": volunteer_id,
            "roles": ["debt_buddy"],
            "municipalities": ["GM0141"],
            "max_households": 1,
        }
        if screened:
            body.update(status="active", certificate_of_conduct_date=YESTERDAY, trained_roles=["debt_buddy"])
        body.update(changes)
        response = await self.client.put(f"/api/v1/volunteers/{volunteer_id}", json=body)
        assert response.status_code in (200, 201), response.text

    async def lesson(self, municipality: str = "GM0141") -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/lesson-requests",
            json={
                "school": "ROC van Twente",
                "municipality": municipality,
                "lesson_date": (date.today() + timedelta(days=7)).isoformat(),
                "group_size": 18,
            },
        )
        assert response.status_code == 201, response.text
        lesson: dict[str, Any] = response.json()
        return lesson


@pytest.fixture
async def volunteers(servers: Servers, namespace: str) -> AsyncIterator[Volunteers]:
    settings = VolunteersSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        outbox_scan_seconds=0.5,
        manual_assignment_municipalities=["GM0150"],
    )
    app = create_app(settings)
    async with served(app, staff_headers(settings, Role.VOLUNTEER_COORDINATOR)) as client:
        yield Volunteers(app, client, settings)


def matched(referral_id: str, role: str | None = "debt_buddy", municipality: str = "GM0141") -> bytes:
    return encode(
        CloudEvent(
            id=str(uuid.uuid4()),
            source="/redzaam/referrals",
            type="nl.redzaam.household.matched",
            subject="hh-0011",
            time=datetime.now(UTC),
            data={
                "referral_id": referral_id,
                "household_ref": f"hh-{referral_id}",
                "municipality": municipality,
                "offer_id": "o",
                "organisation": "org",
                "phase": "early_intervention",
                "volunteer_role": role,
            },
        )
    )


async def test_only_screened_volunteers_are_assigned(volunteers: Volunteers) -> None:
    await volunteers.volunteer(
        "no-vog", status="active", trained_roles=["guest_teacher"], roles=["guest_teacher"], screened=False
    )
    await volunteers.volunteer(
        "untrained", status="active", certificate_of_conduct_date=YESTERDAY, roles=["guest_teacher"], screened=False
    )
    await volunteers.volunteer("applicant", roles=["guest_teacher"], screened=False)
    lesson = await volunteers.lesson()
    assert (lesson["state"], lesson["volunteer_id"]) == ("waiting", None)
    await volunteers.volunteer("teacher", roles=["guest_teacher"], trained_roles=["guest_teacher"])
    assigned = (await volunteers.client.get("/api/v1/assignments", params={"state": "assigned"})).json()["items"]
    assert [(a["id"], a["volunteer_id"]) for a in assigned] == [(lesson["id"], "teacher")]


async def test_request_nobody_can_take_waits_visibly_and_is_assigned_once_someone_is_screened(
    volunteers: Volunteers,
    servers: Servers,
) -> None:
    await volunteers.client.post(
        "/api/v1/sign-ups",
        json={"name": "Nieuw", "email": "nieuw@example.nl", "roles": ["debt_buddy"], "municipalities": ["GM0141"]},
    )
    await produce(servers.kafka_bootstrap, volunteers.settings.topic("referrals.events"), [matched("r1")])

    async def handled() -> bool:  # the request is stored before the consumer tries to assign it: wait for both
        topic = volunteers.settings.topic("referrals.events")
        return await committed_offset(servers.kafka_bootstrap, volunteers.settings.consumer_group, topic) == 1

    await eventually(handled, what="the matched household handled")
    assert await volunteers.db.assignments.count_documents({"state": "waiting"}) == 1
    applicant = await volunteers.db.volunteers.find_one({"name": "Nieuw"})
    screened = await volunteers.client.post(
        f"/api/v1/volunteers/{applicant['_id']}/screening",
        json={"certificate_of_conduct_date": YESTERDAY, "trained_roles": ["debt_buddy"]},
    )
    assert screened.json()["assigned_waiting_requests"] == ["r1"]
    records = await read_all(servers.kafka_bootstrap, volunteers.settings.topic("volunteers.events"), expected=1)
    assert CloudEvent.model_validate_json(records[0].value).data["volunteer_id"] == applicant["_id"]


async def test_caseload_limit_holds_when_two_requests_race_for_the_last_place(
    volunteers: Volunteers, servers: Servers
) -> None:
    await volunteers.volunteer("only-one", municipalities=["GM0150"])  # one household place
    topic = volunteers.settings.topic("referrals.events")
    await produce(servers.kafka_bootstrap, topic, [matched(f"race-{n}", municipality="GM0150") for n in (1, 2)])

    async def both_waiting() -> bool:  # a municipality where the coordinator confirms each assignment
        return await volunteers.db.assignments.count_documents({"state": "waiting"}) == 2

    await eventually(both_waiting, what="two requests waiting for the coordinator")
    results = await asyncio.gather(
        *(
            volunteers.client.post(f"/api/v1/assignments/race-{n}/assign", json={"volunteer_id": "only-one"})
            for n in (1, 2)
        )
    )
    assert sorted(response.status_code for response in results) == [200, 409]
    volunteer = await volunteers.db.volunteers.find_one({"_id": "only-one"})
    assert (volunteer["free_places"], len(volunteer["requests"])) == (0, 1)


async def test_a_guest_lesson_takes_no_household_place(volunteers: Volunteers, servers: Servers) -> None:
    roles = ["debt_buddy", "guest_teacher"]
    await volunteers.volunteer("teacher", roles=roles, trained_roles=roles)  # one household place
    await produce(servers.kafka_bootstrap, volunteers.settings.topic("referrals.events"), [matched("hh-request")])

    async def household_assigned() -> bool:
        return await volunteers.db.assignments.count_documents({"_id": "hh-request", "state": "assigned"}) == 1

    await eventually(household_assigned, what="the household assigned to the teacher")
    lesson = await volunteers.lesson()  # the teacher's one household place is taken: the lesson is assigned anyway
    assert (lesson["state"], lesson["volunteer_id"]) == ("assigned", "teacher")
    teacher = await volunteers.db.volunteers.find_one({"_id": "teacher"})
    assert (teacher["free_places"], teacher["requests"], teacher["lessons"]) == (0, ["hh-request"], [lesson["id"]])
    released = await volunteers.client.post(f"/api/v1/assignments/{lesson['id']}/release")
    assert released.status_code == 200
    teacher = await volunteers.db.volunteers.find_one({"_id": "teacher"})
    assert (teacher["free_places"], teacher["requests"], teacher["lessons"]) == (0, ["hh-request"], [])


async def test_redelivered_request_assigns_once_and_release_frees_the_place(
    volunteers: Volunteers,
    servers: Servers,
) -> None:
    await volunteers.volunteer("anna")
    event = matched("r2")
    await produce(
        servers.kafka_bootstrap, volunteers.settings.topic("referrals.events"), [event, event, matched("r3", role=None)]
    )

    async def assigned() -> bool:
        return await volunteers.db.assignments.count_documents({"state": "assigned"}) == 1

    await eventually(assigned, what="assignment from the matched household")
    await asyncio.sleep(1)
    assert await volunteers.db.assignments.count_documents({}) == 1
    logged = await volunteers.client.post("/api/v1/assignments/r2/hours", json={"on": YESTERDAY, "hours": 2.5})
    released = await volunteers.client.post("/api/v1/assignments/r2/release")
    assert (logged.status_code, released.status_code, released.json()["hours"]) == (204, 200, 2.5)
    assert (await volunteers.db.volunteers.find_one({"_id": "anna"}))["free_places"] == 1
    again = await volunteers.client.post("/api/v1/assignments/r2/release")
    assert again.status_code == 409


async def test_guest_lesson_reports_students_reached_once(volunteers: Volunteers, servers: Servers) -> None:
    await volunteers.volunteer("teacher", roles=["guest_teacher"], trained_roles=["guest_teacher"])
    lesson = await volunteers.lesson()
    given = await volunteers.client.post(
        f"/api/v1/assignments/{lesson['id']}/lesson-given", json={"students_reached": 17}
    )
    twice = await volunteers.client.post(
        f"/api/v1/assignments/{lesson['id']}/lesson-given", json={"students_reached": 17}
    )
    assert (given.status_code, twice.status_code) == (204, 409)
    records = await read_all(servers.kafka_bootstrap, volunteers.settings.topic("volunteers.events"), expected=3)
    types = [CloudEvent.model_validate_json(r.value).type for r in records]
    assert sorted(types) == [
        "nl.redzaam.lesson.given",
        "nl.redzaam.volunteer.assigned",
        "nl.redzaam.volunteer.status_changed",
    ]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/sign-ups",
            {"name": "A", "email": "not-an-email", "roles": ["debt_buddy"], "municipalities": ["GM0141"]},
            "email",
        ),
        (
            "/api/v1/sign-ups",
            {"name": "A", "email": "a@example.nl", "roles": [], "municipalities": ["GM0141"]},
            "roles",
        ),
        (
            "/api/v1/sign-ups",
            {"name": "A", "email": "a@example.nl", "roles": ["juggler"], "municipalities": ["GM0141"]},
            "roles",
        ),
        (
            "/api/v1/lesson-requests",
            {"school": "X", "municipality": "GM0141", "lesson_date": "2027-01-10", "group_size": 0},
            "group_size",
        ),
        (  # the page refused this before; now the API does too
            "/api/v1/volunteers/someone/screening",
            {
                "certificate_of_conduct_date": (date.today() + timedelta(days=1)).isoformat(),
                "trained_roles": ["debt_buddy"],
            },
            "certificate_of_conduct_date",
        ),
        (
            "/api/v1/lesson-requests",
            {"school": "X", "municipality": "GM0141", "lesson_date": "2027-01-10", "group_size": 10, "level": 4},
            "level",
        ),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    volunteers: Volunteers, path: str, body: dict[str, Any], field: str
) -> None:
    response = await volunteers.client.post(path, json=body)
    assert response.status_code == 422
    assert field in str([problem["loc"] for problem in response.json()["detail"]])


async def test_bad_hours_and_unknown_requests_are_refused(volunteers: Volunteers) -> None:
    lesson = await volunteers.lesson()  # nobody to assign: waiting
    future = (date.today() + timedelta(days=2)).isoformat()
    assert (
        await volunteers.client.post(f"/api/v1/assignments/{lesson['id']}/hours", json={"on": future, "hours": 1})
    ).status_code == 422
    assert (
        await volunteers.client.post(f"/api/v1/assignments/{lesson['id']}/hours", json={"on": YESTERDAY, "hours": 30})
    ).status_code == 422
    assert (
        await volunteers.client.post(f"/api/v1/assignments/{lesson['id']}/hours", json={"on": YESTERDAY, "hours": 1})
    ).status_code == 409
    assert (await volunteers.client.post("/api/v1/assignments/nope/release")).status_code == 404
    nobody = await volunteers.client.post(f"/api/v1/assignments/{lesson['id']}/assign", json={})
    assert nobody.status_code == 409 and "keeps waiting" in nobody.json()["detail"]


async def test_a_volunteers_place_in_the_registry_is_announced_when_it_changes(
    volunteers: Volunteers, servers: Servers
) -> None:
    await volunteers.volunteer("nina", screened=False)  # an applicant: nothing to count yet
    screening = {"certificate_of_conduct_date": YESTERDAY, "trained_roles": ["debt_buddy"]}
    assert (await volunteers.client.post("/api/v1/volunteers/nina/screening", json=screening)).status_code == 200
    await volunteers.volunteer("nina", weekly_hours=6)  # more hours: the registry does not change
    await volunteers.volunteer("nina", status="left")
    records = await read_all(servers.kafka_bootstrap, volunteers.settings.topic("volunteers.events"), expected=2)
    changes = [CloudEvent.model_validate_json(record.value).data for record in records]
    assert [(change["status"], change["roles"], change["municipalities"]) for change in changes] == [
        ("active", ["debt_buddy"], ["GM0141"]),
        ("left", [], ["GM0141"]),
    ]
    assert all(
        set(change) == {"volunteer_id", "status", "roles", "municipalities", "recruited_through"} for change in changes
    )
