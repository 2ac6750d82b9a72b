"""How long a sign-in waits after wrong passwords: by address, doubling, never a lock-out of the real user."""

from datetime import UTC, datetime, timedelta

from services.signals.access.accounts import sign_in_wait

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def failures(count: int, origin: str, seconds_ago: float = 0) -> list[tuple[datetime, str]]:
    return [(NOW - timedelta(seconds=seconds_ago), origin)] * count


def test_four_wrong_passwords_cost_nothing_and_each_further_one_doubles_the_wait_from_that_address() -> None:
    assert sign_in_wait(failures(4, "a"), "a", NOW) == 0
    assert [sign_in_wait(failures(count, "a"), "a", NOW) for count in (5, 6, 7, 8)] == [2, 4, 8, 16]
    assert sign_in_wait(failures(40, "a"), "a", NOW) == 15 * 60


def test_the_wait_counts_from_the_last_failure_and_other_addresses_do_not_wait() -> None:
    assert sign_in_wait(failures(6, "a", seconds_ago=3), "a", NOW) == 1
    assert sign_in_wait(failures(6, "a", seconds_ago=5), "a", NOW) == 0
    assert sign_in_wait(failures(19, "a"), "b", NOW) == 0


def test_guessing_spread_over_many_addresses_slows_every_address_a_little() -> None:
    spread = [entry for number in range(25) for entry in failures(1, f"10.0.0.{number}")]
    assert sign_in_wait(spread, "192.168.1.5", NOW) == 6
