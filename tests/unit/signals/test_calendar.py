from datetime import date

import pytest

from services.signals.calendar import add_working_days, easter_sunday, is_working_day, public_holidays


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28))],
)
def test_easter_falls_on_the_known_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_public_holidays_of_2026() -> None:
    assert public_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 4, 6),
        date(2026, 4, 27),
        date(2026, 5, 5),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 12, 25),
        date(2026, 12, 26),
    }


def test_kings_day_on_a_sunday_moves_to_the_saturday_before() -> None:
    assert date(2025, 4, 26) in public_holidays(2025)
    assert date(2025, 4, 27) not in public_holidays(2025)


def test_weekends_and_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert is_working_day(date(2026, 4, 7))


def test_working_days_skip_weekend_and_holidays() -> None:
    assert add_working_days(date(2026, 11, 20), 3) == date(2026, 11, 25)  # Friday + 3 = Wednesday
    assert add_working_days(date(2026, 4, 2), 3) == date(2026, 4, 8)  # over Easter Monday
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 29)  # over Christmas and a weekend
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # over New Year's Day into 2027


@pytest.mark.parametrize("year", range(2020, 2051))
def test_the_holidays_agree_with_the_holidays_package_except_where_the_law_differs(year: int) -> None:
    """The package has Good Friday and Easter and Whit Sunday (a Sunday is no working day anyway), and Liberation
    Day only in lustrum years; the Algemene termijnenwet has 5 May every year and no Good Friday."""
    import holidays  # a development dependency: the second source these dates are checked against

    listed = holidays.Netherlands(years=year)
    expected = {day for day, name in listed.items() if name not in ("Good Friday", "Easter Sunday", "Pentecost")}
    expected.add(date(year, 5, 5))
    assert public_holidays(year) == expected
