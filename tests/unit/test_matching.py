"""Matching a household's needs to help offers, with the reasons in words."""

from typing import Any

import pytest
from pydantic import ValidationError

from services.referrals.domain import (
    DebtPhase,
    IllegalTransition,
    MatchRequest,
    OfferCreate,
    OfferStatus,
    ReferralState,
    check_transition,
    exclusion,
    rank,
    reasons,
)

NEEDS_DEBT = MatchRequest(municipality="GM0141", needs=["debt_help"])


def offer(offer_id: str, **changes: Any) -> OfferCreate:
    fields: dict[str, Any] = {
        "id": offer_id,
        "name": offer_id,
        "organisation": "org",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "capacity_available": 3,
        "capacity_maximum": 5,
    }
    fields.update(changes)
    return OfferCreate.model_validate(fields)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"capacity_available": 0}, "geen plek vrij"),
        ({"status": OfferStatus.INACTIVE}, "niet actief"),
        ({"status": OfferStatus.TEMPORARILY_CLOSED}, "niet actief"),
        ({"municipalities": ["GM0150"]}, "werkt niet in deze gemeente"),
        ({"needs": ["youth"]}, "helpt niet bij deze hulpvraag"),
    ],
)
def test_offer_that_cannot_take_the_household_is_left_out_with_the_reason(changes: dict[str, Any], reason: str) -> None:
    excluded = offer("excluded", **changes)
    assert exclusion(excluded, NEEDS_DEBT) == reason
    assert rank([excluded], NEEDS_DEBT) == []


def test_age_limits_of_the_youth_perspective_fund_hold_at_their_edges() -> None:
    fund = offer("jpf", age_minimum=18, age_maximum=27)
    for band, fits in (("0-17", False), ("18-27", True), ("28-66", False)):
        request = MatchRequest(municipality="GM0141", needs=["debt_help"], age_band=band)
        assert (exclusion(fund, request) is None) is fits, band
    unknown = rank([fund], NEEDS_DEBT)
    assert "leeftijd onbekend: controleer de leeftijdsgrens" in reasons(unknown[0], NEEDS_DEBT)


def test_more_needs_served_ranks_first_then_the_asked_phase_then_the_most_room() -> None:
    request = MatchRequest(municipality="GM0141", needs=["debt_help", "budget_coaching"], phase="early_intervention")
    offers = [
        offer("roomy-curative", capacity_available=5),
        offer("early-half", phase=DebtPhase.EARLY_INTERVENTION, capacity_available=2, capacity_maximum=4),
        offer("both-needs", needs=["debt_help", "budget_coaching"], capacity_available=1),
    ]
    ranked = rank(offers, request)
    assert [item.offer.id for item in ranked] == ["both-needs", "early-half", "roomy-curative"]
    assert reasons(ranked[1], request) == ["helpt bij schuldhulp", "2 van 4 plekken vrij", "in de gevraagde fase"]


def test_offer_cannot_have_more_places_free_than_it_has_or_an_inverted_age_range() -> None:
    with pytest.raises(ValidationError, match="capacity_available may not exceed capacity_maximum"):
        offer("too-many", capacity_available=6, capacity_maximum=5)
    with pytest.raises(ValidationError, match="age_minimum may not exceed age_maximum"):
        offer("inverted", age_minimum=30, age_maximum=18)


def test_unknown_age_band_is_refused() -> None:
    with pytest.raises(ValidationError, match="age_band"):
        MatchRequest(municipality="GM0141", needs=["debt_help"], age_band="30-40")


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (ReferralState.REQUESTED, ReferralState.COMPLETED),
        (ReferralState.REQUESTED, ReferralState.IN_PROGRESS),
        (ReferralState.DECLINED, ReferralState.ACCEPTED),
        (ReferralState.COMPLETED, ReferralState.CANCELLED),
        (ReferralState.CANCELLED, ReferralState.ACCEPTED),
        (ReferralState.IN_PROGRESS, ReferralState.DECLINED),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_error(current: ReferralState, wanted: ReferralState) -> None:
    with pytest.raises(IllegalTransition, match=f"a {current.value} referral cannot become {wanted.value}"):
        check_transition(current, wanted)


def test_the_closed_loop_is_allowed() -> None:
    for current, wanted in (
        (ReferralState.REQUESTED, ReferralState.ACCEPTED),
        (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS),
        (ReferralState.IN_PROGRESS, ReferralState.COMPLETED),
        (ReferralState.REQUESTED, ReferralState.DECLINED),
        (ReferralState.ACCEPTED, ReferralState.CANCELLED),
    ):
        check_transition(current, wanted)
