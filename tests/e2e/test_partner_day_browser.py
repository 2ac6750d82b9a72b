"""A partner employee's day with the keyboard only (Tab, Enter, Space, typing; no mouse): sign in, accept a referral,
start the help, complete it with a result; then the outreach worker sees on the case page what became of it."""

import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keyboard import tab_to
from tests.e2e.platform import STAFF_PASSWORD, Platform, sign_in
from tests.e2e.test_vertical_slice import SIGNAL

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

OFFER = {
    "id": "schuldhulp-dagtest",
    "name": "Schuldhulp dichtbij",
    "organisation": "Humanitas Salland",
    "organisation_id": "humanitas",
    "phase": "early_intervention",
    "municipalities": ["GM0141"],
    "needs": ["debt_help"],
    "capacity_available": 2,
    "capacity_maximum": 2,
}


def test_partner_employee_accepts_starts_and_completes_with_the_keyboard_and_the_worker_sees_it(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    signals, referrals = platform.url("signals"), platform.url("referrals")
    assert httpx.put(f"{referrals}/api/v1/offers/{OFFER['id']}", json=OFFER, headers=platform.headers("beheerder"))
    signal = {**SIGNAL, "address": {"postcode": "7607 AB", "house_number": 77}}
    case_id = httpx.post(f"{signals}/api/v1/signals", json=signal, headers=platform.partner_headers()).json()["case_id"]
    outreach = platform.headers("outreach")
    household = httpx.get(f"{signals}/api/v1/cases/{case_id}", headers=outreach).json()["household_ref"]
    body = {"household_ref": household, "municipality": "GM0141", "needs": ["debt_help"], "offer_id": OFFER["id"]}
    assert httpx.post(f"{referrals}/api/v1/referrals", json=body, headers=outreach).status_code == 201

    page.context.clear_cookies()
    page.goto(f"{signals}/inloggen")
    tab_to(page, "Gebruikersnaam")
    page.keyboard.type("humanitas")
    tab_to(page, "Wachtwoord")
    page.keyboard.type(STAFF_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{referrals}/")
    tab_to(page, household)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Accepteren")).to_be_visible()

    tab_to(page, "Verwijzing accepteren")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Opgeslagen: Geaccepteerd.")
    tab_to(page, "Hulp is gestart")
    page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_have_text("Opgeslagen: Loopt.")
    tab_to(page, "Verwijzing afronden")  # no result chosen yet: the message beside the field
    page.keyboard.press("Enter")
    expect(page.locator("#resultaat-fout")).to_have_text("Kies een resultaat.")
    tab_to(page, "Resultaat")
    page.keyboard.type("Stabiel")  # a closed select takes the option typed
    assert page.evaluate("document.activeElement.value") == "stable"
    tab_to(page, "Verwijzing afronden")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Opgeslagen: Afgerond.")
    expect(page.get_by_text("Afgerond: Stabiel")).to_be_visible()
    page.screenshot(path=str(artifacts / "partner-day-completed.png"), full_page=True)

    sign_in(page, platform, "outreach")
    deadline = time.monotonic() + 30
    while True:  # the case page learns it from referrals' events, a moment later
        page.goto(f"{signals}/casussen/{case_id}?reden=vervolg")
        table = page.get_by_role("table", name="Verwijzing")
        if table.count() and "Afgerond: Stabiel" in table.inner_text():
            break
        assert time.monotonic() < deadline, "the case page did not learn of the completed referral"
        time.sleep(1)
    expect(table).to_contain_text("Schuldhulp dichtbij")
    expect(table).to_contain_text("Humanitas Salland")
    signals_table = page.get_by_role("table", name="Signalen")
    expect(signals_table).not_to_contain_text("woonstad-almelo")  # the partner by name, not its client id
    page.screenshot(path=str(artifacts / "case-referral-result.png"), full_page=True)
    refer = page.get_by_role("link", name="Huishouden doorverwijzen met gekozen hulpvragen of aanbod")
    assert f"huishouden={household}" in (refer.get_attribute("href") or "")


def test_partner_publishes_an_offer_and_the_worker_refers_and_enrols_in_pages_only(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    signals, referrals = platform.url("signals"), platform.url("referrals")
    sign_in(page, platform, "humanitas")
    page.goto(f"{referrals}/")
    page.get_by_role("link", name="Mijn hulpaanbod en vrije plekken").click()
    page.get_by_role("link", name="Nieuw aanbod publiceren").click()
    page.get_by_label("Code (vast, in de adressen van het aanbod)").fill("jongeren-almelo")
    page.get_by_label("Naam").fill("Jongerenloket Almelo")
    page.get_by_label("Almelo").check()
    page.get_by_label("Jongeren").check()
    page.get_by_label("Plekken in totaal").fill("veel")
    page.get_by_role("button", name="Aanbod opslaan").click()
    expect(page.locator("#plekken-fout")).to_have_text("Vul het aantal plekken in als heel getal, 0 of meer.")
    expect(page.locator("#fase-fout")).to_have_text("Kies een fase.")
    page.screenshot(path=str(artifacts / "offer-form-errors.png"), full_page=True)
    page.get_by_label("Fase").select_option(label="Preventie")
    page.get_by_label("Plekken in totaal").fill("4")
    page.get_by_label("Leeftijd tot en met (optioneel)").fill("27")
    page.get_by_role("button", name="Aanbod opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("jongeren-almelo")
    expect(page.get_by_role("table", name="Aanbod")).to_contain_text("4 van 4")
    page.screenshot(path=str(artifacts / "offers-list.png"), full_page=True)

    signal = {**SIGNAL, "address": {"postcode": "7607 AB", "house_number": 78}}
    case_id = httpx.post(f"{signals}/api/v1/signals", json=signal, headers=platform.partner_headers()).json()["case_id"]
    sign_in(page, platform, "outreach")
    page.goto(f"{signals}/casussen/{case_id}?reden=vervolg")
    page.get_by_role("link", name="Huishouden doorverwijzen met gekozen hulpvragen of aanbod").click()
    expect(page.get_by_label("Gemeente")).to_have_value("GM0141")
    page.get_by_role("button", name="Doorverwijzen").click()
    expect(page.locator("#behoeften-fout")).to_have_text("Kies minstens één hulpvraag.")
    page.get_by_label("Jongeren").check()
    page.get_by_label("Leeftijd in jaren (optioneel; voor aanbod met een leeftijdsgrens)").fill("22")
    page.screenshot(path=str(artifacts / "refer-form.png"), full_page=True)
    page.get_by_role("button", name="Doorverwijzen").click()
    expect(page.get_by_role("status")).to_have_text("Opgeslagen: Aangevraagd.")
    expect(page.get_by_text("Jongerenloket Almelo · Humanitas")).to_be_visible()
    household = page.locator("dd code").first.inner_text()

    page.goto(f"{referrals}/doorbraak")
    page.get_by_role("link", name="Huishouden inschrijven").click()
    page.get_by_label("Huishouden (pseudoniem)").fill(household)
    page.get_by_label("Gemeente").select_option(label="Almelo")
    page.get_by_label("Doelen (één per regel)").fill("Vaste lasten op orde")
    page.get_by_label("Stap 1", exact=True).fill("Budgetplan maken")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.locator("#stap_datum_0-fout")).to_have_text("Vul een datum in voor deze stap.")
    page.screenshot(path=str(artifacts / "cohort-enrol-errors.png"), full_page=True)
    page.get_by_label("Klaar op (stap 1)").fill("2027-01-15")
    page.get_by_label("Evaluatie 1").fill("2027-02-01")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_role("status")).to_have_text("Ingeschreven.")
    page.get_by_label("Budgetplan maken").check()
    page.get_by_role("button", name="Stappen opslaan").click()
    expect(page.get_by_text("gedaan", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "cohort-member.png"), full_page=True)
    page.get_by_label("Reden").select_option(label="Plan afgerond")
    page.get_by_role("button", name="Uitschrijven").click()
    expect(page.get_by_role("status")).to_have_text("Uitgeschreven.")
