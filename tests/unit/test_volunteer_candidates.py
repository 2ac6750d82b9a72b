"""Ranking volunteers for a request, without a database."""

from typing import Any

from services.volunteers.domain import propose


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
