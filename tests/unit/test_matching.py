"""Matching a household's needs to help offers, with the reasons in words."""

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.referrals.domain import (
    DebtPhase,
    IllegalTransition,
    MatchRequest,
    Need,
    OfferCreate,
    OfferKind,
    OfferStatus,
    ReferralState,
    check_transition,
)
from services.referrals.matching import exclusion, prepare, rank, reasons
from services.referrals.needs import NEEDS_AFTER_OUTCOME, CaseFacts, needs_of

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


def demo_catalogue() -> list[OfferCreate]:
    spec = importlib.util.spec_from_file_location("demo", Path(__file__).resolve().parents[2] / "deploy/local/demo.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    return [OfferCreate.model_validate(fields) for fields in demo.OFFERS]


def test_follow_up_financial_in_almelo_is_never_referred_to_the_outreach_it_came_from() -> None:
    needs = needs_of(CaseFacts(outcome="follow_up_financial"))
    ranked = rank(demo_catalogue(), MatchRequest(municipality="GM0141", needs=needs))
    assert ranked, "the demo catalogue has help for Almelo"
    assert ranked[0].offer.kind is not OfferKind.OUTREACH
    assert "vroeg-erop-af-almelo" not in [item.offer.id for item in ranked]


def test_outreach_offer_is_left_out_with_the_reason() -> None:
    outreach = offer("erop-af", kind="outreach", needs=["debt_help"])
    assert exclusion(outreach, NEEDS_DEBT) == "is zelf een outreachprogramma, geen hulp om naar te verwijzen"
    assert rank([outreach], NEEDS_DEBT) == []


@pytest.mark.parametrize(
    ("needs", "kind"),
    [
        (["debt_help", "youth"], OfferKind.YOUTH),
        (["debt_settlement"], OfferKind.DEBT_SETTLEMENT),
        (["income_management"], OfferKind.INCOME_MANAGEMENT),
        (["budget_coaching", "debt_help"], OfferKind.DEBT_HELP),
        (["social_support"], OfferKind.DEBT_HELP),
    ],
)
def test_offer_stored_without_a_kind_gets_one_from_its_needs_and_never_outreach(
    needs: list[str], kind: OfferKind
) -> None:
    assert offer("old", needs=needs).kind is kind


@pytest.mark.parametrize("needs", [True, "debt_help", {"youth": 1}, [{}], None])
def test_offer_with_malformed_needs_is_refused_naming_the_needs(needs: Any) -> None:
    fields = {"id": "bad", "name": "x", "organisation": "o", "phase": "curative", "municipalities": ["GM0141"]}
    with pytest.raises(ValidationError) as refused:
        OfferCreate.model_validate({**fields, "needs": needs, "capacity_available": 1, "capacity_maximum": 1})
    assert {error["loc"][0] for error in refused.value.errors()} == {"needs"}


def test_exact_age_is_checked_against_the_offers_ages_and_a_band_only_roughly() -> None:
    narrow = offer("jongeren-18-23", age_minimum=18, age_maximum=23)
    at = {age: MatchRequest(municipality="GM0141", needs=["debt_help"], age=age) for age in (17, 18, 23, 24, 27)}
    assert {age: exclusion(narrow, request) is None for age, request in at.items()} == {
        17: False,
        18: True,
        23: True,
        24: False,
        27: False,
    }
    assert at[27].age_band == "18-27"
    band_only = MatchRequest(municipality="GM0141", needs=["debt_help"], age_band="18-27")
    ranked = rank([narrow], band_only)
    assert "alleen leeftijdsgroep 18-27 bekend: controleer de leeftijdsgrens" in reasons(ranked[0], band_only)
    assert "leeftijd past (23 jaar)" in reasons(rank([narrow], at[23])[0], at[23])


def test_age_that_contradicts_the_band_is_refused() -> None:
    with pytest.raises(ValidationError, match="age_band 28-66 does not contain age 23"):
        MatchRequest(municipality="GM0141", needs=["debt_help"], age=23, age_band="28-66")


@pytest.mark.parametrize(
    ("case", "added"),
    [
        (CaseFacts("follow_up_financial", age=23), [Need.YOUTH]),
        (CaseFacts("follow_up_financial", age=28), []),
        (CaseFacts("follow_up_financial", age_band="18-27"), [Need.YOUTH]),  # an event from before the age
        (CaseFacts("follow_up_financial", creditor_count=3), [Need.DEBT_SETTLEMENT]),
        (CaseFacts("follow_up_financial", creditor_count=1, total_arrears_cents=650_000), [Need.DEBT_SETTLEMENT]),
        (CaseFacts("follow_up_financial", creditor_count=2, total_arrears_cents=90_000), []),
        (CaseFacts("follow_up_non_financial", age=20, creditor_count=5), []),
    ],
)
def test_youth_and_debt_settlement_needs_follow_from_the_case(case: CaseFacts, added: list[Need]) -> None:
    broad = list(NEEDS_AFTER_OUTCOME[case.outcome])
    assert needs_of(case) == broad + added


def test_youth_fund_and_collective_settlement_outrank_broad_offers_for_the_people_they_exist_for() -> None:
    catalogue = [
        offer("broad", needs=["debt_help", "budget_coaching"], capacity_available=5, capacity_maximum=5),
        offer("jpf", needs=["debt_help", "youth"], age_minimum=18, age_maximum=27, capacity_available=1),
        offer("collectief", needs=["debt_settlement"], capacity_available=1),
    ]

    def best(case: CaseFacts) -> str:
        request = MatchRequest(municipality="GM0141", needs=needs_of(case), age=case.age)
        return rank(catalogue, request)[0].offer.id

    assert best(CaseFacts("follow_up_financial", age=45)) == "broad"
    assert best(CaseFacts("follow_up_financial", age=22)) == "jpf"
    assert best(CaseFacts("follow_up_financial", age=45, creditor_count=4)) == "collectief"
    assert best(CaseFacts("follow_up_financial", age=29)) == "broad"  # 29 is past the fund's ages


def test_offers_already_tried_for_the_household_are_left_out() -> None:
    catalogue = [offer("first", capacity_available=5), offer("second")]
    assert [item.offer.id for item in rank(catalogue, NEEDS_DEBT, tried=frozenset({"first"}))] == ["second"]
    assert exclusion(catalogue[0], prepare(NEEDS_DEBT, frozenset({"first"}))) == "al geprobeerd voor dit huishouden"


# the programmes of the Schuldenlab plan (seeds/004_7a47c39db307b998.txt) as the demo catalogue must name them
SEED_PROGRAMMES = {
    "vroeg-erop-af-almelo": "Vroeg erop af!",
    "schuldenspecialisten-almelo": "Inzet schuldenspecialisten",
    "jongeren-perspectief-fonds": "Jongeren Perspectief Fonds",
    "doorbraakmethode": "Doorbraakmethode",
    "collectief-schuldregelen": "Collectief schuldregelen",
    "rub-zorgverzekering": "Regeling Uitstroom Bijstandsgerechtigden (RUB)",
}


def test_demo_catalogue_names_the_seed_programmes_as_the_seed_does() -> None:
    names = {item.id: item.name for item in demo_catalogue()}
    assert {offer_id: names.get(offer_id) for offer_id in SEED_PROGRAMMES} == SEED_PROGRAMMES
