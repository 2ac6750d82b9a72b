from datetime import date

import pytest
from pydantic import ValidationError

from services.reporting.exports import suppressed
from services.reporting.targets import Progress, Target, project


def test_projection_extends_the_pace_so_far_to_the_end_of_the_period() -> None:
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert project(100, start, end, date(2026, 7, 2)) == 200  # half-way: double
    assert project(100, start, end, date(2027, 3, 1)) == 100  # period over: what was reached
    assert project(100, start, end, date(2025, 12, 1)) is None  # not started


def test_small_counts_are_hidden_only_outside_the_region() -> None:
    assert [suppressed(value, 5, "external") for value in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]
    assert suppressed(3, 5, "internal") == "3"


def test_a_reduction_target_allows_the_baseline_minus_the_reduction_over_the_period() -> None:
    evictions = Target(
        id="e", label="e", kind="reduction", metric="evictions_executed", baseline_per_year=40,
        start=date(2026, 1, 1), end=date(2028, 12, 31),
    )  # fmt: skip
    assert evictions.goal == 60  # three years of 40, halved
    assert Progress(evictions, 10, 16.7, projected=55).on_track is True
    assert Progress(evictions, 30, 50.0, projected=65).on_track is False
    unknown = evictions.model_copy(update={"baseline_per_year": None})
    assert unknown.goal is None and Progress(unknown, 10, 0.0, projected=55).on_track is None


def test_a_reach_target_needs_a_number_and_a_period_that_ends_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="target: required"):
        Target(id="r", label="r", metric="households_reached", start=date(2026, 1, 1), end=date(2026, 12, 31))
    with pytest.raises(ValidationError, match="end: must come after start"):
        Target(id="r", label="r", metric="x", target=5, start=date(2026, 1, 1), end=date(2025, 12, 31))
