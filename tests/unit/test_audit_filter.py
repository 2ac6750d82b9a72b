"""The audit log page's filter: days in Dutch time, both ends included; what cannot be used is named in Dutch."""

from datetime import UTC, datetime

from plumbing.admin_pages import parse_filter


def test_the_days_asked_for_are_dutch_days_with_both_ends_included() -> None:
    asked, errors = parse_filter({"van": "2026-12-02", "tot": "2026-12-02", "wie": " anna ", "actie": "sign_out"})
    assert errors == {}
    query = asked.query()
    assert (query["who"], query["action"]) == ("anna", "sign_out")
    # 2 December in Amsterdam (winter time, UTC+1) runs from 1 December 23:00 UTC up to 2 December 23:00 UTC
    assert query["at"]["$gte"].astimezone(UTC) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert query["at"]["$lt"].astimezone(UTC) == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    summer, _ = parse_filter({"van": "2026-07-01"})
    assert summer.query() == {"at": {"$gte": datetime(2026, 6, 30, 22, 0, tzinfo=UTC)}}  # summer time, UTC+2


def test_a_date_that_cannot_be_used_is_named_and_left_out() -> None:
    asked, errors = parse_filter({"van": "1-12-2026", "tot": "2026-12-31"})
    assert errors == {"van": "Vul een geldige datum in (dag-maand-jaar)."}
    assert "$gte" not in asked.query()["at"]
    backwards, errors = parse_filter({"van": "2026-12-10", "tot": "2026-12-01"})
    assert errors == {"tot": "De einddatum ligt vóór de begindatum."}
    assert backwards.query() == {"at": {"$gte": datetime(2026, 12, 9, 23, 0, tzinfo=UTC)}}
    assert parse_filter({})[0].query() == {}
