"""The micro-MKBA arithmetic against values computed by hand (the computation is in the comments)."""

from typing import Any

import pytest
from pydantic import ValidationError

from services.reporting.lab.mkba import (
    DEFAULT_PRICES,
    Analysis,
    DuplicatePrice,
    Effect,
    Investment,
    Price,
    Stakeholder,
    UnknownPrice,
    analyse,
    split_incentive,
)
from services.reporting.labels import STAKEHOLDERS

# 3 years at 4%: factors 1, 1/1.04 = 0.9615385, 1/1.04^2 = 1/1.0816 = 0.9245562; together 2.8860947
EVICTION = Price(key="eviction", label="Huisuitzetting", unit="per huisuitzetting", low=600_000, expected=800_000,
                 high=1_000_000)  # fmt: skip
DEBT_HELP = Price(key="debt_help_trajectory", label="Schuldhulptraject", unit="per traject", low=250_000,
                  expected=300_000, high=350_000)  # fmt: skip
CENT = Price(key="cent", label="Een cent", unit="per stuk", low=1, expected=1, high=1)
PRICES = [EVICTION, DEBT_HELP, CENT]


def small_case() -> Analysis:
    """The housing corporation avoids evictions; the municipality pays for more debt-help trajectories and for the
    project's budget (two years given for a three-year horizon: the third year is 0)."""
    return Analysis(
        horizon_years=3,
        discount_percent=4.0,
        effects=[
            Effect(stakeholder=Stakeholder.HOUSING_CORPORATION, description="Minder huisuitzettingen",
                   price_key="eviction", direction="benefit", null_per_year=[10, 10, 10], project_per_year=[6, 4, 4],
                   uncertainty_percent=25),
            Effect(stakeholder=Stakeholder.MUNICIPALITY, description="Meer schuldhulptrajecten",
                   price_key="debt_help_trajectory", direction="cost", null_per_year=[20, 20, 20],
                   project_per_year=[30, 30, 30]),
        ],
        investments=[Investment(payer=Stakeholder.MUNICIPALITY, per_year=[2_000_000, 1_000_000])],
    )  # fmt: skip


def one_year(quantity: float, price_key: str = "cent") -> Analysis:
    effect = Effect(stakeholder=Stakeholder.HOUSEHOLD, description="x", price_key=price_key, direction="benefit",
                    null_per_year=[quantity], project_per_year=[0])  # fmt: skip
    return Analysis(horizon_years=1, effects=[effect])


def locations(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[Any, ...]]:
    return [tuple(problem["loc"]) for problem in error.value.errors()]


def test_net_present_value_and_ratio_of_a_small_case_match_the_hand_computation() -> None:
    expected = analyse(small_case(), PRICES).expected
    # evictions avoided 4, 6, 6: 4 + 6/1.04 + 6/1.0816 = 15.3165680 x 800_000 = 12_253_254.44 cents
    assert expected.benefits_pv == 12_253_254
    # trajectories added 10 a year: 10 x 2.8860947 x 300_000 = 8_658_284.02
    # budget: 2_000_000 + 1_000_000/1.04 + 0 = 2_961_538.46; costs 8_658_284.02 + 2_961_538.46 = 11_619_822.49
    assert expected.costs_pv == 11_619_822
    # 12_253_254.44 - 11_619_822.49 = 633_431.95; 12_253_254.44 / 11_619_822.49 = 1.0545
    assert expected.net_present_value == 633_432
    assert expected.benefit_cost_ratio == 1.05


def test_the_brief_example_three_years_of_a_thousand_euro_at_four_percent() -> None:
    budget = Analysis(horizon_years=3, investments=[Investment(payer=Stakeholder.COOPERATIVE, per_year=[100_000] * 3)])
    # 1000 + 1000/1.04 + 1000/1.04^2 = 1000 + 961.538 + 924.556 = 2886.09 euro
    assert analyse(budget, PRICES).expected.costs_pv == 288_609


