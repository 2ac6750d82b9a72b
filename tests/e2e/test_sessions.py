"""Access that ends before its token expires ends in all four services: signing out, an account deactivated by an
administrator, a member that leaves, a rotated client secret."""

import re
import time
from collections.abc import Callable

import httpx
import pytest

from plumbing.access import SESSION_COOKIE
from tests.e2e.platform import SERVICES, STAFF_PASSWORD, Platform

pytestmark = pytest.mark.e2e

HOME = {"signals": "/", "referrals": "/", "volunteers": "/", "reporting": "/"}
REVOCATION_SECONDS = 30  # published through the outbox and read by every process: about a second here


def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + REVOCATION_SECONDS
    while not check():
        assert time.monotonic() < deadline, f"{what} not within {REVOCATION_SECONDS} s"
        time.sleep(0.2)


def sign_in_with_the_form(platform: Platform, username: str) -> str:
    """The session cookie a browser gets from the sign-in page."""
    response = httpx.post(
        f"{platform.url('signals')}/inloggen", data={"gebruikersnaam": username, "wachtwoord": STAFF_PASSWORD}
    )
    assert response.status_code == 303, response.text
    cookie = response.cookies.get(SESSION_COOKIE)
    assert cookie
    return cookie


def page(platform: Platform, service: str, cookie: str) -> httpx.Response:
    return httpx.get(platform.url(service) + HOME[service], headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})


def sent_to_sign_in(response: httpx.Response) -> bool:
    return response.status_code == 303 and "/inloggen?volgende=" in response.headers.get("location", "")


def test_signing_out_ends_the_session_in_every_service_not_only_in_the_browser(platform: Platform) -> None:
    cookie = sign_in_with_the_form(platform, "outreach")
    other = sign_in_with_the_form(platform, "outreach")  # the same worker on a second computer
    for service in ("signals", "referrals"):
        assert page(platform, service, cookie).status_code == 200, service
    signals_page = page(platform, "signals", cookie).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', signals_page)
    assert csrf

    signed_out = httpx.post(
        f"{platform.url('signals')}/uitloggen",
        data={"csrf": csrf.group(1)},
        headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
    )
    assert signed_out.status_code == 303

    # someone who copied the cookie before the sign-out gets nowhere with it, in any service
    for service in SERVICES:
        until(lambda service=service: sent_to_sign_in(page(platform, service, cookie)), f"{service} refusing it")
    assert page(platform, "signals", other).status_code == 200, "only the session signed out ends"


def test_a_deactivated_account_cannot_sign_in_and_its_tokens_stop_working_everywhere(platform: Platform) -> None:
    admin = platform.headers("beheerder")
    coordinator = platform.headers("coordinator")
    volunteers = f"{platform.url('volunteers')}/api/v1/assignments"
    assert httpx.get(volunteers, headers=coordinator).status_code == 200

    deactivated = httpx.post(f"{platform.url('signals')}/api/v1/accounts/coordinator/deactivate", headers=admin)
    assert deactivated.status_code == 204, deactivated.text

    until(lambda: httpx.get(volunteers, headers=coordinator).status_code == 401, "the token refused")
    form = {"grant_type": "password", "username": "coordinator", "password": STAFF_PASSWORD}
    assert httpx.post(f"{platform.url('signals')}/api/v1/oauth/token", data=form).status_code == 401
    listed = httpx.get(f"{platform.url('signals')}/api/v1/accounts", headers=admin).json()
    assert {item["username"]: item["active"] for item in listed}["coordinator"] is False
    audit = httpx.get(
        f"{platform.url('signals')}/api/v1/audit", params={"record": "account:coordinator"}, headers=admin
    )
    assert [entry["action"] for entry in audit.json()["items"]][:1] == ["account.deactivated"]


def test_deactivating_names_the_account_at_fault(platform: Platform) -> None:
    admin = platform.headers("beheerder")
    accounts = f"{platform.url('signals')}/api/v1/accounts"

    unknown = httpx.post(f"{accounts}/niemand/deactivate", headers=admin)
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith("username:")
    own = httpx.post(f"{accounts}/beheerder/deactivate", headers=admin)
    assert own.status_code == 409 and own.json()["detail"].startswith("username:")
    assert httpx.get(accounts, headers=admin).status_code == 200, "the administrator is still in"


def test_a_member_that_leaves_loses_its_tokens_and_a_rotated_secret_ends_the_old_ones(platform: Platform) -> None:
    admin = platform.headers("beheerder")
    signals = platform.url("signals")
    feedback = f"{signals}/api/v1/feedback"
    leaving, rotating = platform.partner_headers("landstede"), platform.partner_headers("enexis")
    lessons = f"{platform.url('volunteers')}/api/v1/lesson-requests"
    assert httpx.post(lessons, json={}, headers=leaving).status_code == 422  # admitted; the empty request is not
    assert httpx.get(feedback, headers=rotating).status_code == 200
    time.sleep(1)  # tokens count by the second: one got in the very second of a rotation stays valid

    assert httpx.post(f"{signals}/api/v1/partners/landstede/leave", headers=admin).status_code == 204
    rotated = httpx.post(f"{signals}/api/v1/partners/enexis/secret", headers=admin)
    assert rotated.status_code == 200

    until(
        lambda: httpx.post(lessons, json={}, headers=leaving).status_code == 401, "the leaving member's token refused"
    )
    until(lambda: httpx.get(feedback, headers=rotating).status_code == 401, "the token of the old secret refused")
    form = {"grant_type": "client_credentials", "client_id": "enexis", "client_secret": rotated.json()["client_secret"]}
    fresh = httpx.post(f"{signals}/api/v1/oauth/token", data=form).json()["access_token"]
    assert httpx.get(feedback, headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
