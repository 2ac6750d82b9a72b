"""A volunteer signs up; a coordinator screens and activates them, and assigns them to a waiting request."""

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.platform import Platform, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_coordinator_reviews_a_sign_up_activates_the_volunteer_and_assigns_a_waiting_request(
    platform: Platform,
    page: Page,
    artifacts: Path,
) -> None:
    volunteers = platform.url("volunteers")
    lesson = httpx.post(
        f"{volunteers}/api/v1/lesson-requests",
        json={
            "school": "Landstede MBO Zwolle",
            "municipality": "GM0193",
            "group_size": 22,
            "lesson_date": (date.today() + timedelta(days=10)).isoformat(),
        },
        headers=platform.headers("coordinator"),
    ).json()
    assert lesson["state"] == "waiting"

    page.context.clear_cookies()  # signing up needs no account
    page.goto(f"{volunteers}/aanmelden")
    page.get_by_role("button", name="Aanmelden").click()  # empty form
    expect(page.get_by_text("Vul uw naam in.")).to_be_visible()
    page.get_by_label("Naam").fill("Sanne de Boer")
    page.get_by_label("E-mailadres").fill("sanne@example.nl")
    page.get_by_label("Gastdocent").check()
    page.get_by_label("Zwolle").check()
    page.get_by_label("Via welke werkgever hoorde u van ons? (optioneel)").fill("Rabobank IJsseldelta")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("status")).to_contain_text("Uw aanmelding is ontvangen")

    sign_in(page, platform, "coordinator")
    page.goto(f"{volunteers}/")
    row = page.get_by_role("row", name="Sanne de Boer")
    expect(row).to_contain_text("te beoordelen")
    row.get_by_role("link", name="Sanne de Boer").click()
    page.get_by_label("Datum verklaring omtrent het gedrag (VOG)").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_label("Gastdocent").check()
    page.get_by_role("button", name="Screening opslaan en activeren").click()
    expect(page.get_by_role("status")).to_have_text("De vrijwilliger is actief en kan worden gekoppeld.")

    page.get_by_role("link", name="← Alle vrijwilligers").click()
    waiting = page.get_by_role("row", name="Gastles: Landstede MBO Zwolle")
    waiting.get_by_label("Vrijwilliger voor dit verzoek").select_option(label="Sanne de Boer (0 gastlessen gepland)")
    waiting.get_by_role("button", name="Koppel").click()
    expect(page.get_by_role("status")).to_have_text("De vrijwilliger is gekoppeld.")
    page.screenshot(path=str(artifacts / "volunteer-assigned.png"), full_page=True)

    assigned = httpx.get(
        f"{volunteers}/api/v1/assignments", params={"state": "assigned"}, headers=platform.headers("coordinator")
    ).json()["items"]
    assert [(a["id"], a["kind"]) for a in assigned if a["id"] == lesson["id"]] == [(lesson["id"], "lesson")]


def test_the_coordinators_views_and_changes_of_volunteers_are_in_the_audit_log(platform: Platform) -> None:
    log = httpx.get(f"{platform.url('volunteers')}/api/v1/audit", headers=platform.headers("beheerder")).json()
    actions = {(entry["who"], entry["action"]) for entry in log}
    assert {("coordinator", "volunteer.viewed"), ("coordinator", "volunteer.screened")} <= actions
    refused = httpx.get(f"{platform.url('volunteers')}/api/v1/audit", headers=platform.headers("coordinator"))
    assert refused.status_code == 403