def test_each_year_is_discounted_from_the_first_year_undiscounted() -> None:
    rows = analyse(small_case(), PRICES).per_year
    assert [row.index for row in rows] == [0, 1, 2]
    assert [row.discount_factor for row in rows] == [1.0, 0.961538, 0.924556]  # 1, 1/1.04, 1/1.0816
    # costs: budget + 10 trajectories x 300_000: 2_000_000 + 3_000_000, 1_000_000 + 3_000_000, 0 + 3_000_000
    assert [row.costs for row in rows] == [5_000_000, 4_000_000, 3_000_000]
    assert [row.benefits for row in rows] == [3_200_000, 4_800_000, 4_800_000]  # 4, 6, 6 evictions x 800_000
    # 4_000_000/1.04 = 3_846_153.85; 3_000_000/1.0816 = 2_773_668.64
    assert [row.costs_pv for row in rows] == [5_000_000, 3_846_154, 2_773_669]
    # 4_800_000/1.04 = 4_615_384.62; 4_800_000/1.0816 = 4_437_869.82
    assert [row.benefits_pv for row in rows] == [3_200_000, 4_615_385, 4_437_870]


def test_who_pays_and_who_benefits_per_stakeholder() -> None:
    result = analyse(small_case(), PRICES)
    municipality = result.expected.per_stakeholder[Stakeholder.MUNICIPALITY]
    corporation = result.expected.per_stakeholder[Stakeholder.HOUSING_CORPORATION]
    # the municipality bears the trajectories and the budget: 8_658_284.02 + 2_961_538.46 = 11_619_822.49
    assert (municipality.pays_pv, municipality.benefits_pv, municipality.net) == (11_619_822, 0, -11_619_822)
    assert (corporation.pays_pv, corporation.benefits_pv, corporation.net) == (0, 12_253_254, 12_253_254)
    assert list(result.expected.per_stakeholder) == [Stakeholder.MUNICIPALITY, Stakeholder.HOUSING_CORPORATION]
    assert split_incentive(result) == [Stakeholder.MUNICIPALITY]


def test_low_takes_the_pessimistic_and_high_the_optimistic_end_of_prices_and_quantities() -> None:
    result = analyse(small_case(), PRICES)
    # low: evictions at 600_000 and 25% fewer avoided: 15.3165680 x 0.75 x 600_000 = 6_892_455.62
    # trajectories at 350_000: 28.8609467 x 350_000 = 10_101_331.36; plus the budget 2_961_538.46 = 13_062_869.82
    assert (result.low.benefits_pv, result.low.costs_pv) == (6_892_456, 13_062_870)
    assert result.low.net_present_value == -6_170_414  # 6_892_455.62 - 13_062_869.82
    # high: 15.3165680 x 1.25 x 1_000_000 = 19_145_710.06; 28.8609467 x 250_000 + 2_961_538.46 = 10_176_775.15
    assert (result.high.benefits_pv, result.high.costs_pv) == (19_145_710, 10_176_775)
    assert result.high.net_present_value == 8_968_935
    assert (result.low.benefit_cost_ratio, result.high.benefit_cost_ratio) == (0.53, 1.88)  # 0.5276, 1.8813


def test_scenarios_are_ordered_also_when_the_project_does_worse_in_a_year() -> None:
    worse = small_case().model_copy(deep=True)
    worse.effects[0].project_per_year = [12, 4, 4]  # one year with more evictions than without the project
    worse.effects.append(Effect(stakeholder=Stakeholder.MUNICIPALITY, description="Minder trajecten", direction="cost",
                                price_key="debt_help_trajectory", null_per_year=[5], project_per_year=[2],
                                uncertainty_percent=50))  # fmt: skip
    for analysis in (small_case(), worse):
        result = analyse(analysis, PRICES)
        assert result.low.net_present_value <= result.expected.net_present_value <= result.high.net_present_value
        for who, balance in result.expected.per_stakeholder.items():
            assert result.low.per_stakeholder[who].net <= balance.net <= result.high.per_stakeholder[who].net


def test_without_costs_there_is_no_ratio_and_no_split_incentive() -> None:
    result = analyse(one_year(3), PRICES)
    assert (result.expected.costs_pv, result.expected.benefits_pv) == (0, 3)
    assert result.expected.benefit_cost_ratio is None
    assert split_incentive(result) == []


def test_nobody_gaining_is_no_split_incentive() -> None:
    budget = Analysis(horizon_years=1, investments=[Investment(payer=Stakeholder.MUNICIPALITY, per_year=[100])])
    assert split_incentive(analyse(budget, PRICES)) == []


