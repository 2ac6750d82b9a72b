"""Neighbourhood teams: a new case goes to the team of its postcode area (a batch with one read of the teams), a
case no team covers has none, and when a team's areas change its active cases follow in one bulk write."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from plumbing.access import Role
from plumbing.unit_of_work import UnitOfWork
from services.signals.access.accounts import AccountCreate, create_account
from services.signals.intake import accept_signals, ensure_indexes
from services.signals.settings import SignalsSettings
from services.signals.teams import TeamChange, TeamCreate, change_team, create_team, team_for
from tests.conftest import Servers
from tests.factories import signal_body
from tests.integration.commands import CommandCounter
from tests.integration.signals.conftest import Signals, signals_settings
from tests.integration.signals.test_batch_intake import item

pytestmark = pytest.mark.integration


@pytest.fixture
async def counted(servers: Servers, namespace: str) -> AsyncIterator[tuple[Any, CommandCounter, SignalsSettings]]:
    counter = CommandCounter()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri, tz_aware=True, event_listeners=[counter])
    settings = signals_settings(servers, namespace)
    await ensure_indexes(client[namespace])
    yield client[namespace], counter, settings
    await client.drop_database(namespace)
    await client.close()


def test_team_for_finds_the_team_of_the_postcode_area() -> None:
    teams = [{"_id": "noord", "postcode_areas": ["7601", "7602"]}, {"_id": "zuid", "postcode_areas": ["7607"]}]
    assert team_for("7607 AB", teams) == "zuid"
    assert team_for("7602AB", teams) == "noord"
    assert team_for("7603", teams) is None


async def test_a_batch_is_routed_with_one_read_of_the_teams(counted: Any) -> None:
    db, counter, settings = counted
    work = UnitOfWork(db, None)
    north = await create_team(work, TeamCreate(municipality="GM0141", name="Noord", postcode_areas=["7600", "7601"]))
    south = await create_team(work, TeamCreate(municipality="GM0141", name="Zuid", postcode_areas=["7602"]))
    expected_team = {"7600": north, "7601": north, "7602": south}
    counter.commands.clear()
    items = [item(n) for n in range(300)]  # postcodes 7600..7689
    accepted = await accept_signals(work, settings, "woonstad", items)
    assert counter.commands["find"] <= 4, counter.commands  # signals, households, cases, teams
    cases = {case["_id"]: case async for case in db.cases.find({}, {"team": 1, "postcode_area": 1})}
    for submitted, outcome in zip(items, accepted, strict=True):
        area = submitted.submission.address.postcode[:4]
        assert cases[outcome.case_id]["team"] == expected_team.get(area), area
    assert sum(case["team"] is None for case in cases.values()) == 300 - sum(
        1 for submitted in items if submitted.submission.address.postcode[:4] in expected_team
    )


async def test_when_a_team_changes_its_areas_its_active_cases_follow_and_lose_their_assignee(signals: Signals) -> None:
    db = signals.db
    await create_account(
        db,
        AccountCreate(
            username="piet",
            name="Piet",
            role=Role.OUTREACH_WORKER,
            municipalities=["GM0141"],
            password="een lang wachtwoord 123",
        ),
    )
    work = UnitOfWork(db, None)
    team = await create_team(work, TeamCreate(municipality="GM0141", name="Centrum", postcode_areas=["7607"]))
    headers = signals.as_partner("woonstad-almelo")
    ids = []
    for house, postcode in ((1, "7607 AB"), (2, "7604 GH"), (3, "7607 CD")):
        body = {"address": {"postcode": postcode, "house_number": house}}
        response = await signals.client.post("/api/v1/signals", json=signal_body(**body), headers=headers)
        ids.append(response.json()["case_id"])
    assert [(await db.cases.find_one({"_id": case_id}))["team"] for case_id in ids] == [team, None, team]
    await db.cases.update_one({"_id": ids[0]}, {"$set": {"assignee": "piet"}})
    await change_team(work, team, TeamChange(name="Centrum", postcode_areas=["7604"]), version=1)
    moved = {case["_id"]: case async for case in db.cases.find({"_id": {"$in": ids}})}
    assert [moved[case_id]["team"] for case_id in ids] == [None, team, None]
    assert moved[ids[0]]["assignee"] is None
    no_team = await signals.client.get("/api/v1/cases", params={"municipality": "GM0141", "team": "geen"})
    assert sorted(case["id"] for case in no_team.json()["items"]) == sorted([ids[0], ids[2]])


async def test_the_administrator_manages_teams_by_api_audited_and_areas_belong_to_one_team(signals: Signals) -> None:
    admin = signals.as_staff(Role.ADMINISTRATOR)
    created = await signals.client.post(
        "/api/v1/teams", json={"municipality": "GM0141", "name": "Noord", "postcode_areas": ["7601"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    clash = await signals.client.post(
        "/api/v1/teams", json={"municipality": "GM0141", "name": "Ook noord", "postcode_areas": ["7601"]}, headers=admin
    )
    assert clash.status_code == 422 and "postcode_areas" in clash.text
    team_id = created.json()["id"]
    stale = await signals.client.put(
        f"/api/v1/teams/{team_id}", json={"name": "Noord", "postcode_areas": ["7601"], "version": 7}, headers=admin
    )
    assert stale.status_code == 409
    unknown_member = await signals.client.put(
        f"/api/v1/teams/{team_id}", json={"name": "Noord", "members": ["niemand"], "version": 1}, headers=admin
    )
    assert unknown_member.status_code == 422 and "members" in unknown_member.text
    listed = await signals.client.get("/api/v1/teams", params={"municipality": "GM0141"}, headers=admin)
    assert [team["name"] for team in listed.json()] == ["Noord"]
    entries = await signals.db.audit.find({"record": f"team:{team_id}"}).to_list()
    assert sorted(entry["action"] for entry in entries) == ["team.changed", "team.changed", "team.created"]
    refused = await signals.client.get("/api/v1/teams", params={"municipality": "GM0141"})  # an outreach worker
    assert refused.status_code == 403


async def test_bulk_assignment_costs_three_reads_one_bulk_write_and_one_audit_insert(counted: Any) -> None:
    from plumbing.access import Principal
    from services.signals.assignment import assign_cases

    db, counter, settings = counted
    work = UnitOfWork(db, None)
    for username in ("anna", "cees"):
        await create_account(
            db,
            AccountCreate(username=username, name=username, role=Role.OUTREACH_WORKER, municipalities=["GM0141"],
                          password="een lang wachtwoord 123"),
        )  # fmt: skip
    await create_team(
        work, TeamCreate(municipality="GM0141", name="Noord", postcode_areas=["7600"], members=["anna", "cees"])
    )
    accepted = await accept_signals(work, settings, "woonstad", [item(90 * n) for n in range(40)])  # all in 7600
    anna = Principal(kind="staff", subject="anna", role=Role.OUTREACH_WORKER, municipalities=("GM0141",))
    counter.commands.clear()
    async with UnitOfWork(db, None) as bulk:
        done = await assign_cases(bulk, anna, [outcome.case_id for outcome in accepted], "cees")
    assert len(done.assigned) == 40 and not done.changed
    assert counter.commands["update"] == 1, counter.commands  # one bulk write for the 40 cases
    assert counter.commands["insert"] == 1  # the 40 audit entries together
    assert counter.commands["find"] <= 5  # the cases, the worker's teams, the assignee, the cases' teams, read back
    assert await db.audit.count_documents({"action": "case.assigned", "result": "ok"}) == 40
    assert await db.cases.count_documents({"assignee": "cees"}) == 40
