"""The public forms' limits that need no server: whose address a submission came from, the fingerprint that
recognises the same submission, and the rate limiter's memory."""

from starlette.requests import Request

from plumbing.public_forms import TRACKED_ADDRESSES, AddressLimiter, client_address, fingerprint
from services.volunteers.settings import VolunteersSettings

SETTINGS = VolunteersSettings(token_key="unit-test-token-key-0123456789")


def request_from(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers, "client": (peer, 5000)})


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    proxies = frozenset({"10.0.0.2", "10.0.0.3"})
    assert client_address(request_from("203.0.113.9", "198.51.100.1"), proxies) == "203.0.113.9"
    assert client_address(request_from("10.0.0.2", "198.51.100.1"), proxies) == "198.51.100.1"
    # the client may write its own header in front; the nearest address our proxies did not add is the client's
    assert client_address(request_from("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3"), proxies) == "198.51.100.1"
    assert client_address(request_from("10.0.0.2", "1.2.3.4", "198.51.100.1"), proxies) == "198.51.100.1"
    assert client_address(request_from("10.0.0.2"), proxies) == "10.0.0.2"


def test_the_same_submission_gives_the_same_fingerprint_whatever_its_case_spacing_or_order() -> None:
    one = fingerprint(SETTINGS, "sign_up", {"name": "Vera  de Vries", "roles": ["a", "b"]})
    assert one == fingerprint(SETTINGS, "sign_up", {"roles": ["b", "a"], "name": " vera de VRIES"})
    assert one != fingerprint(SETTINGS, "sign_up", {"name": "Vera de Vries", "roles": ["a"]})
    assert one != fingerprint(SETTINGS, "help_request", {"name": "Vera  de Vries", "roles": ["a", "b"]})
    assert "vera" not in one.lower()


def test_the_rate_limit_is_per_address_and_forgets_addresses_idle_for_a_minute() -> None:
    limiter = AddressLimiter(2)
    assert [limiter.retry_after("a", now=0.0) for _ in range(3)] == [0, 0, 30]
    assert limiter.retry_after("b", now=0.0) == 0
    for number in range(TRACKED_ADDRESSES + 1):
        limiter.retry_after(f"x{number}", now=1.0)
    limiter.retry_after("c", now=120.0)
    assert len(limiter.limiter.buckets) == 1
    assert limiter.retry_after("a", now=120.0) == 0
