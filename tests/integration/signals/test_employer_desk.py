"""The employer debt-help desk: desk codes, HR contacts asking help for an employee who consents (the resident's
help request, with the employer attached), and the anonymous figures an employer sees of its own desk only."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent
from services.signals import employer_desk
from services.signals.desk_figures import MONTH_NAMES, desk_figures
from services.signals.employer_desk import DeskCodeRefused, employer_of_code
from services.signals.help_requests import request_help
from services.signals.self_test import HelpRequestCreate
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import read_all
from tests.integration.signals.conftest import Signals

pytestmark = pytest.mark.integration


async def employer(signals: Signals, partner_id: str) -> str:
    """Registers an employer member as the administrator does; returns its desk code as shown."""
    member = {"id": partner_id, "name": partner_id.title(), "type": "employer", "municipalities": ["GM0141"]}
    admin = signals.as_staff(Role.ADMINISTRATOR)
    response = await signals.client.post("/api/v1/partners", json=member, headers=admin)
    assert response.status_code == 201, response.text
    desk = await signals.client.get(f"/api/v1/employer-desk/{partner_id}", headers=admin)
    assert desk.status_code == 200, desk.text
    return str(desk.json()["desk_code"])


def hr_contact(signals: Signals, partner_id: str) -> dict[str, str]:
    return staff_headers(signals.settings, Role.EMPLOYER_HR, (), organisation=partner_id, username=f"hr-{partner_id}")


def desk_form(house_number: int = 12, **changes: str) -> dict[str, Any]:
    return {
        "naam": "Sanne de Vries",
        "contact": "phone",
        "telefoon": "06 98765432",
        "postcode": "7607 AB",
        "huisnummer": str(house_number),
        "gemeente": "GM0141",
        "inkomen": "short",
        "achterstanden": ["rent", "energy"],
        "toestemming": "ja",
        **changes,
    }


def resident_request(house_number: int, employer_code: str | None = None) -> HelpRequestCreate:
    return HelpRequestCreate.model_validate(
        {
            "test": {"income": "tight", "arrears": ["energy"], "municipality": "GM0141"},
            "consent": True,
            "name": "Piet Jansen",
            "contact_by": "phone",
            "phone": "06 11112222",
            "postcode": "7604 GH",
            "house_number": house_number,
            "employer_code": employer_code,
        }
    )


async def ask(signals: Signals, request: HelpRequestCreate) -> str:
    async with signals.app.state.runtime.unit_of_work() as work:
        return (await request_help(work, signals.settings, request)).case_id


async def test_an_employer_member_gets_a_desk_code_and_a_new_one_retires_the_old(signals: Signals) -> None:
    first = await employer(signals, "ten-cate")
    assert len(first) == 9 and first[4] == "-"
    assert await employer_of_code(signals.db, first) == "ten-cate"
    assert await employer_of_code(signals.db, first.lower().replace("-", " ")) == "ten-cate", "typed loosely"
    renewed = await signals.client.post("/api/v1/employer-desk/ten-cate/code", headers=hr_contact(signals, "ten-cate"))
    second = renewed.json()["desk_code"]
    assert renewed.status_code == 200 and second != first
    assert await employer_of_code(signals.db, second) == "ten-cate"
    with pytest.raises(DeskCodeRefused) as refused:
        await employer_of_code(signals.db, first)
    assert refused.value.field == "employer_code" and "kennen we niet" in refused.value.dutch
    audit = await signals.db.audit.find({"action": "employer_desk.code_issued"}).sort("at", 1).to_list()
    assert [(entry["who"], entry["record"]) for entry in audit] == [
        ("administrator", "partner:ten-cate"),
        ("hr-ten-cate", "partner:ten-cate"),
    ]


async def test_an_hr_account_belongs_to_an_employer_member(signals: Signals) -> None:
    await employer(signals, "bolk")
    housing = {"id": "woonstad-x", "name": "Woonstad X", "type": "housing", "municipalities": ["GM0141"]}
    admin = signals.as_staff(Role.ADMINISTRATOR)
    assert (await signals.client.post("/api/v1/partners", json=housing, headers=admin)).status_code == 201
    account = {"username": "hr-bolk", "name": "Hanna HR", "role": "employer_hr", "password": "een-lang-wachtwoord"}
    for organisation in ("", "woonstad-x", "nobody"):
        refused = await signals.client.post(
            "/api/v1/accounts", json={**account, "organisation": organisation}, headers=admin
        )
        assert refused.status_code == 422 and "organisation" in refused.text, refused.text
    created = await signals.client.post("/api/v1/accounts", json={**account, "organisation": "bolk"}, headers=admin)
    assert created.status_code == 201, created.text


async def test_an_hr_contact_asks_help_for_an_employee_who_consents(signals: Signals, servers: Servers) -> None:
    await employer(signals, "ten-cate")
    asked = await signals.client.post(
        "/werkgeversloket/hulpvraag", data=desk_form(), headers=hr_contact(signals, "ten-cate")
    )
    assert asked.status_code == 303 and asked.headers["location"] == "/werkgeversloket?gevraagd=1"
    case = await signals.db.cases.find_one({})
    assert (case["origin"], case["status"], case["municipality"]) == ("self_reported", "open", "GM0141")
    assert case["help_requests"][0]["employer_id"] == "ten-cate"
    assert "Sanne" not in str(case), "the employee's personal data is sealed"
    records = await read_all(servers.kafka_bootstrap, signals.settings.topic("signals.events"), expected=2)
    events = [CloudEvent.model_validate_json(record.value) for record in records]
    assert [item.type for item in events] == ["nl.redzaam.partner.joined", "nl.redzaam.help.requested"]
    assert events[1].data["employer_id"] == "ten-cate"
    assert "Sanne" not in records[1].value.decode() and "98765432" not in records[1].value.decode()
    audit = await signals.db.audit.find({"action": "employer_desk.help_requested"}).to_list()
    assert [(entry["who"], entry["record"], entry["result"]) for entry in audit] == [
        ("hr-ten-cate", f"case:{case['_id']}", "ok")
    ]
    assert "Sanne" not in str(audit)


async def test_without_the_employees_consent_nothing_is_stored(signals: Signals) -> None:
    await employer(signals, "ten-cate")
    form = desk_form()
    del form["toestemming"]
    refused = await signals.client.post(
        "/werkgeversloket/hulpvraag", data=form, headers=hr_contact(signals, "ten-cate")
    )
    assert refused.status_code == 422
    assert 'id="toestemming-fout"' in refused.text and "Zonder uitdrukkelijke toestemming" in refused.text
    assert 'value="Sanne de Vries"' in refused.text, "what was typed stays in the form"
    assert await signals.db.cases.count_documents({}) == 0


async def test_a_wrong_field_gets_a_dutch_message_beside_it(signals: Signals) -> None:
    await employer(signals, "ten-cate")
    form = desk_form(postcode="76O7 AB", gemeente="")
    refused = await signals.client.post(
        "/werkgeversloket/hulpvraag", data=form, headers=hr_contact(signals, "ten-cate")
    )
    assert refused.status_code == 422
    assert 'id="postcode-fout"' in refused.text and "Vul een postcode in zoals 7607 AB." in refused.text
    assert 'id="gemeente-fout"' in refused.text
    assert await signals.db.cases.count_documents({}) == 0


async def test_an_unknown_or_malformed_desk_code_is_refused_naming_the_field(signals: Signals) -> None:
    code = await employer(signals, "ten-cate")
    unknown = "ABCD-2345" if code != "ABCD-2345" else "WXYZ-6789"
    for wrong, message in ((unknown, "kennen we niet"), ("ABCD-12", "8 tekens")):
        with pytest.raises(DeskCodeRefused) as refused:
            await ask(signals, resident_request(5, wrong))
        assert refused.value.field == "employer_code" and message in refused.value.dutch
    assert await signals.db.cases.count_documents({}) == 0
    case_id = await ask(signals, resident_request(5, code))
    case = await signals.db.cases.find_one({"_id": case_id})
    assert case["help_requests"][0]["employer_id"] == "ten-cate"


async def test_an_hr_contact_sees_only_its_own_employers_figures_and_never_a_case(signals: Signals) -> None:
    await employer(signals, "ten-cate")
    await employer(signals, "bolk")
    case_id = await ask(signals, resident_request(7))
    hr = hr_contact(signals, "ten-cate")
    other = await signals.client.get("/api/v1/employer-desk/bolk", headers=hr)
    assert other.status_code == 403 and "partner_id" in other.json()["detail"]
    assert (await signals.client.post("/api/v1/employer-desk/bolk/code", headers=hr)).status_code == 403
    for page in ("/", f"/casussen/{case_id}", "/beheer"):
        refused = await signals.client.get(page, headers=hr)
        assert refused.status_code == 403 and "Geen toegang" in refused.text and "Jansen" not in refused.text
    assert (await signals.client.get(f"/api/v1/cases/{case_id}", headers=hr)).status_code == 403
    own = await signals.client.get("/werkgeversloket", headers=hr)
    assert own.status_code == 200 and "Ten-Cate" in own.text and "Bolk" not in own.text


async def test_the_desk_figures_count_the_employers_requests_per_month_with_small_counts_hidden(
    signals: Signals,
) -> None:
    ten_cate = await employer(signals, "ten-cate")
    await employer(signals, "bolk")
    hr = hr_contact(signals, "ten-cate")
    outcomes = ["follow_up_financial", "quick_fix", "follow_up_non_financial", "already_in_debt_help",
                "follow_up_financial", "no_contact", "no_help_wanted", None]  # fmt: skip
    for number in range(4):  # asked by the HR contact
        response = await signals.client.post("/werkgeversloket/hulpvraag", data=desk_form(100 + number), headers=hr)
        assert response.status_code == 303, response.text
    for number in range(4):  # by employees with the desk code
        await ask(signals, resident_request(200 + number, ten_cate))
    for number in range(3):  # another employer's, and residents' own
        await signals.client.post(
            "/werkgeversloket/hulpvraag", data=desk_form(300 + number), headers=hr_contact(signals, "bolk")
        )
        await ask(signals, resident_request(400 + number))
    ours = await signals.db.cases.find({"help_requests.employer_id": "ten-cate"}).sort("_id", 1).to_list()
    assert len(ours) == 8
    caseworker = signals.as_staff(Role.OUTREACH_WORKER, "GM0141")
    for case, outcome in zip(ours, outcomes, strict=True):
        if outcome:
            closed = await signals.client.post(
                f"/api/v1/cases/{case['_id']}/close", json={"outcome": outcome}, headers=caseworker
            )
            assert closed.status_code == 204, closed.text
    picked_up = {"follow_up_financial", "follow_up_non_financial", "quick_fix", "already_in_debt_help"}
    expected_picked = sum(1 for outcome in outcomes if outcome in picked_up)
    assert expected_picked == 5

    month = date.today().strftime("%Y-%m")
    # this month is not over: it is not shown yet
    assert month not in [row.month for row in await desk_figures(signals.db, "ten-cate")]
    next_month = (date.today().replace(day=28) + timedelta(days=5)).replace(day=1)
    shown = {row.month: row for row in await desk_figures(signals.db, "ten-cate", today=next_month)}
    # 8 requests, 5 picked up: the 3 not picked up could be read from a shown 5, so it is hidden too
    assert 0 < len(outcomes) - expected_picked < 5
    assert (shown[month].requests, shown[month].picked_up) == ("8", "niet getoond")
    assert all(row.requests == "minder dan 5" for key, row in shown.items() if key != month)
    bolk = {row.month: row for row in await desk_figures(signals.db, "bolk", today=next_month)}
    assert (bolk[month].requests, bolk[month].picked_up) == ("minder dan 5", "minder dan 5")

    # the page shows the months that are over: the same requests, asked last month
    last_month = date.today().replace(day=1) - timedelta(days=1)
    asked_at = datetime(last_month.year, last_month.month, 15, 12, tzinfo=UTC)
    await signals.db.cases.update_many(
        {"help_requests.employer_id": "ten-cate"}, {"$set": {"help_requests.$[].at": asked_at}}
    )
    page = await signals.client.get("/werkgeversloket", headers=hr)
    assert page.status_code == 200
    assert f"/hulp-vragen?werkgever={ten_cate}" in page.text and "minder dan 5" in page.text
    label = f"{MONTH_NAMES[last_month.month - 1]} {last_month.year}"
    assert f'<th scope="row">{label}</th><td>8</td><td>niet getoond</td>' in page.text
    assert f"<td>{expected_picked}</td>" not in page.text
    assert "Sanne" not in page.text and "Jansen" not in page.text and "casussen/" not in page.text


async def test_the_administrator_sees_and_renews_an_employers_desk_code_on_the_admin_page(signals: Signals) -> None:
    code = await employer(signals, "ten-cate")
    admin = signals.as_staff(Role.ADMINISTRATOR)
    page = await signals.client.get("/beheer", headers=admin)
    assert code in page.text and "/beheer/leden/ten-cate/loketcode" in page.text
    renewed = await signals.client.post("/beheer/leden/ten-cate/loketcode", headers=admin)
    assert renewed.status_code == 303
    stored = await employer_desk.active_employer(signals.db, "ten-cate")
    assert stored is not None and employer_desk.shown(stored["desk_code"]) != code
    assert employer_desk.shown(stored["desk_code"]) in (await signals.client.get("/beheer", headers=admin)).text


def resident_form(house_number: int, code: str) -> dict[str, Any]:
    return {
        "inkomen": "short",
        "achterstanden": ["rent"],
        "gemeente": "GM0141",
        "toestemming": "ja",
        "naam": "Piet Jansen",
        "contact": "phone",
        "telefoon": "06 11112222",
        "postcode": "7604 GH",
        "huisnummer": str(house_number),
        "werkgeverscode": code,
    }


async def test_the_referral_link_fills_in_the_code_and_the_resident_form_counts_it_for_the_employer(
    signals: Signals,
) -> None:
    code = await employer(signals, "ten-cate")
    public = {"Authorization": ""}
    page = await signals.client.get("/hulp-vragen", params={"werkgever": code}, headers=public)
    assert page.status_code == 200 and f'value="{code}"' in page.text
    unknown = "ABCD-2345" if code != "ABCD-2345" else "WXYZ-6789"
    refused = await signals.client.post("/hulp-vragen/aanvraag", data=resident_form(3, unknown), headers=public)
    assert refused.status_code == 422 and 'id="werkgeverscode-fout"' in refused.text
    assert "Deze werkgeverscode kennen we niet (meer)." in refused.text
    assert await signals.db.cases.count_documents({}) == 0
    api = await signals.client.post(
        "/api/v1/help-requests",
        headers=public,
        json={
            "test": {"income": "short", "arrears": ["rent"], "municipality": "GM0141"},
            "consent": True,
            "name": "Piet Jansen",
            "contact_by": "phone",
            "phone": "06 11112222",
            "postcode": "7604 GH",
            "house_number": 3,
            "employer_code": unknown,
        },
    )
    assert api.status_code == 422 and api.json()["detail"].startswith("employer_code:")
    assert await signals.db.cases.count_documents({}) == 0
    asked = await signals.client.post("/hulp-vragen/aanvraag", data=resident_form(3, code), headers=public)
    assert asked.status_code == 200, asked.text
    case = await signals.db.cases.find_one({})
    assert case["help_requests"][0]["employer_id"] == "ten-cate"


async def test_the_administrator_creates_an_hr_contact_on_the_admin_page_for_an_employer_member_only(
    signals: Signals,
) -> None:
    await employer(signals, "ten-cate")
    admin = signals.as_staff(Role.ADMINISTRATOR)
    form = {
        "gebruikersnaam": "hr-ten-cate",
        "naam": "Hanna HR",
        "rol": "employer_hr",
        "wachtwoord": "een-lang-wachtwoord",
    }
    refused = await signals.client.post("/beheer/accounts", data={**form, "organisatie": "bolk"}, headers=admin)
    assert refused.status_code == 422 and "Een HR-contactpersoon hoort bij een werkgever die lid is" in refused.text
    assert await signals.db.accounts.find_one({"_id": "hr-ten-cate"}) is None
    created = await signals.client.post("/beheer/accounts", data={**form, "organisatie": "ten-cate"}, headers=admin)
    assert created.status_code == 303
    account = await signals.db.accounts.find_one({"_id": "hr-ten-cate"})
    assert (account["role"], account["organisation"]) == ("employer_hr", "ten-cate")
    assert "HR-contactpersoon werkgever" in (await signals.client.get("/beheer", headers=admin)).text
