"""The programme lead, with the keyboard only: from the dashboard to the export page, a wrong month refused beside
its field, then the counters of a municipality and its DDAS-vroegsignalering downloaded as CSV; both audited."""

import csv
import io
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keyboard import choose, enter, retype, sign_in_with_keyboard, tab_to
from tests.e2e.platform import Platform
from tests.e2e.test_vertical_slice import SIGNAL

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def rows(path: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))


def test_the_programme_lead_goes_from_the_dashboard_to_the_exports_with_the_keyboard_only(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    signals, reporting = platform.url("signals"), platform.url("reporting")
    signal = {**SIGNAL, "address": {"postcode": "7607 AB", "house_number": 77}}
    sent = httpx.post(f"{signals}/api/v1/signals", json=signal, headers=platform.partner_headers())
    assert sent.status_code == 202, sent.text
    month = date.today().strftime("%Y-%m")

    sign_in_with_keyboard(page, platform, "lead")
    page.goto(f"{reporting}/")
    tab_to(page, "Exporteren")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Exporteren")
    tab_to(page, "Eerste maand (jjjj-mm)")
    retype(page, "2026-13")
    tab_to(page, "Tellingen downloaden (CSV)")
    enter(page)
    expect(page.locator("#van-fout")).to_have_text("Vul de eerste maand in als jjjj-mm, bijvoorbeeld 2026-01.")

    tab_to(page, "Eerste maand (jjjj-mm)")
    retype(page, month)
    tab_to(page, "Laatste maand (jjjj-mm)")
    retype(page, month)
    tab_to(page, "Gemeente")
    choose(page, "Almelo")
    tab_to(page, "buiten de regio")  # the checked one of the group has the focus; the arrow picks the other
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.value") == "internal"
    page.screenshot(path=str(artifacts / "reporting-export.png"), full_page=True)
    tab_to(page, "Tellingen downloaden (CSV)")
    with page.expect_download() as counters_download:
        page.keyboard.press("Enter")
    counted = rows(counters_download.value.path())
    lead = platform.headers("lead")
    api = httpx.get(
        f"{reporting}/api/v1/counters", params={"municipality": "GM0141", "start": month, "end": month}, headers=lead
    ).json()
    assert counted[0] == ["municipality", "month", "metric", "total", "distinct"]
    assert counted[1:] == [
        [row["municipality"], row["month"], row["metric"], str(row["total"]), str(row["distinct"])] for row in api
    ]

    tab_to(page, "DDAS-vroegsignalering downloaden (CSV)")
    with page.expect_download() as ddas_download:
        page.keyboard.press("Enter")
    ddas = rows(ddas_download.value.path())
    first_day = date.today().replace(day=1).isoformat()
    figures = httpx.get(
        f"{signals}/api/v1/export/ddas",
        params={"municipality": "GM0141", "start": first_day, "end": ddas[1][2]},
        headers=platform.headers("outreach"),
    ).json()
    assert ddas[0] == ["gemeente", "van", "tot_en_met", "onderdeel", "soort", "aantal"]
    by_figure = {(part, kind): int(count) for *_, part, kind, count in ddas[1:]}
    assert by_figure[("signalen", "totaal")] == figures["signalen"]["totaal"] >= 1
    assert by_figure[("huishoudens_met_signaal", "totaal")] == figures["huishoudens_met_signaal"]

    admin = platform.headers("beheerder")
    for service, record in (("reporting", "export:counters:internal:GM0141"), ("signals", "ddas:GM0141:")):
        log = httpx.get(
            f"{platform.url(service)}/beheer/logboek",
            params={"wie": "lead", "actie": "export.downloaded"},
            headers=admin,
        )
        assert log.status_code == 200 and f"<code>{record}" in log.text, service
