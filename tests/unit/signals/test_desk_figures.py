"""What an employer sees of its desk: counts below the threshold (zero too) hidden, only months that are over, and
desk codes that can be typed loosely but not guessed into another's."""

from datetime import UTC, date, datetime

from services.signals.desk_figures import NOT_SHOWN, anonymous, month_label, months_before, picked_up_shown, tally
from services.signals.employer_desk import ALPHABET, new_desk_code, normalised, shown, well_formed


def test_a_count_below_five_shows_only_that_it_is_below_zero_included() -> None:
    assert [anonymous(count) for count in (0, 1, 4, 5, 12)] == [
        "minder dan 5",
        "minder dan 5",
        "minder dan 5",
        "5",
        "12",
    ]


def test_picked_up_is_hidden_too_when_the_few_not_picked_up_could_be_read_from_it() -> None:
    # (requests, picked up) -> shown; the number not picked up is requests - picked up
    cases = {(12, 10): NOT_SHOWN, (9, 5): NOT_SHOWN, (12, 8): NOT_SHOWN, (12, 7): "7", (12, 12): "12",
             (6, 3): "minder dan 5", (3, 3): "minder dan 5", (0, 0): "minder dan 5"}  # fmt: skip
    assert {key: picked_up_shown(*key) for key in cases} == cases
    not_picked_up = {key: key[0] - key[1] for key, shown in cases.items() if shown.isdigit()}
    assert all(count == 0 or count >= 5 for count in not_picked_up.values()), "no small difference can be read"


def test_only_the_months_that_are_over_newest_first_across_a_new_year() -> None:
    months = months_before(date(2026, 2, 1), 3)
    assert months == ["2026-01", "2025-12", "2025-11"]
    assert month_label("2025-12") == "december 2025"


def test_the_tally_counts_this_employers_requests_per_month_and_those_picked_up() -> None:
    at = datetime(2026, 1, 9, tzinfo=UTC)
    cases = [
        {"outcome": "follow_up_financial", "help_requests": [{"at": at, "employer_id": "a"}]},
        {"outcome": "no_help_wanted", "help_requests": [{"at": at, "employer_id": "a"}]},
        {"outcome": None, "help_requests": [{"at": at, "employer_id": "a"}, {"at": at, "employer_id": "b"}]},
        {"outcome": "quick_fix", "help_requests": [{"at": datetime(2025, 6, 1, tzinfo=UTC), "employer_id": "a"}]},
    ]
    requests, picked_up = tally(cases, "a", ["2026-01", "2025-12"])
    assert (dict(requests), dict(picked_up)) == ({"2026-01": 3}, {"2026-01": 1})


def test_a_desk_code_reads_easily_and_is_typed_loosely() -> None:
    codes = {new_desk_code() for _ in range(200)}
    assert len(codes) == 200 and all(well_formed(code) for code in codes)
    assert not set("01ILO") & set(ALPHABET), "no look-alikes"
    code = next(iter(codes))
    assert normalised(f" {shown(code).lower()} ") == code and shown(code)[4] == "-"
    assert not well_formed("ABCD123") and not well_formed("ABCD-1234") and not well_formed("ABCDEFG0")
