"""Assigning cases to workers of their team, and the queue a worker narrows: team, assignee, search, sort, bulk
assignment, the order weights per municipality and the CSV download of the list as shown."""

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.unit_of_work import UnitOfWork
from services.signals.access.accounts import AccountCreate, create_account
from services.signals.teams import TeamCreate, create_team
from tests.access import staff_headers
from tests.factories import signal_body
from tests.integration.signals.conftest import Signals

pytestmark = pytest.mark.integration
ALMELO = "GM0141"


async def worker(signals: Signals, username: str, role: Role = Role.OUTREACH_WORKER) -> dict[str, str]:
    await create_account(
        signals.db,
        AccountCreate(username=username, name=username.title(), role=role, municipalities=[ALMELO],
                      password="een lang wachtwoord 123"),
    )  # fmt: skip
    return staff_headers(signals.settings, role, (ALMELO,), username=username)


async def submit(signals: Signals, house: int, postcode: str, partner: str = "woonstad-almelo", **changes: Any) -> str:
    body = signal_body(address={"postcode": postcode, "house_number": house}, **changes)
    response = await signals.client.post("/api/v1/signals", json=body, headers=signals.as_partner(partner))
    assert response.status_code == 202, response.text
    return str(response.json()["case_id"])


@pytest.fixture
async def teams(signals: Signals) -> dict[str, Any]:
    """Two teams of Almelo: noord (7601: anna, cees) and zuid (7607: bert); 7604 has no team."""
    anna, bert, cees = [await worker(signals, name) for name in ("anna", "bert", "cees")]
    work = UnitOfWork(signals.db, None)
    north = await create_team(
        work, TeamCreate(municipality=ALMELO, name="Noord", postcode_areas=["7601"], members=["anna", "cees"])
    )
    south = await create_team(
        work, TeamCreate(municipality=ALMELO, name="Zuid", postcode_areas=["7607"], members=["bert"])
    )
    return {"anna": anna, "bert": bert, "cees": cees, "north": north, "south": south}


async def case_of(signals: Signals, case_id: str) -> dict[str, Any]:
    response = await signals.client.get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_worker_takes_a_case_of_their_team_on_and_assigns_it_to_a_colleague(
    signals: Signals, teams: dict[str, Any]
) -> None:
    case_id = await submit(signals, 1, "7601 AB")
    seen = await case_of(signals, case_id)
    assert (seen["team"], seen["assignee"]) == (teams["north"], None)
    taken = await signals.client.put(
        f"/api/v1/cases/{case_id}/assignment",
        json={"assignee": "anna", "version": seen["version"]},
        headers=teams["anna"],
    )
    assert taken.status_code == 200, taken.text
    assert taken.json() == {"assignee": "anna", "version": seen["version"] + 1}
    handed = await signals.client.put(
        f"/api/v1/cases/{case_id}/assignment", json={"assignee": "cees", "version": seen["version"] + 1},
        headers=teams["anna"],
    )  # fmt: skip
    assert handed.status_code == 200
    outsider = await signals.client.put(
        f"/api/v1/cases/{case_id}/assignment", json={"assignee": "bert", "version": seen["version"] + 2},
        headers=teams["anna"],
    )  # fmt: skip
    assert outsider.status_code == 422 and "assignee" in outsider.text
    back = await signals.client.put(
        f"/api/v1/cases/{case_id}/assignment", json={"assignee": None, "version": seen["version"] + 2},
        headers=teams["cees"],
    )  # fmt: skip
    assert back.status_code == 200 and back.json()["assignee"] is None
    entries = await signals.db.audit.find(
        {"record": f"case:{case_id}", "action": {"$regex": "^case\\.(un)?assigned"}}
    ).to_list()
    assert sorted((entry["who"], entry["action"], entry["reason"], entry["result"]) for entry in entries) == sorted(
        [
            ("anna", "case.assigned", "anna", "ok"),
            ("anna", "case.assigned", "cees", "ok"),
            ("anna", "case.assigned", "bert", "refused: AssigneeUnfit"),
            ("cees", "case.unassigned", "", "ok"),
        ]
    )


