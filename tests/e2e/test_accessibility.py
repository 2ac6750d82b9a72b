"""Every staff page, and the public ones, checked with axe-core (WCAG 2.1 A and AA rules) in headless Chromium, as
each role sees them: no violation of impact serious or critical. axe-core comes from the npm registry
(package.json); `deploy/local/test.sh` installs it."""

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from tests.e2e.platform import ADMIN_PASSWORD, REPO, Platform, sign_in
from tests.e2e.test_vertical_slice import SIGNAL

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PROJECT = {
    "id": "toegankelijk",
    "title": "Toegankelijke pilot",
    "theme": "Rol van de gemeente in schuldenproblematiek",
    "theme_year": 2026,
    "debt_phases": ["early_intervention"],
    "kind": "own_development",
    "municipality": "GM0141",
}


def violations(page: Page) -> list[str]:
    """axe's serious and critical violations of the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => `${v.id} (${v.impact}): ${v.nodes.length}x, e.g. ${v.nodes[0].target.join(' ')}`)",
        WCAG_AA,
    )
    return [str(line) for line in found]


def lesson_with_teacher(platform: Platform) -> str:
    """A guest lesson with a teacher assigned, whose page shows the forms for hours, the lesson given and release."""
    volunteers, coordinator = platform.url("volunteers"), platform.headers("coordinator")
    teacher = {
        "id": "vw-toegankelijk",
        "name": "Toegankelijke Gastdocent",
        "roles": ["guest_teacher"],
        "municipalities": ["GM0193"],
        "status": "active",
        "certificate_of_conduct_date": "2026-01-05",
        "trained_roles": ["guest_teacher"],
    }
    httpx.put(f"{volunteers}/api/v1/volunteers/vw-toegankelijk", json=teacher, headers=coordinator)
    lesson = {"school": "Deltion", "municipality": "GM0193", "group_size": 20, "lesson_date": "2027-03-01"}
    asked = httpx.post(f"{volunteers}/api/v1/lesson-requests", json=lesson, headers=coordinator).json()
    httpx.post(f"{volunteers}/api/v1/assignments/{asked['id']}/assign", json={}, headers=coordinator)
    return str(asked["id"])


def self_reported_case(platform: Platform) -> str:
    """A resident's help request through the public API, and the self-reported case it opened."""
    request = {
        "test": {"income": "short", "arrears": ["rent", "energy"], "worries": ["sleep"], "municipality": "GM0141"},
        "consent": True,
        "name": "Noor Toegankelijk",
        "contact_by": "phone",
        "phone": "06 13572468",
        "postcode": "7607 AB",
        "house_number": 402,
    }
    signals = platform.url("signals")
    assert httpx.post(f"{signals}/api/v1/help-requests", json=request).status_code in (200, 201)
    cases = httpx.get(f"{signals}/api/v1/cases?municipality=GM0141&per_page=200", headers=platform.headers("outreach"))
    return next(str(case["id"]) for case in cases.json()["items"] if case["origin"] == "self_reported")


def help_pages(page: Page, platform: Platform) -> dict[str, list[str]]:
    """The residents' pages after the self-test: the advice, a request refused beside its fields, the confirmation."""
    found = {}
    page.context.clear_cookies()
    page.goto(f"{platform.url('signals')}/hulp-vragen")
    page.get_by_role("button", name="Bekijk het advies").click()  # nothing answered: the messages beside the fields
    found["anonymous /hulp-vragen with errors"] = violations(page)
    page.get_by_label("Ik kom bijna elke maand tekort").check()
    page.get_by_label("Huur of hypotheek").check()
    page.get_by_label("In welke gemeente woont u?").select_option("GM0141")
    page.get_by_role("button", name="Bekijk het advies").click()
    found["anonymous /hulp-vragen/uitslag"] = violations(page)
    page.get_by_role("button", name="Hulp aanvragen").click()
    found["anonymous /hulp-vragen/aanvraag with errors"] = violations(page)
    page.get_by_label("Uw naam").fill("Sem Toegankelijk")
    page.get_by_role("radio", name="Brief").check()
    page.get_by_label("Postcode", exact=True).fill("7607 AB")
    page.get_by_label("Huisnummer").fill("403")
    page.get_by_label("Straat", exact=False).fill("Grotestraat")
    page.get_by_label("Woonplaats", exact=False).fill("Almelo")
    page.get_by_label("Ik geef toestemming", exact=False).check()
    page.get_by_role("button", name="Hulp aanvragen").click()
    found["anonymous /hulp-vragen/aanvraag received"] = violations(page)
    return found


