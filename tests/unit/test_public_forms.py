"""The public forms' limits that need no server: whose address a submission came from, the fingerprint that
recognises the same submission, and the rate limit's sliding minute."""

from starlette.requests import Request

from plumbing.public_forms import client_address, fingerprint, room, seconds_to_wait
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


def test_the_rate_counts_the_previous_minute_for_the_part_still_within_the_last_60_seconds() -> None:
    assert (room(0, 0.0, 10), room(10, 30.0, 10), room(4, 45.0, 10), room(10, 6.0, 10)) == (10, 5, 9, 1)
    assert room(10, 0.5, 10) == 0, "a burst across a minute's end gets no second allowance"


def fits(previous: int, current: int, at: float, per_minute: int) -> bool:
    """Would one more submission fit `at` seconds into this minute (or, past 60, into the next), none in between?"""
    if at < 60:
        return previous * (1 - at / 60) + current + 1 <= per_minute
    return current * (1 - (at - 60) / 60) + 1 <= per_minute


def test_the_wait_after_a_refusal_is_the_first_whole_second_at_which_one_more_fits() -> None:
    for previous, current, elapsed in [(10, 0, 0.5), (10, 4, 20.0), (10, 10, 20.0), (0, 10, 59.5), (25, 3, 1.0)]:
        wait = seconds_to_wait(previous, current, elapsed, 10)
        assert fits(previous, current, elapsed + wait, 10), (previous, current, elapsed, wait)
        assert wait == 1 or not fits(previous, current, elapsed + wait - 1, 10), (previous, current, elapsed, wait)
