"""Ranking volunteers for a request, without a database."""

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.volunteers.domain import Screening, VolunteerCreate, propose
from services.volunteers.settings import VolunteersSettings


def volunteer(volunteer_id: str, free: int, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "_id": volunteer_id,
        "name": volunteer_id,
        "assignable_roles": ["debt_buddy"],
        "municipalities": ["GM0141"],
        "free_places": free,
        "max_households": 3,
        "languages": ["nl"],
        "households_served": [],
    }
    document.update(changes)
    return document


def test_someone_who_knows_the_household_comes_first_then_the_language_then_the_most_room() -> None:
    pool = [
        volunteer("roomy", 3),
        volunteer("speaks-tr", 1, languages=["nl", "tr"]),
        volunteer("knows", 1, households_served=["hh-1"]),
    ]
    ranked = propose(pool, "debt_buddy", "GM0141", "tr", "hh-1")
    assert [candidate.volunteer_id for candidate in ranked] == ["knows", "speaks-tr", "roomy"]
    assert ranked[0].reasons == ["kent dit huishouden al", "1 van 3 plekken vrij", "spreekt geen tr"]


def test_fairness_spreads_work_to_the_volunteer_with_the_most_free_places() -> None:
    ranked = propose([volunteer("busy", 1), volunteer("free", 3)], "debt_buddy", "GM0141", None, None)
    assert [candidate.volunteer_id for candidate in ranked] == ["free", "busy"]


def test_full_unscreened_or_out_of_area_volunteers_are_not_proposed() -> None:
    pool = [
        volunteer("full", 0),
        volunteer("unscreened", 2, assignable_roles=[]),
        volunteer("elsewhere", 2, municipalities=["GM0150"]),
    ]
    assert propose(pool, "debt_buddy", "GM0141", None, None) == []


def test_a_volunteer_whose_certificate_of_conduct_has_expired_is_not_proposed_until_renewed() -> None:
    settings = VolunteersSettings(certificate_of_conduct_valid_years=3)
    oldest = settings.certificates_from(date(2026, 12, 2))
    assert oldest == date(2023, 12, 2)
    pool = [
        volunteer("renewed", 2, certificate_of_conduct_date="2026-01-15"),
        volunteer("just-valid", 2, certificate_of_conduct_date="2023-12-02"),
        volunteer("expired", 2, certificate_of_conduct_date="2023-12-01"),
        volunteer("never", 2),
    ]
    ranked = propose(pool, "debt_buddy", "GM0141", None, None, certificates_from=oldest)
    assert sorted(candidate.volunteer_id for candidate in ranked) == ["just-valid", "renewed"]


def test_the_term_of_a_certificate_counts_from_29_february_to_28_february() -> None:
    settings = VolunteersSettings(certificate_of_conduct_valid_years=1)
    assert settings.certificates_from(date(2028, 2, 29)) == date(2027, 2, 28)


def test_a_certificate_of_conduct_dated_in_the_future_is_refused_naming_the_field() -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for model, fields in (
        (Screening, {"trained_roles": ["debt_buddy"]}),
        (VolunteerCreate, {"id": "vw-1", "name": "A", "roles": ["debt_buddy"], "municipalities": ["GM0141"]}),
    ):
        with pytest.raises(ValidationError) as refused:
            model.model_validate({**fields, "certificate_of_conduct_date": tomorrow})
        assert [error["loc"] for error in refused.value.errors()] == [("certificate_of_conduct_date",)]
