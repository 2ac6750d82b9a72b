"""Rules of each service's domain module, without servers."""

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.referrals.domain import DebtPhase, OfferCreate, OfferStatus, rank
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


def test_matching_skips_full_inactive_and_out_of_area_offers() -> None:
    offers = [
        offer("full", capacity_available=0),
        offer("closed", status=OfferStatus.TEMPORARILY_CLOSED),
        offer("elsewhere", municipalities=["GM0150"]),
        offer("fits"),
    ]
    assert [o.id for o in rank(offers, "GM0141")] == ["fits"]


def test_matching_prefers_early_intervention_then_most_room() -> None:
    offers = [
        offer("curative-roomy", capacity_available=5),
        offer("early-small", phase=DebtPhase.EARLY_INTERVENTION, capacity_available=1),
        offer("early-roomy", phase=DebtPhase.EARLY_INTERVENTION, capacity_available=4),
    ]
    assert [o.id for o in rank(offers, "GM0141")] == ["early-roomy", "early-small", "curative-roomy"]


def test_offer_cannot_have_more_places_free_than_it_has() -> None:
    with pytest.raises(ValidationError, match="capacity_available may not exceed capacity_maximum"):
        offer("too-many", capacity_available=6, capacity_maximum=5)


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
