"""One past-date type: every model that records a day on which something happened refuses a later day alike."""

from datetime import date, timedelta

import pytest
from pydantic import BaseModel, ValidationError

from plumbing.dates import PastDate
from services.signals.casework import ContactAttemptCreate
from services.signals.evictions import EvictionReport
from services.volunteers.domain import Screening


class Happened(BaseModel):
    on: PastDate


def test_today_and_earlier_are_accepted_and_tomorrow_is_refused_naming_the_field() -> None:
    assert Happened(on=date.today()).on == date.today()
    assert Happened(on=date(2020, 2, 29)).on == date(2020, 2, 29)
    with pytest.raises(ValidationError) as refused:
        Happened(on=date.today() + timedelta(days=1))
    (problem,) = refused.value.errors()
    assert problem["loc"] == ("on",) and "lies in the future" in problem["msg"]


@pytest.mark.parametrize(
    ("model", "field"),
    [(ContactAttemptCreate, "on"), (EvictionReport, "on"), (Screening, "certificate_of_conduct_date")],
)
def test_the_services_models_refuse_a_day_to_come_alike(model: type[BaseModel], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate({field: (date.today() + timedelta(days=1)).isoformat()})
    assert [problem["msg"] for problem in refused.value.errors() if problem["loc"] == (field,)] == [
        "Value error, lies in the future"
    ]
