"""The residents' self-test: the advice its answers give, what a help request must hold, and how a request folds
into a case (self-reported, or the household's own). No servers."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from services.signals.bundling import OPEN, REGISTERED, Policy
from services.signals.calendar import add_working_days
from services.signals.events import CASE_ESCALATED, CASE_OPENED, HELP_REQUESTED
from services.signals.self_reported import SELF_REPORTED, fold_request, new_self_reported_case, request_entry
from services.signals.self_test import Advice, HelpRequestCreate, SelfTest, advise

MONDAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)
POLICY = Policy(threshold_cents=5_000, term_working_days=10)


def answers_of(**answers: Any) -> SelfTest:
    return SelfTest.model_validate({"income": "enough", "municipality": "GM0141", **answers})


@pytest.mark.parametrize(
    ("answers", "advice"),
    [
        ({}, Advice.SELF_HELP),
        ({"income": "tight"}, Advice.VOLUNTEER),
        ({"arrears": ["phone"]}, Advice.VOLUNTEER),
        ({"worries": ["sleep"]}, Advice.VOLUNTEER),
        ({"arrears": ["rent", "energy"]}, Advice.MUNICIPALITY),
        ({"arrears": ["water"], "income": "short"}, Advice.MUNICIPALITY),
        ({"arrears": ["water"], "income": "none"}, Advice.MUNICIPALITY),
        ({"worries": ["bailiff"]}, Advice.MUNICIPALITY),
        ({"worries": ["eviction"]}, Advice.URGENT),
        ({"arrears": ["rent", "energy"], "worries": ["disconnection", "bailiff"]}, Advice.URGENT),
    ],
)
def test_the_advice_follows_the_answers(answers: dict[str, Any], advice: Advice) -> None:
    given = advise(answers_of(**answers))
    assert given.advice is advice
    assert given.title and all(paragraph.strip() for paragraph in given.paragraphs)


def test_the_urgent_advice_says_the_municipality_reaches_out_within_three_working_days() -> None:
    assert "drie werkdagen" in " ".join(advise(answers_of(worries=["eviction"])).paragraphs)


def test_a_municipality_outside_the_region_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        answers_of(municipality="GM9999")
    assert error.value.errors()[0]["loc"] == ("municipality",)


def request(**changes: Any) -> HelpRequestCreate:
    body = {
        "test": {"income": "tight", "arrears": ["rent"], "municipality": "GM0141"},
        "consent": True,
        "name": "Sanne de Vries",
        "contact_by": "phone",
        "phone": "06 12345678",
        "postcode": "7607 ab",
        "house_number": 12,
        **changes,
    }
    return HelpRequestCreate.model_validate(body)


def test_a_request_normalises_postcode_and_employer_code() -> None:
    made = request(employer_code=" wg-alm-4821 ")
    assert (made.postcode, made.employer_code) == ("7607AB", "WG-ALM-4821")
    assert request(employer_code="").employer_code is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent": False}, "consent"),
        ({"name": ""}, "name"),
        ({"contact_by": "pigeon"}, "contact_by"),
        ({"contact_by": "phone", "phone": ""}, "phone"),
        ({"phone": "call me maybe"}, "phone"),
        ({"contact_by": "email"}, "email"),
        ({"contact_by": "email", "email": "not-an-address"}, "email"),
        ({"contact_by": "letter", "city": "Almelo"}, "street"),
        ({"contact_by": "letter", "street": "Grotestraat"}, "city"),
        ({"confirmation_email": True}, "confirmation_email"),
        ({"postcode": "0123 AB"}, "postcode"),
        ({"house_number": 0}, "house_number"),
        ({"employer_code": "x!"}, "employer_code"),
        ({"employer_code": "A" * 17}, "employer_code"),
    ],
)
def test_a_request_names_the_field_at_fault(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        request(**changes)
    assert [problem["loc"][0] for problem in error.value.errors()] == [field]


def test_the_chosen_way_of_contact_needs_only_its_own_field() -> None:
    assert request(contact_by="email", phone="", email="sanne@example.nl").email == "sanne@example.nl"
    assert request(contact_by="letter", phone="", street="Grotestraat", city="Almelo").street == "Grotestraat"


def seal(value: Any) -> str:
    return f"sealed:{sorted(value)}"


def test_a_new_self_reported_case_is_worked_at_once_with_the_municipalitys_term() -> None:
    made = request()
    entry = request_entry("hr-1", made, NOW, seal)
    case = new_self_reported_case("case-x-1", "hh-x", made, NOW, seal)
    folded = fold_request(case, entry, POLICY, MONDAY)
    assert folded.case["origin"] == SELF_REPORTED
    assert (folded.case["status"], folded.case["deadline"]) == (OPEN, add_working_days(MONDAY, 10).isoformat())
    assert (folded.case["creditor_count"], folded.case["creditors"]) == (0, [])
    assert [kind for kind, _ in folded.events] == [HELP_REQUESTED]
    announced = folded.events[0][1].model_dump()
    assert announced["opened_case"] and not announced["bundled"]
    assert "name" not in announced and "phone" not in announced and "postcode" not in announced
    assert entry["personal"].startswith("sealed:") and "Sanne" not in str(entry)


def test_a_reported_eviction_gives_the_crisis_term() -> None:
    made = request(test={"income": "short", "worries": ["eviction"], "municipality": "GM0141"})
    case = new_self_reported_case("case-x-1", "hh-x", made, NOW, seal)
    folded = fold_request(case, request_entry("hr-1", made, NOW, seal), POLICY, MONDAY)
    assert folded.case["crisis"] and folded.case["deadline"] == add_working_days(MONDAY, 3).isoformat()


def creditor_case(status: str, deadline: str | None = None) -> dict[str, Any]:
    return {
        "_id": "case-y-1",
        "household_ref": "hh-y",
        "municipality": "GM0141",
        "status": status,
        "crisis": False,
        "deadline": deadline,
        "creditor_count": 1,
        "total_arrears_cents": 3_000,
        "creditors": [{"partner": "woonstad", "creditor_type": "rent", "arrears_cents": 3_000}],
    }


def test_a_request_starts_the_outreach_of_a_case_below_the_threshold() -> None:
    made = request()
    folded = fold_request(
        {**creditor_case(REGISTERED), "help_requests": []}, request_entry("hr-1", made, NOW, seal), POLICY, MONDAY
    )
    assert (folded.case["status"], folded.case["deadline"]) == (OPEN, add_working_days(MONDAY, 10).isoformat())
    assert [kind for kind, _ in folded.events] == [CASE_OPENED, HELP_REQUESTED]
    announced = folded.events[1][1].model_dump()
    assert announced["opened_case"] and announced["bundled"]


def test_a_request_joins_an_open_case_keeping_its_deadline_unless_it_reports_a_crisis() -> None:
    open_case = {**creditor_case(OPEN, "2026-12-04"), "help_requests": []}
    quiet = fold_request(open_case, request_entry("hr-1", request(), NOW, seal), POLICY, MONDAY)
    assert quiet.case["deadline"] == "2026-12-04" and len(quiet.case["help_requests"]) == 1
    assert [kind for kind, _ in quiet.events] == [HELP_REQUESTED]
    assert not quiet.events[0][1].model_dump()["opened_case"]

    open_case["deadline"] = "2026-12-31"
    urgent = request(test={"income": "short", "worries": ["disconnection"], "municipality": "GM0141"})
    escalated = fold_request(open_case, request_entry("hr-2", urgent, NOW, seal), POLICY, MONDAY)
    assert escalated.case["deadline"] == add_working_days(MONDAY, 3).isoformat() and escalated.case["crisis"]
    assert [kind for kind, _ in escalated.events] == [CASE_ESCALATED, HELP_REQUESTED]