def pages_of(platform: Platform) -> dict[str, list[str]]:
    """The pages each account works in, made to show content: a case, a volunteer, a project."""
    signal = {**SIGNAL, "address": {"postcode": "7607 AB", "house_number": 401}}
    headers = platform.partner_headers() | {"Idempotency-Key": "axe-signal"}
    case_id = httpx.post(f"{platform.url('signals')}/api/v1/signals", json=signal, headers=headers).json()["case_id"]
    self_reported = self_reported_case(platform)
    lab = f"{platform.url('reporting')}/api/v1/lab/projects"
    httpx.post(lab, json=PROJECT, headers=platform.headers("lead"))
    signals, referrals, volunteers, reporting = (
        platform.url(name) for name in ("signals", "referrals", "volunteers", "reporting")
    )
    volunteer_id, lesson_id = "vw-toegankelijk", lesson_with_teacher(platform)
    return {
        "outreach": [
            f"{signals}/",
            f"{signals}/casussen/{case_id}",
            f"{signals}/casussen/{self_reported}",  # with the resident's own help request
            f"{signals}/mijn-casussen",
            f"{referrals}/",
            f"{referrals}/doorbraak",
            f"{referrals}/doorbraak/inschrijven",
            f"{referrals}/verwijzen?huishouden=hh-0123456789abcdef&gemeente=GM0141",
        ],
        "coordinator": [
            f"{volunteers}/",
            f"{volunteers}/gastlessen/nieuw",
            f"{volunteers}/koppelingen/{lesson_id}",
            f"{volunteers}/vrijwilligers/{volunteer_id}",
        ],
        "werkgever": [f"{signals}/werkgeversloket"],  # the employer desk, with its figures and form
        "humanitas": [f"{referrals}/", f"{referrals}/aanbod", f"{referrals}/aanbod/nieuw"],
        "lead": [
            f"{reporting}/",
            f"{reporting}/doelen",
            f"{reporting}/lab",
            f"{reporting}/lab/nieuw",
            f"{reporting}/lab/prijzen",
            f"{reporting}/lab/toegankelijk",
            f"{reporting}/lab/toegankelijk/mkba",
            f"{reporting}/lab/bestaat-niet",
            f"{reporting}/export",
            f"{reporting}/export/tellingen.csv?van=2026-13",  # refused beside the field
            f"{signals}/",  # not the lead's: the Dutch 403 page
        ],
    }


def test_no_page_has_a_serious_or_critical_accessibility_violation(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    assert AXE.exists(), "axe-core is missing: run `npm ci` (deploy/local/test.sh does)"
    found: dict[str, list[str]] = {}
    anonymous = ("/inloggen", "/hulp-vragen")
    for url in (*(f"{platform.url('signals')}{path}" for path in anonymous), f"{platform.url('volunteers')}/aanmelden"):
        page.context.clear_cookies()
        page.goto(url)
        found[f"anonymous {url}"] = violations(page)
    found.update(help_pages(page, platform))
    platform.headers("beheerder")
    sign_in(page, platform, "beheerder", ADMIN_PASSWORD, platform.admin_code())
    page.goto(f"{platform.url('signals')}/beheer")
    found["beheerder /beheer"] = violations(page)
    page.goto(f"{platform.url('signals')}/beheer/teams")
    found["beheerder /beheer/teams"] = violations(page)
    for service in ("signals", "referrals", "volunteers", "reporting"):  # the audit log, with a filter refused
        for path in ("/beheer/logboek", "/beheer/logboek?van=gisteren"):
            page.goto(f"{platform.url(service)}{path}")
            found[f"beheerder {service}{path}"] = violations(page)
    for service in ("signals", "volunteers"):  # the settings per municipality: overview and form
        for path in ("/beheer/gemeenten", "/beheer/gemeenten/GM0141"):
            page.goto(f"{platform.url(service)}{path}")
            found[f"beheerder {service}{path}"] = violations(page)
    for account, urls in pages_of(platform).items():
        sign_in(page, platform, account)
        for url in urls:
            page.goto(url)
            found[f"{account} {url}"] = violations(page)
    failing = {where: lines for where, lines in found.items() if lines}
    (artifacts / "axe.txt").write_text(
        "\n".join(f"{where}: {lines or 'no serious or critical violation'}" for where, lines in found.items())
    )
    assert not failing, "\n".join(f"{where}: {line}" for where, lines in failing.items() for line in lines)
    assert len(found) >= 18  # every page above was checked
    # and the check can fail: an image without alternative text and a field without a label are caught
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\"><input>')")
    caught = " ".join(violations(page))
    assert "image-alt" in caught and "label" in caught, caught
