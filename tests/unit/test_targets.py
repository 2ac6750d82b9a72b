from datetime import date

from services.reporting.api import suppressed
from services.reporting.targets import project


def test_projection_extends_the_pace_so_far_to_the_end_of_the_period() -> None:
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert project(100, start, end, date(2026, 7, 2)) == 200  # half-way: double
    assert project(100, start, end, date(2027, 3, 1)) == 100  # period over: what was reached
    assert project(100, start, end, date(2025, 12, 1)) is None  # not started


def test_small_counts_are_hidden_only_outside_the_region() -> None:
    assert [suppressed(value, 5, "external") for value in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]
    assert suppressed(3, 5, "internal") == "3"
