"""An outreach worker works a case in the browser: queue, case, contact attempt, outcome."""

import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keyboard import tab_to
from tests.e2e.platform import ADMIN_PASSWORD, STAFF_PASSWORD, Platform, sign_in
from tests.e2e.test_vertical_slice import SIGNAL

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_outreach_worker_opens_the_queue_logs_a_contact_attempt_and_closes_the_case(
    platform: Platform,
    page: Page,
    artifacts: Path,
) -> None:
    signal = {
        **SIGNAL,
        "person": {"name": "Fatima El Amrani", "phone": "0687654321"},
        "address": {"postcode": "7607 AB", "house_number": 31, "street": "Wierdensestraat", "city": "Almelo"},
    }
    response = httpx.post(f"{platform.url('signals')}/api/v1/signals", json=signal, headers=platform.partner_headers())
    assert response.status_code == 202

    page.context.clear_cookies()
    page.goto(f"{platform.url('signals')}/")  # not signed in: to the sign-in page, and back after it
    page.get_by_label("Gebruikersnaam").fill("outreach")
    page.get_by_label("Wachtwoord").fill("wrong password")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_have_text("Gebruikersnaam of wachtwoord klopt niet.")
    page.get_by_label("Wachtwoord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Werkvoorraad vroegsignalen")
    page.get_by_label("Gemeente").select_option(label="Almelo")
    page.get_by_label("Wijk (postcodegebied)").fill("7607")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Postcode 7607").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waarom opent u deze casus?")
    page.get_by_role("button", name="Casus openen").click()
    expect(page.get_by_text("Kies een reden.")).to_be_visible()
    page.get_by_label("Contact opnemen met het huishouden").check()
    page.screenshot(path=str(artifacts / "case-reason.png"), full_page=True)
    page.get_by_role("button", name="Casus openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casus 7607 · Almelo")
    expect(page.get_by_text("Fatima El Amrani")).to_be_visible()

    page.get_by_role("button", name="Contactpoging opslaan").click()  # nothing chosen yet
    expect(page.get_by_text("Kies de soort contactpoging.")).to_be_visible()
    expect(page.get_by_label("Soort")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Soort").select_option(label="Huisbezoek")
    page.get_by_label("Datum").fill(date.today().isoformat())
    page.get_by_label("Dagdeel").select_option(label="Avond")
    page.get_by_label("Ja").check()
    page.get_by_role("button", name="Contactpoging opslaan").click()
    expect(page.get_by_role("status")).to_have_text("De contactpoging is vastgelegd.")
    expect(page.get_by_role("table", name="Contactpogingen").get_by_role("row")).to_have_count(2)
    page.screenshot(path=str(artifacts / "case-with-attempt.png"), full_page=True)

    page.get_by_label("Uitkomst (DDAS-vroegsignalering)").select_option(label="Vervolg financieel")
    page.get_by_role("button", name="Afsluiten").click()
    expect(page.get_by_role("status")).to_have_text("De casus is afgesloten.")
    expect(page.get_by_text("Afgesloten: Vervolg financieel")).to_be_visible()

    case_id = response.json()["case_id"]
    case = httpx.get(f"{platform.url('signals')}/api/v1/cases/{case_id}", headers=platform.headers("outreach")).json()
    assert (case["status"], case["outcome"], case["contact_attempts"], case["reached"]) == (
        "closed",
        "follow_up_financial",
        1,
        True,
    )


def test_the_case_forms_work_from_the_keyboard(platform: Platform, page: Page) -> None:
    signal = {**SIGNAL, "address": {"postcode": "7607 AB", "house_number": 33}}
    response = httpx.post(f"{platform.url('signals')}/api/v1/signals", json=signal, headers=platform.partner_headers())
    sign_in(page, platform, "outreach")
    page.goto(f"{platform.url('signals')}/casussen/{response.json()['case_id']}?reden=contact")
    page.get_by_label("Soort").focus()
    page.keyboard.press("ArrowDown")  # the first kind
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "datum"
    page.get_by_label("Dagdeel").focus()
    page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Contactpoging opslaan").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("De contactpoging is vastgelegd.")


def test_opening_a_case_is_in_the_audit_log_with_the_reason(platform: Platform) -> None:
    log = httpx.get(
        f"{platform.url('signals')}/api/v1/audit", params={"per_page": 200}, headers=platform.headers("beheerder")
    ).json()["items"]
    opened = [entry for entry in log if entry["action"] == "case.opened" and entry["who"] == "outreach"]
    assert opened and opened[0]["reason"] == "Contact opnemen met het huishouden"
    assert opened[0]["record"].startswith("case:") and opened[0]["origin"] == "127.0.0.1"
    sign_ins = [entry for entry in log if entry["action"] == "sign_in.page" and entry["record"] == "outreach"]
    assert {entry["result"] for entry in sign_ins} == {"ok", "refused"}
    assert "wrong password" not in str(log) and "Fatima" not in str(log)


def test_a_worker_of_one_municipality_cannot_open_another_municipalitys_case(platform: Platform) -> None:
    signal = {**SIGNAL, "municipality": "GM0193", "address": {"postcode": "8011 AB", "house_number": 5}}
    case_id = httpx.post(
        f"{platform.url('signals')}/api/v1/signals", json=signal, headers=platform.partner_headers()
    ).json()["case_id"]
    almelo, everywhere = platform.headers("almelo"), platform.headers("outreach")
    assert httpx.get(f"{platform.url('signals')}/api/v1/cases/{case_id}", headers=almelo).status_code == 403
    assert httpx.get(f"{platform.url('signals')}/casussen/{case_id}?reden=contact", headers=almelo).status_code == 403
    assert httpx.get(f"{platform.url('signals')}/api/v1/cases/{case_id}", headers=everywhere).status_code == 200


def test_a_team_worker_takes_a_case_on_works_and_closes_it_with_the_keyboard_only(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    """Queue → case → "Neem in behandeling" → contact attempt → close, with Tab, Enter, Space and arrow keys."""
    signals, admin = platform.url("signals"), platform.headers("beheerder")
    account = {"username": "wijkwerker", "name": "Wies Wijkwerker", "role": "outreach_worker",
               "municipalities": ["GM0141"], "password": STAFF_PASSWORD}  # fmt: skip
    assert httpx.post(f"{signals}/api/v1/accounts", json=account, headers=admin).status_code == 201
    team = {"municipality": "GM0141", "name": "Wijkteam Sluitersveld", "postcode_areas": ["7609"],
            "members": ["wijkwerker"], "mailbox": "sluitersveld@almelo.example"}  # fmt: skip
    created = httpx.post(f"{signals}/api/v1/teams", json=team, headers=admin)
    assert created.status_code == 201, created.text
    signal = {**SIGNAL, "address": {"postcode": "7609 AB", "house_number": 77}}
    case_id = httpx.post(f"{signals}/api/v1/signals", json=signal, headers=platform.partner_headers()).json()["case_id"]

    page.context.clear_cookies()
    page.goto(f"{signals}/inloggen")
    tab_to(page, "Gebruikersnaam")
    page.keyboard.type("wijkwerker")
    tab_to(page, "Wachtwoord")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Werkvoorraad vroegsignalen")
    expect(page.get_by_label("Team", exact=True)).to_have_value(created.json()["id"])  # the worker's own team
    expect(page.get_by_role("cell", name=re.compile("Wijkteam Sluitersveld"))).to_be_visible()
    page.screenshot(path=str(artifacts / "queue-team.png"), full_page=True)
    tab_to(page, "Postcode 7609")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waarom opent u deze casus?")
    tab_to(page, "Contact opnemen met het huishouden")
    page.keyboard.press("Space")
    tab_to(page, "Casus openen")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Casus 7609 · Almelo")

    tab_to(page, "Neem in behandeling")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("U heeft de casus in behandeling genomen.")
    expect(page.get_by_text("wijkwerker (u)")).to_be_visible()
    page.screenshot(path=str(artifacts / "case-assigned.png"), full_page=True)

    tab_to(page, "Soort")
    page.keyboard.press("ArrowDown")  # the first kind
    tab_to(page, "Dagdeel")
    page.keyboard.press("ArrowDown")
    tab_to(page, "Contactpoging opslaan")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("De contactpoging is vastgelegd.")
    tab_to(page, "Uitkomst")
    page.keyboard.press("ArrowDown")  # the first outcome that fits
    tab_to(page, "Afsluiten")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("De casus is afgesloten.")

    case = httpx.get(f"{signals}/api/v1/cases/{case_id}", headers=platform.headers("outreach")).json()
    assert (case["status"], case["assignee"], case["contact_attempts"]) == ("closed", "wijkwerker", 1)
    log = httpx.get(f"{signals}/api/v1/audit", params={"record": f"case:{case_id}"}, headers=admin).json()["items"]
    assert {"case.assigned", "contact_attempt.logged", "case.closed"} <= {entry["action"] for entry in log}


def test_the_administrator_keeps_the_teams_on_a_page(platform: Platform, page: Page, artifacts: Path) -> None:
    platform.headers("beheerder")
    sign_in(page, platform, "beheerder", ADMIN_PASSWORD, platform.admin_code())
    page.goto(f"{platform.url('signals')}/beheer/teams?gemeente=GM0141")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beheer: wijkteams")
    page.get_by_label("Naam").last.fill("Wijkteam Nieuwstraat")
    page.locator("#nieuw-wijken").fill("7600 76x")
    page.get_by_role("button", name="Team toevoegen").click()
    expect(page.get_by_text("Vul postcodegebieden in van vier cijfers")).to_be_visible()
    page.locator("#nieuw-wijken").fill("7600")
    page.get_by_role("button", name="Team toevoegen").click()
    expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
    expect(page.get_by_role("heading", name="Wijkteam Nieuwstraat")).to_be_visible()
    page.get_by_label("Met gewichten").check()
    page.locator("#gewicht-age").fill("5")
    page.get_by_role("button", name="Volgorde opslaan").click()
    expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
    expect(page.locator("#gewicht-age")).to_have_value("5")
    page.screenshot(path=str(artifacts / "admin-teams.png"), full_page=True)
