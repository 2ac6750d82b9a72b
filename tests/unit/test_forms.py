"""From a model's refusal to the Dutch message beside each form field (plumbing.forms), as every service's pages do."""

from datetime import date

import pytest
from pydantic import BaseModel, Field, ValidationError, model_validator

from plumbing.forms import GENERAL, messages_beside_fields, outermost_field


class Step(BaseModel):
    due: date


class Plan(BaseModel):
    name: str = Field(min_length=2)
    hours: int = Field(ge=0, le=24)
    steps: list[Step] = []
    start: int = 0
    end: int = 0

    @model_validator(mode="after")
    def _ordered(self) -> "Plan":
        if self.end < self.start:
            raise ValueError("end before start")
        return self


FIELDS = {"name": ("naam", "Vul een naam in."), "hours": ("uren", "Tussen 0 en 24.")}


def refusal(**data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Plan.model_validate({"name": "Plan", "hours": 1, **data})
    return caught.value


def test_each_field_at_fault_gets_its_message_under_the_forms_name() -> None:
    assert messages_beside_fields(refusal(name="x", hours=30), FIELDS) == {
        "naam": "Vul een naam in.",
        "uren": "Tussen 0 en 24.",
    }


def test_a_problem_of_a_field_the_table_does_not_name_is_said_above_the_form_or_left_out() -> None:
    error = refusal(steps=[{"due": "gisteren"}])
    assert messages_beside_fields(error, FIELDS) == {GENERAL[0]: GENERAL[1]}
    assert messages_beside_fields(error, FIELDS, fallback=None) == {}


def test_a_rule_across_fields_is_named_by_the_special_case_before_the_table() -> None:
    def order(problem: object) -> tuple[str, str] | None:
        return ("einde", "Het einde ligt voor het begin.") if "end before start" in str(problem) else None

    assert messages_beside_fields(refusal(start=5, end=1), FIELDS, special=order) == {
        "einde": "Het einde ligt voor het begin."
    }


def test_a_nested_field_is_found_by_the_pages_own_locate_and_by_default_by_its_outermost_name() -> None:
    error = refusal(steps=[{"due": "2026-01-01"}, {"due": "nooit"}])
    assert [outermost_field(problem) for problem in error.errors()] == ["steps"]
    nested = {"due": ("stap_datum", "Vul een datum in.")}
    assert messages_beside_fields(error, nested, locate=lambda problem: str(problem["loc"][-1])) == {
        "stap_datum": "Vul een datum in."
    }


def test_the_first_problem_of_a_field_is_the_one_shown() -> None:
    error = refusal(steps=[{"due": "a"}, {"due": "b"}])
    messages = {"steps": ("stappen", "Controleer de stappen.")}
    assert messages_beside_fields(error, messages) == {"stappen": "Controleer de stappen."}
    assert len(error.errors()) == 2
