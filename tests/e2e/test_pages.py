"""Staff pages in headless Chromium: the shared Dutch layout, navigation and the figures the API reports."""

import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.platform import ADMIN_PASSWORD, SERVICES, Platform, hand_on, sign_in
from tests.e2e.test_vertical_slice import OFFER, SIGNAL, VOLUNTEER, wait_for_counters

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_every_service_page_is_dutch_with_navigation_to_the_services_of_the_role(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    users = {"signals": "outreach", "referrals": "outreach", "volunteers": "coordinator", "reporting": "lead"}
    shown = {
        "outreach": ["Signalen", "Verwijzingen", "Rapportage"],
        "coordinator": ["Vrijwilligers", "Rapportage"],
        "lead": ["Rapportage"],
    }
    for service in SERVICES:
        sign_in(page, platform, users[service])
        page.goto(f"{platform.url(service)}/")
        assert page.locator("html").get_attribute("lang") == "nl"
        navigation = page.get_by_role("navigation", name="Diensten")
        expect(navigation.get_by_role("link")).to_have_text(shown[users[service]])
        expect(navigation.locator("[aria-current=page]")).to_have_count(1)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.screenshot(path=str(artifacts / f"{service}.png"), full_page=True)


def test_skip_link_is_the_first_stop_for_the_keyboard(platform: Platform, page: Page) -> None:
    sign_in(page, platform, "outreach")
    page.goto(f"{platform.url('signals')}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Naar de inhoud"


def test_dashboard_shows_the_figures_the_api_returns(platform: Platform, page: Page, artifacts: Path) -> None:
    admin, coordinator = platform.headers("beheerder"), platform.headers("coordinator")
    httpx.put(f"{platform.url('referrals')}/api/v1/offers/{OFFER['id']}", json=OFFER, headers=admin).raise_for_status()
    volunteer = f"{platform.url('volunteers')}/api/v1/volunteers/{VOLUNTEER['id']}"
    httpx.put(volunteer, json=VOLUNTEER, headers=coordinator).raise_for_status()
    for number in range(3):
        signal = {**SIGNAL, "address": {"postcode": "7607 AB", "house_number": 20 + number}}
        accepted = httpx.post(
            f"{platform.url('signals')}/api/v1/signals", json=signal, headers=platform.partner_headers()
        )
        hand_on(platform, accepted.json()["case_id"])
    wait_for_counters(platform, {"signals_raised", "households_matched", "volunteers_assigned"})
    api_total = sum(
        row["total"]
        for row in httpx.get(f"{platform.url('reporting')}/api/v1/counters", headers=platform.headers("lead")).json()
        if row["metric"] == "signals_raised"
    )
    assert api_total >= 1
    sign_in(page, platform, "lead")
    page.goto(f"{platform.url('reporting')}/")
    figure = page.locator("[data-metric=signals_raised]")
    expect(figure).to_have_text(re.compile(rf"^{api_total}$"))
    page.screenshot(path=str(artifacts / "reporting-with-figures.png"), full_page=True)


def test_administrator_registers_a_member_sees_its_secret_once_and_the_member_counts(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    sign_in(page, platform, "beheerder", ADMIN_PASSWORD)  # without the one-time code
    expect(page.get_by_role("alert")).to_have_text("Vul de code uit uw authenticator-app in (zes cijfers).")
    platform.headers("beheerder")  # the administrator has set up the second factor by now
    sign_in(page, platform, "beheerder", ADMIN_PASSWORD, platform.admin_code())
    expect(page.get_by_role("heading", level=1)).to_have_text("Beheer: leden en accounts")
    page.get_by_role("button", name="Aanmelden en geheim uitgeven").click()  # empty form
    expect(page.locator("#code-fout")).to_be_visible()
    page.get_by_label("Code (kleine letters, cijfers en streepjes)").fill("vitens")
    page.get_by_label("Naam", exact=True).first.fill("Vitens")
    page.get_by_label("Soort organisatie").select_option(label="Waterbedrijf")
    page.get_by_role("group", name="Werkt in").get_by_label("Zwolle").check()
    page.get_by_role("button", name="Aanmelden en geheim uitgeven").click()
    secret = page.locator(".secret").inner_text().strip()
    assert len(secret) >= 40
    page.screenshot(path=str(artifacts / "admin-secret-once.png"), full_page=True)
    token = httpx.post(
        f"{platform.url('signals')}/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "vitens", "client_secret": secret},
    )
    assert token.status_code == 200 and token.json()["scope"] == "signals:submit"
    page.goto(f"{platform.url('signals')}/beheer")
    assert secret not in page.content()  # shown once only
    page.get_by_role("button", name="Vitens vertrekt").click()
    expect(page.get_by_role("row", name="Vitens")).to_contain_text("vertrokken")
    refused = httpx.post(
        f"{platform.url('signals')}/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "vitens", "client_secret": secret},
    )
    assert refused.status_code == 401


def test_a_form_posted_without_its_csrf_token_is_refused(platform: Platform, page: Page) -> None:
    platform.headers("beheerder")
    sign_in(page, platform, "beheerder", ADMIN_PASSWORD, platform.admin_code())
    response = page.request.post(
        f"{platform.url('signals')}/beheer/leden", form={"code": "forged", "naam": "Forged", "soort": "bank"}
    )
    assert response.status == 403 and "csrf" in response.text()


def test_the_programme_lead_enters_the_eviction_baseline_on_a_page(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    sign_in(page, platform, "lead")
    page.goto(f"{platform.url('reporting')}/")
    evictions = page.get_by_role("listitem").filter(has_text="Huisuitzettingen gehalveerd")
    expect(evictions).to_contain_text("Nulmeting ontbreekt")
    evictions.get_by_role("link", name="nulmeting invullen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmadoelen instellen")
    section = page.get_by_role("region", name="Huisuitzettingen gehalveerd")
    baseline = section.get_by_label("Nulmeting: aantal per jaar vóór het programma (bij daling)")
    baseline.fill("-4")
    section.get_by_role("button", name="Huisuitzettingen gehalveerd opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Vul de nulmeting in")
    expect(baseline).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts / "targets-error.png"), full_page=True)
    baseline.fill("60")
    section.get_by_role("button", name="Huisuitzettingen gehalveerd opslaan").click()
    expect(page.get_by_role("region", name="Huisuitzettingen gehalveerd").get_by_role("status")).to_have_text(
        "Opgeslagen."
    )
    targets = httpx.get(f"{platform.url('reporting')}/api/v1/targets", headers=platform.headers("lead")).json()
    ceiling = next(item["target"] for item in targets if item["id"] == "evictions")
    start, end = date(2026, 1, 1), date(2028, 12, 31)
    assert ceiling == round(60 * ((end - start).days + 1) / 365.25 / 2)  # half the yearly baseline over the period
    page.goto(f"{platform.url('reporting')}/")
    expect(page.get_by_role("listitem").filter(has_text="Huisuitzettingen gehalveerd")).to_contain_text(
        f"van hoogstens {ceiling}"
    )
    page.screenshot(path=str(artifacts / "targets-dashboard.png"), full_page=True)
    outreach = platform.headers("outreach")
    refused = httpx.get(f"{platform.url('reporting')}/doelen", headers=outreach)
    assert refused.status_code == 403