def test_money_is_rounded_half_even_once_at_the_end() -> None:
    # half a cent a year over 3 years: 0.5 + 0.5/1.04 + 0.5/1.0816 = 1.443 -> 1 cent; rounding each year first
    # (0.5 -> 0, 0.48 -> 0, 0.46 -> 0) would give 0
    half = Effect(stakeholder=Stakeholder.HOUSEHOLD, description="x", price_key="cent", direction="benefit",
                  null_per_year=[0.5] * 3, project_per_year=[])  # fmt: skip
    spread = Analysis(horizon_years=3, effects=[half])
    result = analyse(spread, PRICES)
    assert result.expected.benefits_pv == 1
    assert [row.benefits for row in result.per_year] == [0, 0, 0]
    # 2.5 cents -> 2, 3.5 cents -> 4 (half even)
    assert analyse(one_year(2.5), PRICES).expected.benefits_pv == 2
    assert analyse(one_year(3.5), PRICES).expected.benefits_pv == 4


def test_the_ratio_is_rounded_half_even_from_its_exact_value() -> None:
    def ratio(benefit_cents: int) -> float | None:
        analysis = one_year(benefit_cents).model_copy(
            update={"investments": [Investment(payer=Stakeholder.COOPERATIVE, per_year=[1000])]}
        )
        return analyse(analysis, PRICES).expected.benefit_cost_ratio

    assert ratio(1015) == 1.02  # exactly 1.015 (binary floats would make it 1.01)
    assert ratio(1025) == 1.02  # exactly 1.025, half even
    assert ratio(2000) == 2.0


def test_a_price_range_out_of_order_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as low_above_high:
        Price(key="eviction", label="x", unit="x", low=1_000_000, expected=800_000, high=600_000)
    assert locations(low_above_high) == [("expected",), ("high",)]
    with pytest.raises(ValidationError) as expected_above_high:
        Price(key="eviction", label="x", unit="x", low=100, expected=300, high=200)
    assert locations(expected_above_high) == [("high",)]
    with pytest.raises(ValidationError) as negative:
        Price(key="eviction", label="x", unit="x", low=-1, expected=300, high=400)
    assert locations(negative) == [("low",)]


def test_per_year_lists_longer_than_the_horizon_are_refused_naming_the_field() -> None:
    case = small_case().model_dump()
    case["effects"][1]["project_per_year"] = [30, 30, 30, 30]
    case["investments"][0]["per_year"] = [1, 2, 3, 4]
    with pytest.raises(ValidationError) as error:
        Analysis.model_validate(case)
    assert locations(error) == [("effects", 1, "project_per_year"), ("investments", 0, "per_year")]
    assert "at most 3 years" in str(error.value)


def test_bad_numbers_in_an_analysis_are_refused_naming_the_field() -> None:
    case = small_case().model_dump()
    case |= {"horizon_years": 31, "discount_percent": 16}
    case["effects"][0]["null_per_year"] = [10, -1, 10]
    case["effects"][0]["stakeholder"] = "bank"
    with pytest.raises(ValidationError) as error:
        Analysis.model_validate(case)
    assert set(locations(error)) == {
        ("horizon_years",), ("discount_percent",), ("effects", 0, "stakeholder"), ("effects", 0, "null_per_year", 1)
    }  # fmt: skip


def test_an_unknown_price_key_is_refused_naming_the_effect() -> None:
    case = small_case()
    case.effects[1].price_key = "sick_leave_day"
    with pytest.raises(UnknownPrice) as error:
        analyse(case, PRICES)
    assert error.value.field == "effects.1.price_key"
    assert "sick_leave_day" in error.value.message
    with pytest.raises(UnknownPrice):
        case.validate_against(PRICES)
    case.validate_against(DEFAULT_PRICES)  # the default list holds it


def test_a_price_list_with_a_key_twice_is_refused() -> None:
    with pytest.raises(DuplicatePrice) as error:
        analyse(small_case(), [*PRICES, EVICTION])
    assert error.value.field == "prices.3.key"


def test_the_default_prices_are_labelled_in_dutch_and_usable() -> None:
    keys = [price.key for price in DEFAULT_PRICES]
    assert len(keys) == len(set(keys)) and {"eviction", "debt_help_trajectory", "sick_leave_day"} <= set(keys)
    assert set(STAKEHOLDERS) == set(Stakeholder)
    result = analyse(small_case(), DEFAULT_PRICES)
    assert result.expected.benefits_pv == 12_253_254  # the same eviction range as the hand-computed case


def test_an_analysis_and_its_result_survive_json() -> None:
    case = small_case()
    assert Analysis.model_validate_json(case.model_dump_json()) == case
    dumped = analyse(case, PRICES).model_dump(mode="json")
    assert dumped["expected"]["per_stakeholder"]["municipality"]["net"] == -11_619_822