async def test_a_worker_of_another_team_is_refused_and_a_stale_version_conflicts(
    signals: Signals, teams: dict[str, Any]
) -> None:
    case_id = await submit(signals, 1, "7601 AB")
    version = (await case_of(signals, case_id))["version"]
    other_team = await signals.client.put(
        f"/api/v1/cases/{case_id}/assignment", json={"assignee": "bert", "version": version}, headers=teams["bert"]
    )
    assert other_team.status_code == 403
    page = await signals.client.post(
        f"/casussen/{case_id}/toewijzen", data={"actie": "zelf", "versie": str(version)}, headers=teams["bert"]
    )
    assert page.status_code == 403 and "ander wijkteam" in page.text and "<html" in page.text
    await signals.client.put(
        f"/api/v1/cases/{case_id}/assignment", json={"assignee": "anna", "version": version}, headers=teams["anna"]
    )
    stale = await signals.client.put(
        f"/api/v1/cases/{case_id}/assignment", json={"assignee": "cees", "version": version}, headers=teams["cees"]
    )
    assert stale.status_code == 409
    stale_page = await signals.client.post(
        f"/casussen/{case_id}/toewijzen", data={"actie": "zelf", "versie": str(version)}, headers=teams["cees"]
    )
    assert stale_page.status_code == 409 and "intussen gewijzigd" in stale_page.text
    assert (await case_of(signals, case_id))["assignee"] == "anna"
    no_team = await submit(signals, 2, "7604 GH")  # no team covers it: any worker of the municipality may take it
    form = {"actie": "zelf", "versie": str((await case_of(signals, no_team))["version"])}
    taken = await signals.client.post(f"/casussen/{no_team}/toewijzen", data=form, headers=teams["bert"])
    assert taken.status_code == 303 and (await case_of(signals, no_team))["assignee"] == "bert"


async def test_the_queue_filters_by_team_and_assignee_and_a_team_worker_sees_their_team_first(
    signals: Signals, teams: dict[str, Any]
) -> None:
    north = await submit(signals, 1, "7601 AB")
    south = await submit(signals, 2, "7607 AB")
    nobody = await submit(signals, 3, "7604 GH")
    version = (await case_of(signals, north))["version"]
    await signals.client.put(
        f"/api/v1/cases/{north}/assignment", json={"assignee": "anna", "version": version}, headers=teams["anna"]
    )

    async def ids(**params: str) -> list[str]:
        response = await signals.client.get("/api/v1/cases", params={"municipality": ALMELO, **params})
        return sorted(case["id"] for case in response.json()["items"])

    assert await ids(team=teams["north"]) == [north]
    assert await ids(team="geen") == [nobody]
    assert await ids(assignee="anna") == [north]
    assert await ids(assignee="niemand") == sorted([south, nobody])
    page = await signals.client.get("/", headers=teams["bert"])  # bert is in Zuid: his team's cases by default
    assert f"/casussen/{south}" in page.text and f"/casussen/{north}" not in page.text
    wide = await signals.client.get("/", params={"team": "alle"}, headers=teams["bert"])
    assert all(f"/casussen/{case_id}" in wide.text for case_id in (north, south, nobody))
    mine = await signals.client.get("/mijn-casussen", headers=teams["anna"])
    assert f"/casussen/{north}" in mine.text and f"/casussen/{south}" not in mine.text
    assert "Geen team" in wide.text


async def test_search_finds_a_postcode_area_or_a_reference(signals: Signals, teams: dict[str, Any]) -> None:
    first = await submit(signals, 1, "7601 AB")
    second = await submit(signals, 2, "7607 AB")
    household = (await case_of(signals, second))["household_ref"]

    async def found(q: str) -> list[str]:
        response = await signals.client.get("/api/v1/cases", params={"municipality": ALMELO, "q": q})
        return [case["id"] for case in response.json()["items"]]

    assert await found("7601 ZZ") == [first]
    assert await found("7607") == [second]
    assert await found(second[:12]) == [second]
    assert await found(household[:10]) == [second]
    assert await found("ab") == []  # too short to be a reference
    page = await signals.client.get("/", params={"zoek": "7601", "team": "alle"})
    assert f"/casussen/{first}" in page.text and f"/casussen/{second}" not in page.text


async def test_sorting_by_a_column_is_stable_and_the_default_order_stays(
    signals: Signals, teams: dict[str, Any]
) -> None:
    amounts = [30_000, 90_000, 30_000, 60_000]
    ids = [await submit(signals, house, "7604 GH", arrears_cents=amount) for house, amount in enumerate(amounts, 1)]
    cases = {case_id: await case_of(signals, case_id) for case_id in ids}

    async def order(**params: str) -> list[str]:
        response = await signals.client.get("/api/v1/cases", params={"municipality": ALMELO, **params})
        return [case["id"] for case in response.json()["items"]]

    def standard(case_id: str) -> tuple[Any, ...]:
        case = cases[case_id]
        return (case["deadline"], -case["crisis"], -case["creditor_count"], -case["total_arrears_cents"])

    by_amount = sorted(ids, key=lambda case_id: (-cases[case_id]["total_arrears_cents"], *standard(case_id)[:3]))
    assert (await order(sort="amount"))[:2] == by_amount[:2]
    assert await order(sort="amount") == await order(sort="amount")  # the same every time
    assert (await order(sort="amount", reverse="true"))[-2:] == by_amount[:2][::-1]
    assert [cases[case_id]["total_arrears_cents"] for case_id in await order(sort="amount")] == sorted(
        amounts, reverse=True
    )
    assert [cases[case_id]["total_arrears_cents"] for case_id in await order()] == sorted(amounts, reverse=True)
    page = await signals.client.get("/", params={"team": "alle", "sorteer": "bedrag", "richting": "omgekeerd"})
    assert page.text.index(f"/casussen/{by_amount[-1]}") < page.text.index(f"/casussen/{by_amount[0]}")


