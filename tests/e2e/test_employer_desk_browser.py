"""An employer's HR contact signs in, asks help for an employee who consents, hands on the referral link, and sees
only anonymous figures of its own desk: the request reaches the municipality's queue and counts for the employer
on the programme's dashboard, never with a name on the HR contact's page."""

import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.platform import Platform, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def employers_on_the_desk(platform: Platform) -> int:
    targets = httpx.get(f"{platform.url('reporting')}/api/v1/targets", headers=platform.headers("lead")).json()
    return int(next(item["value"] for item in targets if item["id"] == "employers"))


def test_an_hr_contact_asks_help_for_an_employee_and_sees_only_anonymous_figures(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    signals = platform.url("signals")
    before = employers_on_the_desk(platform)
    sign_in(page, platform, "werkgever")
    expect(page).to_have_url(f"{signals}/werkgeversloket")
    expect(page.get_by_role("navigation", name="Diensten")).to_have_text("Werkgeversloket")
    link = page.get_by_role("link", name="/hulp-vragen?werkgever=")
    code = link.inner_text().rsplit("=", 1)[1]
    assert len(code) == 9

    page.get_by_label("Naam").fill("Wim Werknemer")
    page.get_by_label("Postcode").fill("7607 AB")
    page.get_by_label("Huisnummer").fill("77")
    page.get_by_label("Gemeente waar de werknemer woont").select_option(label="Almelo")
    page.get_by_label("Bellen").check()
    page.get_by_label("Telefoonnummer").fill("06 55554444")
    page.get_by_label("Het is krap, soms kom ik tekort").check()
    page.get_by_label("Energie", exact=True).check()
    page.get_by_role("button", name="Hulpvraag versturen").click()  # consent not confirmed yet
    expect(page.locator("#toestemming-fout")).to_contain_text("Zonder uitdrukkelijke toestemming")
    expect(page.get_by_label("Naam")).to_have_value("Wim Werknemer")
    page.screenshot(path=str(artifacts / "employer-desk-consent-missing.png"), full_page=True)

    page.get_by_label("De werknemer heeft mij uitdrukkelijk toestemming gegeven").check()
    page.get_by_role("button", name="Hulpvraag versturen").click()
    expect(page.get_by_role("status")).to_contain_text("De hulpvraag is verstuurd")
    figures = page.get_by_role("table", name="Cijfers van uw loket")
    expect(figures).to_contain_text("minder dan 5")
    body = page.locator("main").inner_text()
    assert "Wim" not in body and "7607" not in body and "06 5555" not in body
    page.screenshot(path=str(artifacts / "employer-desk.png"), full_page=True)

    # the employee's request is in the municipality's queue, for the outreach worker, not for the HR contact
    cases = httpx.get(
        f"{signals}/api/v1/cases", params={"municipality": "GM0141"}, headers=platform.headers("outreach")
    ).json()["items"]
    assert any(item.get("origin") == "self_reported" for item in cases), cases
    page.goto(f"{signals}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    page.goto(f"{platform.url('reporting')}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    other = page.request.get(f"{signals}/api/v1/employer-desk/woonstad-almelo")
    assert other.status == 403

    # the referral link opens the resident's form with the employer's code filled in
    page.context.clear_cookies()
    page.goto(f"{signals}/hulp-vragen?werkgever={code}")
    page.screenshot(path=str(artifacts / "employer-desk-referral-link.png"), full_page=True)

    deadline = time.monotonic() + 60  # reporting counts the employer once the event is through
    while employers_on_the_desk(platform) < before + 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert employers_on_the_desk(platform) == before + 1
