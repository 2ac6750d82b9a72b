"""A resident asks for help in the browser (Hulp vragen: self-test, advice, consent, confirmation); an outreach
worker of that municipality then finds the request in the queue as "Zelf aangemeld" and opens it."""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.platform import Platform, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_a_resident_asks_for_help_and_the_request_shows_in_the_queue_as_self_reported(
    platform: Platform, page: Page, artifacts: Path
) -> None:
    signals = platform.url("signals")
    page.context.clear_cookies()
    page.goto(f"{signals}/inloggen")
    page.get_by_role("link", name="Vraag hier hulp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hulp vragen bij geldzorgen")
    page.get_by_label("Het is krap, soms kom ik tekort").check()
    page.get_by_label("Huur of hypotheek").check()
    page.get_by_label("Energie", exact=True).check()
    page.get_by_label("In welke gemeente woont u?").select_option(label="Almelo")
    page.screenshot(path=str(artifacts / "help-self-test.png"), full_page=True)
    page.get_by_role("button", name="Bekijk het advies").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ons advies")
    expect(page.get_by_role("heading", name="De schuldhulp van uw gemeente kan u helpen")).to_be_visible()
    consent = page.get_by_label(re.compile("Ik geef toestemming"))
    expect(consent).not_to_be_checked()
    page.get_by_label("Uw naam").fill("Noor Bakker")
    page.get_by_role("radio", name="Bellen").check()
    page.get_by_label(re.compile("^Telefoonnummer")).fill("06 24681357")
    page.get_by_label("Postcode", exact=True).fill("7607 AB")
    page.get_by_label("Huisnummer").fill("77")
    page.get_by_role("button", name="Hulp aanvragen").click()  # without consent: nothing is stored
    expect(page.get_by_text("Vink aan dat u toestemming geeft.")).to_be_visible()
    expect(page.get_by_label("Uw naam")).to_have_value("Noor Bakker")
    page.screenshot(path=str(artifacts / "help-advice-without-consent.png"), full_page=True)
    page.get_by_label(re.compile("Ik geef toestemming")).check()
    page.get_by_role("button", name="Hulp aanvragen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Uw hulpvraag is ontvangen")
    next_steps = page.get_by_role("main").get_by_role("list")
    expect(next_steps).to_contain_text(re.compile(r"gemeente Almelo neemt binnen\s+\d+ werkdagen\s+contact met u op"))
    expect(next_steps).to_contain_text("door u te bellen")
    page.screenshot(path=str(artifacts / "help-received.png"), full_page=True)

    sign_in(page, platform, "almelo")
    page.goto(f"{signals}/?gemeente=GM0141&wijk=7607")
    row = page.get_by_role("row").filter(has_text="Zelf aangemeld")
    expect(row).to_have_count(1)
    page.screenshot(path=str(artifacts / "help-in-queue.png"), full_page=True)
    row.get_by_role("link", name=re.compile("Postcode 7607")).click()
    page.get_by_label("Contact opnemen met het huishouden").check()
    page.get_by_role("button", name="Casus openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casus 7607 · Almelo")
    expect(page.get_by_text("via Hulp vragen, zonder schuldeiser")).to_be_visible()
    expect(page.get_by_text("Noor Bakker").first).to_be_visible()
    expect(page.get_by_text("06 24681357").first).to_be_visible()
    expect(page.get_by_text("Geen signalen van schuldeisers: de bewoner meldde zich zelf.")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Schuldeiser")).to_have_count(0)
    page.screenshot(path=str(artifacts / "help-case.png"), full_page=True)

    # reporting counts the resident as reached directly, apart from those reached via partners
    sign_in(page, platform, "lead")
    page.goto(f"{platform.url('reporting')}/")
    card = page.get_by_role("listitem").filter(has=page.get_by_text("Mensen met schulden bereikt", exact=True))
    deadline = time.monotonic() + 60
    while "1 direct via het portaal" not in card.inner_text() and time.monotonic() < deadline:
        time.sleep(1)
        page.goto(f"{platform.url('reporting')}/")
    expect(card).to_contain_text("0 via partners · 1 direct via het portaal")
    card.screenshot(path=str(artifacts / "help-reached-directly.png"))
