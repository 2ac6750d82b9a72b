"""Micro-MKBA (social cost-benefit analysis) of an innovation project, after "Werken aan maatschappelijk rendement"
(BZK, 2011): the project alternative against the null alternative, effects per stakeholder valued from the
cooperative's price list, discounted over a horizon. Pure arithmetic, no I/O.

Conventions:
- Money is in euro cents as `int`: forms and JSON carry integers exactly (a `Decimal` travels as a string in JSON
  and as Decimal128 in MongoDB), a price list needs no fractions of a cent, and sums of ints are exact. Inside the
  arithmetic everything is a `Decimal`; each figure of the result is rounded half-even to a cent from its exact value
  (so a net figure may differ by a cent from the difference of two rounded figures). Ratios are floats, 2 decimals.
- Rates are percentages (`4.0` is 4%).
- Years: index t = 0 is the first year and is not discounted; year t counts with factor 1 / (1 + r)^t.
- An effect counts a quantity per year (e.g. evictions) in the null and in the project alternative, priced per unit.
  `benefit`: the quantity is something the stakeholder pays for and the project lowers it; the benefit is the
  avoided cost (null - project) x price. `cost`: the project raises a quantity the stakeholder pays for (e.g. more
  debt-help trajectories); the cost is (project - null) x price. A value of the wrong sign stays on its side (a
  benefit effect where the project does worse lowers the benefits).
- Investments (the project's own budget) are costs to their payer, the same in every scenario.
- Scenarios: `expected` uses the expected prices and the quantities as given. `low` is the pessimistic end: per
  effect the price (low or high) and the quantity difference (minus or plus `uncertainty_percent`) that give the
  smallest benefit or the largest cost over the horizon; `high` the optimistic end. So low <= expected <= high NPV.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

Scenario = Literal["low", "expected", "high"]
SCENARIOS: tuple[Scenario, ...] = ("low", "expected", "high")
EURO = 100  # cents


class Stakeholder(StrEnum):
    MUNICIPALITY = "municipality"
    CREDITOR = "creditor"
    HOUSING_CORPORATION = "housing_corporation"
    HEALTH_INSURER = "health_insurer"
    EMPLOYER = "employer"
    HOUSEHOLD = "household"
    ENERGY_WATER = "energy_water"
    COOPERATIVE = "cooperative"
    OTHER = "other"


# at most EUR 100 billion: beyond any project, and within what the database stores as a 64-bit integer
Cents = Annotated[int, Field(ge=0, le=10**13, description="Euro cents.")]
Quantity = Annotated[float, Field(ge=0, le=10**9, allow_inf_nan=False)]


class Price(BaseModel):
    """What one unit of an effect is worth, as a range: low <= expected <= high (euro cents)."""

    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$", examples=["eviction"])
    label: str = Field(min_length=1, max_length=200, examples=["Kosten van een huisuitzetting"])
    unit: str = Field(min_length=1, max_length=100, examples=["per huisuitzetting"])
    low: Cents
    expected: Cents
    high: Cents

    @field_validator("expected")
    @classmethod
    def _expected_at_least_low(cls, value: int, info: ValidationInfo) -> int:
        if "low" in info.data and value < info.data["low"]:
            raise PydanticCustomError("price_range", "must be at least low ({low})", {"low": info.data["low"]})
        return value

    @field_validator("high")
    @classmethod
    def _high_at_least_the_rest(cls, value: int, info: ValidationInfo) -> int:
        below = info.data.get("expected", info.data.get("low"))
        if below is not None and value < below:
            raise PydanticCustomError("price_range", "must be at least expected and low ({below})", {"below": below})
        return value


class Effect(BaseModel):
    """An effect of the project for one stakeholder: a quantity per year in both alternatives, priced by `price_key`.
    Per-year lists shorter than the horizon mean 0 for the remaining years."""

    stakeholder: Stakeholder
    description: str = Field(min_length=1, max_length=500)
    price_key: str = Field(min_length=1, max_length=64)
    direction: Literal["benefit", "cost"] = Field(
        description="benefit: (null - project) x price, avoided costs; cost: (project - null) x price."
    )
    null_per_year: list[Quantity] = Field(description="Units per year without the project, e.g. evictions.")
    project_per_year: list[Quantity] = Field(description="Units per year with the project.")
    uncertainty_percent: int = Field(
        default=0, ge=0, le=100, description="The quantity difference ranges this percent either way (low / high)."
    )


class Investment(BaseModel):
    """The project's own costs per year (euro cents) and who pays them."""

    payer: Stakeholder
    per_year: list[Cents]


