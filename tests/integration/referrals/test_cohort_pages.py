"""The Doorbraak cohort's pages: enrol a household, tick its plan's steps, let it leave; through the cohort's use
cases, with Dutch messages beside the field at fault."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import read_all
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration
SOON = (date.today() + timedelta(days=30)).isoformat()


def enrolment(household: str, **changes: str) -> dict[str, str]:
    form = {
        "huishouden": household,
        "gemeente": "GM0141",
        "doelen": "Vaste lasten op orde\nGeen nieuwe schulden",
        "stap_0": "Inkomsten en uitgaven op een rij",
        "stap_datum_0": SOON,
        "stap_2": "Afspraak met de woningcorporatie",
        "stap_datum_2": SOON,
        "evaluatie_0": SOON,
    }
    return {**form, **changes}


def household() -> str:
    return f"hh-{uuid.uuid4().hex[:16]}"


async def test_a_caseworker_enrols_ticks_steps_and_exits_a_household_from_the_pages(
    referrals: Referrals, servers: Servers
) -> None:
    member = household()
    enrolled = await referrals.client.post("/doorbraak/inschrijven", data=enrolment(member))
    assert (enrolled.status_code, enrolled.headers["location"]) == (303, f"/doorbraak/{member}?ingeschreven=1")
    plan = await referrals.client.get(f"/doorbraak/{member}")
    assert "Inkomsten en uitgaven op een rij" in plan.text and "Afspraak met de woningcorporatie" in plan.text
    ticked = await referrals.client.post(f"/doorbraak/{member}/stappen", data={"stap": ["1"]})
    assert ticked.status_code == 303
    again = await referrals.client.post(f"/doorbraak/{member}/stappen", data={"stap": ["1", "0"]})
    assert again.status_code == 303
    cohort = (await referrals.client.get("/api/v1/cohorts/doorbraak")).json()
    (listed,) = cohort["members"]
    assert (cohort["enrolled"], listed["steps_done"], listed["steps"]) == (1, 2, 2)
    left = await referrals.client.post(f"/doorbraak/{member}/uitschrijven", data={"reden": "moved"})
    assert left.status_code == 303
    twice = await referrals.client.post(f"/doorbraak/{member}/uitschrijven", data={"reden": "moved"})
    assert twice.status_code == 409 and "heeft de cohort al verlaten" in twice.text
    records = await read_all(servers.kafka_bootstrap, referrals.settings.topic("referrals.events"), expected=4)
    events = [CloudEvent.model_validate_json(record.value) for record in records]
    assert [(event.type.removeprefix("nl.redzaam."), event.data.get("steps_done")) for event in events] == [
        ("cohort.enrolled", None),
        ("cohort.step_completed", 1),
        ("cohort.step_completed", 2),  # step 1 ticked twice announced once
        ("cohort.exited", None),
    ]
    overview = await referrals.client.get("/doorbraak")
    assert "Uitgeschreven: Verhuisd" in overview.text and "2 van 2" in overview.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"doelen": ""}, "doelen", "Schrijf minstens één doel op"),
        ({"huishouden": "Piet Pietersen"}, "huishouden", "Vul de huishoudreferentie in"),
        ({"stap_datum_2": ""}, "stap_datum_2", "Vul een datum in voor deze stap."),
        ({"stap_0": "", "stap_datum_0": "", "stap_2": "", "stap_datum_2": ""}, "stap_0", "Zet minstens één stap"),
        ({"evaluatie_0": ""}, "evaluatie_0", "Vul minstens één geldige evaluatiedatum in."),
        ({"gemeente": "GM0363"}, "gemeente", "Kies een gemeente"),
    ],
)
async def test_a_bad_enrolment_is_answered_in_dutch_beside_the_field_and_takes_no_place(
    referrals: Referrals, changes: dict[str, Any], field: str, message: str
) -> None:
    page = await referrals.client.post("/doorbraak/inschrijven", data=enrolment(household(), **changes))
    assert page.status_code == 422 and f'<p id="{field}-fout" class="error">{message}' in page.text
    assert (await referrals.client.get("/api/v1/cohorts/doorbraak")).json()["enrolled"] == 0


async def test_a_full_cohort_and_a_second_enrolment_are_refused_in_dutch(referrals: Referrals) -> None:
    first = household()
    assert (await referrals.client.post("/doorbraak/inschrijven", data=enrolment(first))).status_code == 303
    twice = await referrals.client.post("/doorbraak/inschrijven", data=enrolment(first))
    assert twice.status_code == 409 and "Dit huishouden is al ingeschreven." in twice.text
    assert (await referrals.client.post("/doorbraak/inschrijven", data=enrolment(household()))).status_code == 303
    full = await referrals.client.post("/doorbraak/inschrijven", data=enrolment(household()))
    assert full.status_code == 409 and "De cohort is vol" in full.text  # the cap of this test's cohort is 2
    assert (await referrals.client.get("/api/v1/cohorts/doorbraak")).json()["enrolled"] == 2


async def test_ticking_nothing_or_a_step_that_does_not_exist_is_refused(referrals: Referrals) -> None:
    member = household()
    await referrals.client.post("/doorbraak/inschrijven", data=enrolment(member))
    for data in ({}, {"stap": ["7"]}):
        page = await referrals.client.post(f"/doorbraak/{member}/stappen", data=data)
        assert (
            page.status_code == 422 and '<p id="stap-fout" class="error">Vink minstens één stap aan.</p>' in page.text
        )
    exit_page = await referrals.client.post(f"/doorbraak/{member}/uitschrijven", data={})
    assert exit_page.status_code == 422 and '<p id="reden-fout" class="error">Kies een reden.</p>' in exit_page.text


async def test_a_caseworker_of_another_municipality_and_a_partner_employee_may_not_see_a_plan(
    referrals: Referrals,
) -> None:
    member = household()
    await referrals.client.post("/doorbraak/inschrijven", data=enrolment(member))
    deventer = staff_headers(referrals.settings, Role.OUTREACH_WORKER, municipalities=("GM0150",))
    page = await referrals.client.get(f"/doorbraak/{member}", headers=deventer)
    assert page.status_code == 403 and "Geen toegang" in page.text
    employee = staff_headers(referrals.settings, Role.PARTNER_EMPLOYEE, organisation="humanitas")
    assert (await referrals.client.get("/doorbraak", headers=employee)).status_code == 403
    missing = await referrals.client.get(f"/doorbraak/{household()}")
    assert missing.status_code == 404 and "Niet gevonden" in missing.text