async def test_order_weights_of_a_municipality_apply_at_once_and_say_why(
    signals: Signals, teams: dict[str, Any]
) -> None:
    old_small = await submit(signals, 1, "7604 GH", arrears_cents=10_000)
    large = await submit(signals, 2, "7604 GH", arrears_cents=80_000)
    two_creditors = await submit(signals, 3, "7604 GH", arrears_cents=10_000)
    await submit(signals, 3, "7604 GH", partner="vitens", creditor_type="water", arrears_cents=5_000)
    twelve_days = datetime.now(UTC) - timedelta(days=12, hours=1)
    await signals.db.cases.update_many(
        {"_id": {"$in": [old_small, large, two_creditors]}}, {"$set": {"deadline": "2026-12-31"}}
    )
    await signals.db.cases.update_one({"_id": old_small}, {"$set": {"first_signal_at": twelve_days}})

    async def order() -> list[str]:
        response = await signals.client.get("/api/v1/cases", params={"municipality": ALMELO})
        return [case["id"] for case in response.json()["items"]]

    assert await order() == [two_creditors, large, old_small]  # standard: creditors, then amount
    admin = signals.as_staff(Role.ADMINISTRATOR)
    weights = {"crisis": 0, "creditors": 0, "amount": 1, "age": 10}
    changed = await signals.client.put(
        f"/api/v1/municipalities/{ALMELO}/settings", json={"queue_weights": weights}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    # priorities: old_small 1*1 + 12*10 = 121; large 8*1 = 8; two_creditors 1.5*1 = 1.5
    assert await order() == [old_small, large, two_creditors]
    case = await case_of(signals, old_small)
    assert case["why"] == "1 schuldeiser · EUR 100 · 12 dagen oud"
    page = await signals.client.get("/", params={"team": "alle"})
    assert "1 schuldeiser · EUR 100 · 12 dagen oud · prioriteit 121" in page.text
    assert "2 schuldeisers · EUR 150 · 0 dagen oud · prioriteit 2" in page.text


async def test_bulk_assignment_writes_once_and_audits_each_case(signals: Signals, teams: dict[str, Any]) -> None:
    ids = [await submit(signals, house, "7601 AB") for house in (1, 2, 3)]
    south = await submit(signals, 4, "7607 AB")
    refused = await signals.client.post(
        "/api/v1/cases/assignments", json={"case_ids": [*ids, south], "assignee": "cees"}, headers=teams["anna"]
    )
    assert refused.status_code == 403  # the Zuid case is not anna's team's: nothing is assigned
    assert [(await case_of(signals, case_id))["assignee"] for case_id in ids] == [None] * 3
    done = await signals.client.post(
        "/werkvoorraad/toewijzen", data={"casussen": ids, "behandelaar": "cees", "terug": "/?team=alle"},
        headers=teams["anna"],
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/?team=alle&toegewezen=1"
    assert [(await case_of(signals, case_id))["assignee"] for case_id in ids] == ["cees"] * 3
    entries = await signals.db.audit.find({"action": "case.assigned", "who": "anna", "result": "ok"}).to_list()
    assert sorted(entry["record"] for entry in entries) == sorted(f"case:{case_id}" for case_id in ids)


async def test_the_csv_download_is_the_list_as_shown_with_dutch_headers_and_audited(
    signals: Signals, teams: dict[str, Any]
) -> None:
    made = [
        (await submit(signals, 1, "7601 AB", arrears_cents=12_345), "Noord", "7601", 12_345),
        (await submit(signals, 2, "7604 GH", arrears_cents=67_800), "Geen team", "7604", 67_800),
        (await submit(signals, 3, "7607 AB", arrears_cents=5_000, eviction_planned=True), "Zuid", "7607", 5_000),
    ]
    response = await signals.client.get("/werkvoorraad.csv", params={"team": "alle", "sorteer": "bedrag"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:6] == ["Casus", "Gemeente", "Wijk (postcodegebied)", "Team", "Behandelaar", "Status"]
    expected = sorted(made, key=lambda made_case: -made_case[3])
    assert [(row[0], row[1], row[2], row[3], row[10]) for row in rows[1:]] == [
        (case_id, "Almelo", area, team, f"{cents // 100},{cents % 100:02d}") for case_id, team, area, cents in expected
    ]
    crisis_row = next(row for row in rows[1:] if row[0] == made[2][0])
    assert crisis_row[8] == "ja"
    assert "Jansen" not in response.text and "0612345678" not in response.text  # no personal data, as in the queue
    entry = await signals.db.audit.find_one({"action": "cases.exported"})
    assert entry is not None and entry["record"] == f"cases:{ALMELO}" and entry["reason"].startswith("3 casussen")
    narrowed = await signals.client.get("/werkvoorraad.csv", params={"team": teams["south"]})
    assert [row.split(";")[0] for row in narrowed.text.lstrip("\ufeff").splitlines()[1:]] == [made[2][0]]
