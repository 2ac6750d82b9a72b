"""How the settings pages read what an administrator types, and the Dutch messages beside a field."""

import pytest
from pydantic import BaseModel, Field, ValidationError

from plumbing.municipality_settings import dutch_errors
from plumbing.municipality_settings_pages import SettingField

AMOUNT = SettingField("threshold_cents", "drempel", "Drempel", "", kind="amount")
DAYS = SettingField("term_working_days", "termijn", "Termijn", "", unit="werkdagen")
CHOICE = SettingField("manual_assignment", "toewijzen", "Toewijzen", "", kind="choice",
                      choices=((True, "Handmatig"), (False, "Automatisch")))  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("50", 5_000), ("50,5", 5_050), ("50,05", 5_005), ("1.250,00", 125_000), ("1250,99", 125_099), ("€ 0", 0)],
)
def test_an_amount_in_dutch_notation_is_read_in_cents(typed: str, cents: int) -> None:
    assert AMOUNT.parsed(typed) == (cents, "")


@pytest.mark.parametrize("typed", ["12.5", "1,234", "-5", "vijftig", "1.25,00", "12,"])
def test_an_amount_that_is_not_one_is_refused_in_dutch(typed: str) -> None:
    assert AMOUNT.parsed(typed) == (None, "Vul een bedrag in euro in, bijvoorbeeld 50 of 1.250,00.")


@pytest.mark.parametrize("cents", [0, 1, 99, 5_000, 123_456, 10_000_000])
def test_the_form_shows_an_amount_as_it_reads_it_back(cents: int) -> None:
    assert AMOUNT.parsed(AMOUNT.in_form(cents)) == (cents, "")


def test_empty_fields_numbers_and_choices() -> None:
    assert AMOUNT.parsed("  ") == DAYS.parsed("") == CHOICE.parsed("") == (None, "Vul dit in.")
    assert DAYS.parsed("15") == (15, "")
    assert DAYS.parsed("1,5") == (None, "Vul een heel getal in.")
    assert (CHOICE.parsed("ja"), CHOICE.parsed("nee")) == ((True, ""), (False, ""))
    assert CHOICE.parsed("soms") == (None, "Kies een van de mogelijkheden.")
    assert (DAYS.shown(15), AMOUNT.shown(123_456), CHOICE.shown(False)) == ("15 werkdagen", "€ 1.234,56", "Automatisch")


class Bounded(BaseModel):
    threshold_cents: int = Field(ge=0, le=10_000_000)
    term_working_days: int = Field(ge=1, le=60)


def test_a_bound_is_named_in_dutch_beside_the_forms_field_in_euro_for_an_amount() -> None:
    with pytest.raises(ValidationError) as refused:
        Bounded(threshold_cents=20_000_000, term_working_days=0)
    names = {"threshold_cents": "drempel", "term_working_days": "termijn"}
    assert dutch_errors(refused.value, names, amounts=["threshold_cents"]) == {
        "drempel": "Mag hoogstens € 100.000,00 zijn.",
        "termijn": "Moet minstens 1 zijn.",
    }
