"""Rules of each service's domain module, without servers."""

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.signals.domain import Address, SignalSubmission, household_reference
from services.volunteers.domain import Role, VolunteerCreate, VolunteerStatus, screened_roles
from tests.factories import signal_body

KEY = b"unit-test-pseudonym-key"


def test_household_reference_ignores_spacing_and_case_of_the_address() -> None:
    one = household_reference(KEY, Address(postcode="7607 ab", house_number=12, addition="a"))
    other = household_reference(KEY, Address(postcode="7607AB", house_number=12, addition="A"))
    assert one == other
    assert one.startswith("hh-")


def test_household_reference_differs_per_address_and_per_key() -> None:
    address = Address(postcode="7607 AB", house_number=12)
    assert household_reference(KEY, address) != household_reference(KEY, Address(postcode="7607 AB", house_number=14))
    assert household_reference(KEY, address) != household_reference(b"another-key", address)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"municipality": "GM9999"}, "municipality"),
        ({"arrears_cents": -1}, "arrears_cents"),
        ({"arrears_cents": 10_000_000_000}, "arrears_cents"),
        ({"arrears_since": (date.today() + timedelta(days=3)).isoformat()}, "arrears_since"),
        ({"creditor_type": "casino"}, "creditor_type"),
        ({"address": {"postcode": "12345", "house_number": 1}}, "postcode"),
        ({"person": {"name": ""}}, "name"),
        ({"contract_reference": ""}, "contract_reference"),
    ],
)
def test_invalid_signal_names_the_field_at_fault(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        SignalSubmission.model_validate(signal_body(**changes))
    assert field in str(error.value)


def test_eviction_or_disconnection_makes_a_crisis() -> None:
    assert SignalSubmission.model_validate(signal_body(eviction_planned=True)).crisis
    assert SignalSubmission.model_validate(signal_body(disconnection_planned=True)).crisis
    assert not SignalSubmission.model_validate(signal_body()).crisis


def volunteer(**changes: Any) -> VolunteerCreate:
    fields: dict[str, Any] = {
        "id": "vw-1",
        "name": "A",
        "roles": ["debt_buddy", "budget_coach"],
        "municipalities": ["GM0141"],
        "max_households": 2,
        "status": "active",
        "certificate_of_conduct_date": "2026-01-05",
        "trained_roles": ["debt_buddy"],
    }
    fields.update(changes)
    return VolunteerCreate.model_validate(fields)


def test_only_active_volunteers_with_certificate_and_training_may_be_assigned() -> None:
    assert screened_roles(volunteer()) == [Role.DEBT_BUDDY.value]
    assert screened_roles(volunteer(certificate_of_conduct_date=None)) == []
    assert screened_roles(volunteer(status=VolunteerStatus.APPLICANT)) == []
    assert screened_roles(volunteer(trained_roles=[])) == []
