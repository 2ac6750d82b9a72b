"""The administrator sets a municipality's threshold, outreach term and manual assignment on the pages, with the
keyboard only; the running services apply them to the next signal and the next request without a restart."""

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.signals.calendar import add_working_days
from tests.e2e.platform import ADMIN_PASSWORD, Platform, sign_in
from tests.e2e.test_vertical_slice import SIGNAL

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
ZWOLLE = "GM0193"


def tab_to(page: Page, name: str, limit: int = 120) -> None:
    """Presses Tab until the focused element is called `name` (its label, aria-label, text or id)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; const label = e.labels && e.labels[0];"
            " return [e.getAttribute('aria-label'), label && label.textContent, e.textContent, e.id]"
            ".map(t => (t || '').trim()); }"
        )
        if name in focused:
            return
    raise AssertionError(f"{name!r} is not reached with Tab")


def press_enter_and_wait(page: Page) -> None:
    """Enter on a link or in a form, and the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def retype(page: Page, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def signal_in_zwolle(platform: Platform, number: int, arrears_cents: int) -> dict[str, object]:
    body = {
        **SIGNAL,
        "municipality": ZWOLLE,
        "arrears_cents": arrears_cents,
        "eviction_planned": False,
        "address": {"postcode": "8011 AB", "house_number": number},
    }
    signals = platform.url("signals")
    response = httpx.post(f"{signals}/api/v1/signals", json=body, headers=platform.partner_headers())
    assert response.status_code == 202, response.text
    case: dict[str, object] = httpx.get(
        f"{signals}/api/v1/cases/{response.json()['case_id']}", headers=platform.headers("outreach")
    ).json()
    return case


def test_the_administrator_sets_threshold_term_and_manual_assignment_with_the_keyboard(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    platform.headers("beheerder")  # enrols the second factor
    sign_in(page, platform, "beheerder", ADMIN_PASSWORD, platform.admin_code())
    page.goto(f"{platform.url('signals')}/beheer")
    tab_to(page, "instellingen per gemeente")
    press_enter_and_wait(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Beheer: instellingen per gemeente")
    page.screenshot(path=str(artifacts / "municipality-settings-signals.png"), full_page=True)

    tab_to(page, "Instellingen van Zwolle wijzigen")
    press_enter_and_wait(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Instellingen van Zwolle")
    tab_to(page, "drempel")
    retype(page, "heel veel")
    tab_to(page, "termijn")
    retype(page, "61")
    tab_to(page, "Opslaan")
    press_enter_and_wait(page)
    expect(page.locator("#drempel-fout")).to_have_text("Vul een bedrag in euro in, bijvoorbeeld 50 of 1.250,00.")
    expect(page.locator("#termijn-fout")).to_have_text("Mag hoogstens 60 zijn.")
    expect(page.get_by_label("Drempel (in euro)")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts / "municipality-settings-refused.png"), full_page=True)

    tab_to(page, "drempel")
    retype(page, "150")
    tab_to(page, "termijn")
    retype(page, "15")
    press_enter_and_wait(page)  # submits the form from its field
    expect(page.get_by_role("status")).to_have_text("De instellingen van Zwolle zijn opgeslagen. Ze gelden vanaf nu.")
    zwolle = page.get_by_role("row", name="Zwolle")
    expect(zwolle).to_contain_text("€ 150,00")
    expect(zwolle).to_contain_text("15 werkdagen")
    expect(zwolle).to_contain_text("door beheerder")

    below, above = signal_in_zwolle(platform, 1, 14_999), signal_in_zwolle(platform, 2, 15_000)
    assert (below["status"], above["status"]) == ("registered", "open")
    assert above["deadline"] == add_working_days(date.today(), 15).isoformat()

    tab_to(page, "Vrijwilligers handmatig of automatisch toewijzen, in Vrijwilligers")
    press_enter_and_wait(page)
    tab_to(page, "Instellingen van Zwolle wijzigen")
    press_enter_and_wait(page)
    tab_to(page, "Handmatig")  # the checked option of the group takes the focus: the environment's default
    page.keyboard.press("ArrowRight")  # to Automatisch
    tab_to(page, "Opslaan")
    press_enter_and_wait(page)
    expect(page.get_by_role("status")).to_contain_text("De instellingen van Zwolle zijn opgeslagen.")
    expect(page.get_by_role("row", name="Zwolle")).to_contain_text("Automatisch")
    page.screenshot(path=str(artifacts / "municipality-settings-volunteers.png"), full_page=True)

    volunteers, coordinator = platform.url("volunteers"), platform.headers("coordinator")
    teacher = {
        "id": "gastdocent-zwolle",
        "name": "Gastdocent Zwolle",
        "roles": ["guest_teacher"],
        "municipalities": [ZWOLLE],
        "max_households": 3,
        "status": "active",
        "certificate_of_conduct_date": (date.today() - timedelta(days=5)).isoformat(),
        "trained_roles": ["guest_teacher"],
    }
    registered = httpx.put(f"{volunteers}/api/v1/volunteers/gastdocent-zwolle", json=teacher, headers=coordinator)
    assert registered.status_code in (200, 201), registered.text
    lesson = httpx.post(
        f"{volunteers}/api/v1/lesson-requests",
        json={
            "school": "Landstede MBO Zwolle",
            "municipality": ZWOLLE,
            "group_size": 20,
            "lesson_date": (date.today() + timedelta(days=10)).isoformat(),
        },
        headers=coordinator,
    ).json()
    assert (lesson["state"], lesson["volunteer_id"]) == ("assigned", "gastdocent-zwolle")  # no coordinator now

    log = httpx.get(
        f"{platform.url('signals')}/api/v1/audit", params={"per_page": 200}, headers=platform.headers("beheerder")
    ).json()["items"]
    changed = [entry for entry in log if entry["action"] == "municipality_settings.changed"]
    assert [(entry["record"], entry["result"], entry.get("changes")) for entry in changed] == [
        (
            f"municipality:{ZWOLLE}",
            "ok",
            {
                "term_working_days": {"before": 10, "after": 15},
                "threshold_cents": {"before": 5_000, "after": 15_000},
            },
        )
    ]