class UnknownPrice(ValueError):
    """An effect refers to a price the price list does not hold."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class DuplicatePrice(ValueError):
    """A price list holds a key twice, so an effect's price would be ambiguous."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class Analysis(BaseModel):
    """A project's micro-MKBA input. The discount rate defaults to the 4% (risk premium included) of the 2011
    handbook's era; the werkgroep discontovoet 2020 has since set 2.25% for Dutch social CBAs."""

    horizon_years: int = Field(ge=1, le=30)
    discount_percent: float = Field(default=4.0, ge=0, le=15, allow_inf_nan=False)
    effects: list[Effect] = Field(default_factory=list)
    investments: list[Investment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _within_horizon(self) -> Self:
        too_long: list[InitErrorDetails] = []
        lists: list[tuple[tuple[str | int, ...], list[float] | list[int]]] = []
        for n, effect in enumerate(self.effects):
            lists += [(("effects", n, "null_per_year"), effect.null_per_year)]
            lists += [(("effects", n, "project_per_year"), effect.project_per_year)]
        lists += [(("investments", n, "per_year"), i.per_year) for n, i in enumerate(self.investments)]
        for loc, values in lists:
            if len(values) > self.horizon_years:
                error = PydanticCustomError(
                    "longer_than_horizon", "at most {horizon} years (horizon_years)", {"horizon": self.horizon_years}
                )
                too_long.append(InitErrorDetails(type=error, loc=loc, input=values))
        if too_long:
            raise ValidationError.from_exception_data(type(self).__name__, too_long)
        return self

    def validate_against(self, prices: Iterable[Price]) -> None:
        """Refuses an effect whose price the list does not hold, naming the field (`effects.<n>.price_key`)."""
        keys = {price.key for price in prices}
        for n, effect in enumerate(self.effects):
            if effect.price_key not in keys:
                raise UnknownPrice(f"effects.{n}.price_key", f"no price {effect.price_key!r} in the price list")


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class StakeholderBalance(_Result):
    pays_pv: int = Field(description="Investments paid and cost effects borne, present value in cents.")
    benefits_pv: int
    net: int


class ScenarioResult(_Result):
    costs_pv: int
    benefits_pv: int
    net_present_value: int
    benefit_cost_ratio: float | None = Field(description="Benefits / costs; None when there are no costs.")
    per_stakeholder: dict[Stakeholder, StakeholderBalance]


class YearRow(_Result):
    """One year of the expected scenario: undiscounted costs and benefits, the factor, and their present values."""

    index: int = Field(description="t: 0 is the first year.")
    discount_factor: float = Field(description="1 / (1 + r)^t, 6 decimals.")
    costs: int
    benefits: int
    costs_pv: int
    benefits_pv: int


class Result(_Result):
    low: ScenarioResult
    expected: ScenarioResult
    high: ScenarioResult
    per_year: list[YearRow]

    def scenario(self, name: Scenario) -> ScenarioResult:
        return {"low": self.low, "expected": self.expected, "high": self.high}[name]


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _ratio(benefits: Decimal, costs: Decimal) -> float | None:
    if costs <= 0:  # no costs (or only negative ones): a ratio would say nothing
        return None
    return float((benefits / costs).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def _padded(values: list[float] | list[int], horizon: int) -> list[Decimal]:
    return [Decimal(str(value)) for value in values] + [Decimal(0)] * (horizon - len(values))


def _differences(effect: Effect, horizon: int) -> list[Decimal]:
    """Units per year that count for the effect's direction: avoided (benefit) or added (cost)."""
    null, project = _padded(effect.null_per_year, horizon), _padded(effect.project_per_year, horizon)
    if effect.direction == "benefit":
        return [n - p for n, p in zip(null, project, strict=True)]
    return [p - n for n, p in zip(null, project, strict=True)]


def _effect_values(effect: Effect, price: Price, units_pv: Decimal) -> dict[Scenario, Decimal]:
    """The effect's present value per scenario; low is the pessimistic end (least benefit, most cost)."""
    spread = Decimal(effect.uncertainty_percent) / 100
    corners = [Decimal(p) * units_pv * (1 + s) for p in (price.low, price.high) for s in (-spread, spread)]
    expected = Decimal(price.expected) * units_pv
    if effect.direction == "benefit":
        return {"low": min(corners), "expected": expected, "high": max(corners)}
    return {"low": max(corners), "expected": expected, "high": min(corners)}


def _scenario(costs: dict[Stakeholder, Decimal], benefits: dict[Stakeholder, Decimal]) -> ScenarioResult:
    total_costs, total_benefits = sum(costs.values(), Decimal(0)), sum(benefits.values(), Decimal(0))
    balances = {
        who: StakeholderBalance(
            pays_pv=_cents(costs[who]), benefits_pv=_cents(benefits[who]), net=_cents(benefits[who] - costs[who])
        )
        for who in Stakeholder
        if who in costs
    }
    return ScenarioResult(
        costs_pv=_cents(total_costs),
        benefits_pv=_cents(total_benefits),
        net_present_value=_cents(total_benefits - total_costs),
        benefit_cost_ratio=_ratio(total_benefits, total_costs),
        per_stakeholder=balances,
    )


def analyse(analysis: Analysis, prices: list[Price]) -> Result:
    """Present values per scenario and stakeholder, and the expected scenario per year. Raises `UnknownPrice` for
    an effect without a price and `DuplicatePrice` for a price list with a key twice."""
    by_key: dict[str, Price] = {}
    for n, price in enumerate(prices):
        if price.key in by_key:
            raise DuplicatePrice(f"prices.{n}.key", f"price {price.key!r} is in the list twice")
        by_key[price.key] = price
    analysis.validate_against(prices)
    horizon = analysis.horizon_years
    with localcontext(prec=34):
        rate = Decimal(str(analysis.discount_percent)) / 100
        factors = [1 / (1 + rate) ** t for t in range(horizon)]
        involved = [effect.stakeholder for effect in analysis.effects] + [i.payer for i in analysis.investments]
        costs = {s: {who: Decimal(0) for who in involved} for s in SCENARIOS}
        benefits = {s: {who: Decimal(0) for who in involved} for s in SCENARIOS}
        year_costs, year_benefits = [Decimal(0)] * horizon, [Decimal(0)] * horizon
        for investment in analysis.investments:
            amounts = _padded(investment.per_year, horizon)
            present = sum((a * f for a, f in zip(amounts, factors, strict=True)), Decimal(0))
            for s in SCENARIOS:
                costs[s][investment.payer] += present
            year_costs = [total + a for total, a in zip(year_costs, amounts, strict=True)]
        for effect in analysis.effects:
            price, units = by_key[effect.price_key], _differences(effect, horizon)
            units_pv = sum((u * f for u, f in zip(units, factors, strict=True)), Decimal(0))
            side = benefits if effect.direction == "benefit" else costs
            for s, value in _effect_values(effect, price, units_pv).items():
                side[s][effect.stakeholder] += value
            values = [u * price.expected for u in units]
            if effect.direction == "benefit":
                year_benefits = [total + v for total, v in zip(year_benefits, values, strict=True)]
            else:
                year_costs = [total + v for total, v in zip(year_costs, values, strict=True)]
        rows = [
            YearRow(
                index=t,
                discount_factor=round(float(factors[t]), 6),
                costs=_cents(year_costs[t]),
                benefits=_cents(year_benefits[t]),
                costs_pv=_cents(year_costs[t] * factors[t]),
                benefits_pv=_cents(year_benefits[t] * factors[t]),
            )
            for t in range(horizon)
        ]
        scenarios = {s: _scenario(costs[s], benefits[s]) for s in SCENARIOS}
    return Result(low=scenarios["low"], expected=scenarios["expected"], high=scenarios["high"], per_year=rows)


def split_incentive(result: Result) -> list[Stakeholder]:
    """Stakeholders that pay more than they gain in the expected scenario while another gains: the split incentive
    the cooperative exists to overcome. Empty when nobody gains."""
    balances = result.expected.per_stakeholder
    if not any(balance.net > 0 for balance in balances.values()):
        return []
    return [who for who, balance in balances.items() if balance.net < 0]


# Estimates for the demo, in the order of magnitude of Dutch social-domain studies (e.g. Regioplan and Hogeschool
# Utrecht, "Schuldhulpverlening loont!", 2011; APE for SZW, "Kosten en baten van schuldhulpverlening", 2011); to be
# replaced by the cooperative's own price list, with its sources, before any figure is used outside the lab.
DEFAULT_PRICES: list[Price] = [
    Price(  # the brief's range from Nibud / Sociaal Werk Nederland estimates: eviction, relocation, shelter
        key="eviction", label="Maatschappelijke kosten van een huisuitzetting", unit="per huisuitzetting",
        low=6_000 * EURO, expected=8_000 * EURO, high=10_000 * EURO,
    ),
    Price(  # a municipal debt-help trajectory, intake to stabilisation and settlement
        key="debt_help_trajectory", label="Kosten van een schuldhulpverleningstraject", unit="per traject",
        low=2_500 * EURO, expected=3_000 * EURO, high=3_500 * EURO,
    ),
    Price(  # the employer's cost of a day of sick leave (wage continued, replacement, lost output)
        key="sick_leave_day", label="Kosten van een dag ziekteverzuim", unit="per verzuimdag",
        low=200 * EURO, expected=250 * EURO, high=400 * EURO,
    ),
    Price(  # the bijstand norm for a single adult to a couple (Participatiewet), paid by the municipality
        key="welfare_month", label="Een maand bijstandsuitkering", unit="per maand",
        low=1_300 * EURO, expected=1_450 * EURO, high=2_050 * EURO,
    ),
    Price(  # the administrator's flat fee for beschermingsbewind, often paid through bijzondere bijstand
        key="guardianship_year", label="Een jaar beschermingsbewind", unit="per jaar",
        low=1_300 * EURO, expected=1_500 * EURO, high=1_900 * EURO,
    ),
    Price(  # what the CAK's bestuursrechtelijke premie (after six months of arrears) adds to the nominal premium,
        # roughly; check the CAK's figure for the current year
        key="cak_premium_month", label="Toeslag bestuursrechtelijke premie (CAK)", unit="per maand",
        low=50 * EURO, expected=75 * EURO, high=100 * EURO,
    ),
    Price(  # disconnecting and reconnecting energy or water, and the arrears written off
        key="disconnection", label="Kosten van afsluiting van energie of water", unit="per afsluiting",
        low=300 * EURO, expected=600 * EURO, high=1_000 * EURO,
    ),
    Price(  # collection and bailiff costs a household avoids when a claim is settled before it escalates
        key="collection_costs", label="Incasso- en deurwaarderskosten", unit="per vordering",
        low=150 * EURO, expected=400 * EURO, high=800 * EURO,
    ),
]  # fmt: skip
