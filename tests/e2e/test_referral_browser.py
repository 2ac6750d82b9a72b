"""A partner employee takes a referral through its loop in the browser."""

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.platform import Platform, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

COACHING = {
    "id": "budgetcoaching-browser",
    "name": "Budgetcoaching",
    "organisation": "Humanitas Salland",
    "organisation_id": "humanitas",
    "phase": "early_intervention",
    "municipalities": ["GM0150"],
    "needs": ["budget_coaching"],
    "capacity_available": 1,
    "capacity_maximum": 1,
}


def test_partner_employee_accepts_a_referral_and_completes_it_with_a_result(
    platform: Platform,
    page: Page,
    artifacts: Path,
) -> None:
    referrals = platform.url("referrals")
    admin, partner = platform.headers("beheerder"), platform.headers("humanitas")
    offer = httpx.put(f"{referrals}/api/v1/offers/{COACHING['id']}", json=COACHING, headers=admin)
    assert offer.status_code in (200, 201)
    created = httpx.post(
        f"{referrals}/api/v1/referrals",
        json={"household_ref": "hh-00112233445566778899aabb", "municipality": "GM0150", "needs": ["budget_coaching"]},
        headers=platform.headers("outreach"),
    )
    referral_id = created.json()["id"]

    sign_in(page, platform, "humanitas")
    page.goto(f"{referrals}/")
    page.get_by_role("link", name="hh-00112233445566778899aabb").click()
    expect(page.get_by_role("list", name="Waarom dit aanbod")).to_contain_text("helpt bij budgetcoaching")

    page.get_by_role("button", name="Verwijzing accepteren").click()
    expect(page.get_by_role("status")).to_have_text("Opgeslagen: Geaccepteerd.")
    assert httpx.get(f"{referrals}/api/v1/offers", headers=partner).json()[0]["capacity_available"] == 0

    page.get_by_role("button", name="Verwijzing afronden").click()  # no result chosen yet
    expect(page.locator("#resultaat-fout")).to_have_text("Kies een resultaat.")
    page.get_by_label("Resultaat").select_option(label="Stabiel")
    page.get_by_role("button", name="Verwijzing afronden").click()
    expect(page.get_by_role("status")).to_have_text("Opgeslagen: Afgerond.")
    expect(page.get_by_text("Afgerond: Stabiel")).to_be_visible()
    page.screenshot(path=str(artifacts / "referral-completed.png"), full_page=True)

    referral = httpx.get(f"{referrals}/api/v1/referrals/{referral_id}", headers=partner).json()
    assert (referral["state"], referral["result"]) == ("completed", "stable")
    assert httpx.get(f"{referrals}/api/v1/offers", headers=partner).json()[0]["capacity_available"] == 1
