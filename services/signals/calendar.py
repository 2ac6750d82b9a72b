"""Working days for outreach deadlines: weekends and the public holidays of the Algemene termijnenwet.

Written here rather than taken from the `holidays` package, because the law's list is not the package's: the
Algemene termijnenwet (art. 3) counts Bevrijdingsdag every year and Goede Vrijdag never, while `holidays` for the
Netherlands has Good Friday and Liberation Day only in lustrum years. The unit tests hold this calendar to the
package's for every other day, so its Easter arithmetic is checked against a well-kept source."""

from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year: int) -> date:
    """Gregorian Easter (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:  # on a Sunday it moves to the Saturday before
        kings_day = date(year, 4, 26)
    return frozenset(
        {
            date(year, 1, 1),  # Nieuwjaarsdag
            easter + timedelta(days=1),  # Tweede Paasdag
            kings_day,  # Koningsdag
            date(year, 5, 5),  # Bevrijdingsdag
            easter + timedelta(days=39),  # Hemelvaartsdag
            easter + timedelta(days=50),  # Tweede Pinksterdag
            date(year, 12, 25),  # Eerste Kerstdag
            date(year, 12, 26),  # Tweede Kerstdag
        }
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
