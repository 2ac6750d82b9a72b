"""The programme lead runs a Schuldenlab project in the browser only: registers it, is refused a start until it has
a leader, a steering group and a budget, takes it through every gate, enters an MKBA and reads who pays and who
benefits, sees a KPI move as evictions are reported, and is refused the scale-up without a financing model."""

import re
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.platform import Platform, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def decide(page: Page, why: str, financing: str = "") -> None:
    page.get_by_label("Go: door naar", exact=False).check()
    page.get_by_label("Waarom", exact=True).fill(why)
    page.get_by_label("Op welk bewijs (cijfers, MKBA, monitoring)").fill("KPI op doel, MKBA positief")
    if financing:
        page.get_by_label("Duurzaam financieringsmodel", exact=False).fill(financing)
    page.get_by_role("button", name="Besluit vastleggen").click()


def test_a_project_from_idea_to_scale_up_in_the_browser(platform: Platform, page: Page, artifacts: Path) -> None:
    lab = platform.url("reporting")
    sign_in(page, platform, "lead")
    page.goto(f"{lab}/lab/nieuw")
    page.get_by_label("Code (kleine letters, cijfers en streepjes)").fill("huurpilot-e2e")
    page.get_by_label("Titel", exact=True).fill("Huurpilot Almelo")
    page.get_by_label("Innovatiethema", exact=True).fill("Rol van de gemeente in schuldenproblematiek")
    page.get_by_label("Vroege interventie").check()
    page.get_by_label("Best practice, toegesneden op de regio").check()
    page.get_by_label("Gemeente", exact=True).select_option(label="Almelo")
    page.get_by_role("button", name="Project registreren").click()
    expect(page.get_by_role("status")).to_have_text("Project geregistreerd als idee.")

    page.get_by_role("button", name="Project starten (fase Ontwikkelen)").click()
    expect(page.get_by_role("alert")).to_contain_text("projectleider")
    page.goto(f"{lab}/lab/huurpilot-e2e/wijzigen")
    page.get_by_label("Naam", exact=True).fill("Fatima el Idrissi")
    page.get_by_label("Organisatie", exact=True).fill("Gemeente Almelo")
    page.get_by_label("Stuurgroep: partijen met een belang (één per regel)").fill("Gemeente Almelo\nBeter Wonen")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    page.get_by_role("button", name="Project starten (fase Ontwikkelen)").click()
    expect(page.get_by_role("alert")).to_contain_text("begroting")
    page.goto(f"{lab}/lab/huurpilot-e2e/wijzigen")
    page.locator("#jaar_0").fill(str(date.today().year))
    page.locator("#bedrag_0").fill("40.000")
    page.locator("#betaler_0").fill("Gemeente Almelo")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.locator("[data-figure=budget-total]")).to_have_text("€ 40.000,00")
    page.get_by_role("button", name="Project starten (fase Ontwikkelen)").click()
    expect(page.get_by_role("status")).to_contain_text("Opgeslagen")
    expect(page.locator(".lead")).to_contain_text("Ontwikkelen")

    page.goto(f"{lab}/lab/huurpilot-e2e/mkba")
    page.get_by_label("Looptijd in jaren").fill("2")
    page.get_by_label("Discontovoet in procent").fill("4")
    page.locator("#omschrijving_0").fill("minder huisuitzettingen")
    page.locator("#belanghebbende_0").select_option("housing_corporation")
    page.locator("#prijs_0").select_option("eviction")
    page.locator("#zonder_0").fill("10; 10")
    page.locator("#met_0").fill("5; 5")
    page.locator("#betaler_0").select_option("municipality")
    page.locator("#bedragen_0").fill("40000")
    page.get_by_role("button", name="MKBA opslaan en doorrekenen").click()
    prices = httpx.get(f"{lab}/api/v1/lab/prices", headers=platform.headers("lead")).json()
    eviction = next(price["expected"] for price in prices if price["key"] == "eviction")
    # by hand: 5 evictions avoided in each of two years, the second discounted once at 4%; 40,000 euro paid in year 1
    benefits, costs = 5 * eviction + 5 * eviction / 1.04, 4_000_000
    npv = round(benefits - costs)
    shown = page.locator("[data-figure=npv-expected]").inner_text()
    assert shown == dutch_euro(npv), (shown, npv)
    expect(page.locator("[data-figure=net-municipality]")).to_have_text(dutch_euro(-costs))
    expect(page.locator("[data-figure=split]")).to_contain_text("Gemeente")
    page.screenshot(path=str(artifacts / "lab-project-mkba.png"), full_page=True)

    before = kpi_value(platform)
    page.get_by_label("Naam", exact=True).fill("Huisuitzettingen in Almelo")
    page.get_by_label("Teller", exact=True).select_option("evictions_executed")
    page.locator("#kpi-gemeente").select_option(label="Almelo")
    page.get_by_label("hoogstens het doel per maand (daling)").check()
    page.get_by_label("Nulmeting per maand", exact=True).fill("4")
    page.get_by_label("Doel per maand", exact=True).fill("2")
    page.get_by_role("button", name="KPI toevoegen").click()
    expect(page.locator("[data-figure=kpi-kpi-1]")).to_have_text(str(before))
    for number in range(2):
        report = {
            "municipality": "GM0141",
            "address": {"postcode": "7607 AB", "house_number": 300 + number},
            "outcome": "executed",
            "on": date.today().isoformat(),
        }
        headers = platform.partner_headers() | {"Idempotency-Key": f"lab-e2e-eviction-{number}"}
        posted = httpx.post(f"{platform.url('signals')}/api/v1/evictions", json=report, headers=headers)
        assert posted.status_code in (200, 201, 202), posted.text
    deadline = time.monotonic() + 60
    while kpi_value(platform) < before + 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    page.reload()
    expect(page.locator("[data-figure=kpi-kpi-1]")).to_have_text(str(before + 2))
    page.screenshot(path=str(artifacts / "lab-project-kpi.png"), full_page=True)

    for why, phase in (
        ("probleem begrepen", "Valideren"),
        ("businesscase sluit", "Experimenteren"),
        ("pilot werkt", "Realiseren"),
    ):
        decide(page, why)
        expect(page.locator(".lead")).to_contain_text(phase)
    decide(page, "klaar om op te schalen")
    expect(page.get_by_role("alert")).to_contain_text("financieringsmodel")
    decide(page, "klaar om op te schalen", financing="Structureel in de begroting van gemeente en corporatie")
    expect(page.locator(".lead")).to_contain_text("Opgeschaald")
    expect(page.get_by_role("table", name="Go/No-Go-besluiten")).to_contain_text("Realiseren → Opgeschaald")
    page.screenshot(path=str(artifacts / "lab-project-scaled-up.png"), full_page=True)
    page.goto(f"{lab}/lab")
    expect(page.get_by_role("region", name=re.compile("^Opgeschaald"))).to_contain_text("Huurpilot Almelo")
    page.screenshot(path=str(artifacts / "lab-board.png"), full_page=True)


def kpi_value(platform: Platform) -> int:
    project = httpx.get(
        f"{platform.url('reporting')}/api/v1/lab/projects/huurpilot-e2e", headers=platform.headers("lead")
    ).json()
    kpis = project["kpis"]
    if not kpis:
        counted = httpx.get(
            f"{platform.url('reporting')}/api/v1/counters",
            params={"municipality": "GM0141", "metric": "evictions_executed", "start": date.today().strftime("%Y-%m")},
            headers=platform.headers("lead"),
        ).json()
        return sum(row["total"] for row in counted)
    latest: int = kpis[0]["latest"]
    return latest


def dutch_euro(cents: float) -> str:
    whole, rest = divmod(abs(round(cents)), 100)
    return ("− " if cents < 0 else "") + f"€ {whole:,}".replace(",", ".") + f",{rest:02d}"
