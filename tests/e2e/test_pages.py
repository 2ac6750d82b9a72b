"""Staff pages in headless Chromium: the shared Dutch layout, navigation and the figures the API reports."""

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.platform import PARTNER_KEY, SERVICES, Platform, hand_on
from tests.e2e.test_vertical_slice import OFFER, SIGNAL, VOLUNTEER, wait_for_counters

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_every_service_page_is_dutch_with_navigation_to_all_four(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    for service in SERVICES:
        page.goto(f"{platform.url(service)}/")
        assert page.locator("html").get_attribute("lang") == "nl"
        navigation = page.get_by_role("navigation", name="Diensten")
        expect(navigation.get_by_role("link")).to_have_text(["Signalen", "Verwijzingen", "Vrijwilligers", "Rapportage"])
        expect(navigation.locator("[aria-current=page]")).to_have_count(1)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.screenshot(path=str(artifacts / f"{service}.png"), full_page=True)


def test_skip_link_is_the_first_stop_for_the_keyboard(platform: Platform, page: Page) -> None:
    page.goto(f"{platform.url('signals')}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Naar de inhoud"


def test_dashboard_shows_the_figures_the_api_returns(platform: Platform, page: Page, artifacts: Path) -> None:
    httpx.put(f"{platform.url('referrals')}/api/v1/offers/{OFFER['id']}", json=OFFER).raise_for_status()
    httpx.put(f"{platform.url('volunteers')}/api/v1/volunteers/{VOLUNTEER['id']}", json=VOLUNTEER).raise_for_status()
    for number in range(3):
        signal = {**SIGNAL, "address": {"postcode": "7607 AB", "house_number": 20 + number}}
        accepted = httpx.post(
            f"{platform.url('signals')}/api/v1/signals", json=signal, headers={"X-Api-Key": PARTNER_KEY}
        )
        hand_on(platform, accepted.json()["case_id"])
    wait_for_counters(platform, {"signals_raised", "households_matched", "volunteers_assigned"})
    api_total = sum(
        row["total"]
        for row in httpx.get(f"{platform.url('reporting')}/api/v1/counters").json()
        if row["metric"] == "signals_raised"
    )
    assert api_total >= 1
    page.goto(f"{platform.url('reporting')}/")
    figure = page.locator("[data-metric=signals_raised]")
    expect(figure).to_have_text(re.compile(rf"^{api_total}$"))
    page.screenshot(path=str(artifacts / "reporting-with-figures.png"), full_page=True)
