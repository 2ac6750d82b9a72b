"""Driving a page with the keyboard only (Tab, Enter, Space, arrows and typing), as a person without a mouse does."""

from datetime import date

from playwright.sync_api import Page

from tests.e2e.platform import STAFF_PASSWORD, Platform

# what a person would call the focused element: its aria-label, its label, its text or its value
FOCUSED_NAME = (
    "() => { const e = document.activeElement; if (!e) return '';"
    " const label = e.labels && e.labels.length ? e.labels[0].innerText : '';"
    " return (e.getAttribute('aria-label') || label || e.innerText || e.value || '').trim(); }"
)


def focused_name(page: Page) -> str:
    return str(page.evaluate(FOCUSED_NAME))


def tab_to(page: Page, name: str, limit: int = 300) -> None:
    """Presses Tab until the focused element's name starts with `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_name(page).startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def tab_to_id(page: Page, element_id: str, limit: int = 300) -> None:
    """Presses Tab until the element with this id has the focus (one of many fields with the same label)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def choose(page: Page, starting_with: str, limit: int = 60) -> None:
    """In the focused list box, arrows down to the option whose text starts with `starting_with`."""
    for _ in range(limit):
        chosen = page.evaluate("() => { const s = document.activeElement; return s.options[s.selectedIndex].text; }")
        if str(chosen).startswith(starting_with):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {starting_with!r}")


def type_date(page: Page, day: date) -> None:
    """Types a day into the focused date field, segment by segment. Chromium orders the segments by the browser's
    own locale (month first on these machines), not by the page's language; the field's value is checked."""
    page.keyboard.type(day.strftime("%m%d%Y"))
    if page.evaluate("() => document.activeElement.value") != day.isoformat():
        raise AssertionError(f"the date field did not take {day}: its segments are in another order")


def enter(page: Page) -> None:
    """Enter on a link or in a form, and the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def retype(page: Page, text: str) -> None:
    """Replaces what the focused field holds."""
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def sign_in_with_keyboard(
    page: Page, platform: Platform, username: str, password: str = STAFF_PASSWORD, code: str = ""
) -> None:
    page.context.clear_cookies()
    page.goto(f"{platform.url('signals')}/inloggen")
    tab_to(page, "Gebruikersnaam")
    page.keyboard.type(username)
    tab_to(page, "Wachtwoord")
    page.keyboard.type(password)
    if code:
        tab_to(page, "Code uit de authenticator-app")
        page.keyboard.type(code)
    enter(page)
    page.wait_for_load_state()
