"""How a signal changes a case, without a database."""

from datetime import UTC, date, datetime
from typing import Any

from services.signals.bundling import OPEN, REGISTERED, Policy, fold_signal, new_case_fields
from services.signals.domain import SignalSubmission
from services.signals.events import CASE_ESCALATED, CASE_OPENED, SIGNAL_RAISED
from services.signals.rules import Feedback, Outcome, feedback_for
from tests.factories import signal_body

POLICY = Policy(threshold_cents=5_000, term_working_days=10)
MONDAY = datetime(2026, 11, 16, 9, tzinfo=UTC)


def submission(**changes: Any) -> SignalSubmission:
    return SignalSubmission.model_validate(signal_body(**changes))


def fresh_case(first: SignalSubmission) -> dict[str, Any]:
    return new_case_fields("case-1", "hh-1", first, MONDAY, seal=repr)  # sealing is tested on its own


def test_first_signal_above_threshold_opens_the_case_with_a_deadline_of_ten_working_days() -> None:
    first = submission()
    folded = fold_signal(fresh_case(first), "s1", "woonstad", first, POLICY, MONDAY.date())
    assert folded.case["status"] == OPEN
    assert folded.case["deadline"] == "2026-11-30"
    assert [event_type for event_type, _ in folded.events] == [SIGNAL_RAISED, CASE_OPENED]


def test_crisis_signal_gets_three_working_days() -> None:
    first = submission(eviction_planned=True)
    folded = fold_signal(fresh_case(first), "s1", "woonstad", first, POLICY, MONDAY.date())
    assert folded.case["deadline"] == "2026-11-19"


def test_signal_below_threshold_is_registered_not_worked() -> None:
    first = submission(arrears_cents=4_999)
    folded = fold_signal(fresh_case(first), "s1", "woonstad", first, POLICY, MONDAY.date())
    assert folded.case["status"] == REGISTERED
    assert folded.case["deadline"] is None
    assert [event_type for event_type, _ in folded.events] == [SIGNAL_RAISED]


def test_second_creditor_lifts_a_registered_case_over_the_threshold_and_makes_it_multi_creditor() -> None:
    first = submission(arrears_cents=3_000)
    case = fold_signal(fresh_case(first), "s1", "woonstad", first, POLICY, MONDAY.date()).case
    second = submission(creditor_type="water", arrears_cents=2_500, contract_reference="W-9")
    folded = fold_signal(case, "s2", "vitens", second, POLICY, MONDAY.date())
    assert folded.case["status"] == OPEN
    assert folded.case["creditor_count"] == 2
    assert folded.case["creditor_types"] == ["rent", "water"]
    assert folded.case["total_arrears_cents"] == 5_500
    assert CASE_OPENED in [event_type for event_type, _ in folded.events]


def test_repeat_signal_without_growth_is_registered_but_raises_nothing() -> None:
    first = submission()
    case = fold_signal(fresh_case(first), "s1", "woonstad", first, POLICY, MONDAY.date()).case
    folded = fold_signal(case, "s2", "woonstad", submission(arrears_cents=40_000), POLICY, MONDAY.date())
    assert folded.repeat
    assert folded.events == []
    assert folded.case["repeat_signal_ids"] == ["s2"]
    assert folded.case["total_arrears_cents"] == 45_000


def test_repeat_signal_with_grown_arrears_counts_as_new_and_replaces_the_amount() -> None:
    first = submission()
    case = fold_signal(fresh_case(first), "s1", "woonstad", first, POLICY, MONDAY.date()).case
    folded = fold_signal(case, "s2", "woonstad", submission(arrears_cents=60_000), POLICY, MONDAY.date())
    assert not folded.repeat
    assert folded.case["total_arrears_cents"] == 60_000
    assert folded.case["creditor_count"] == 1
    assert [event_type for event_type, _ in folded.events] == [SIGNAL_RAISED]


def test_crisis_reported_later_escalates_an_open_case_and_moves_its_deadline_up() -> None:
    first = submission()
    case = fold_signal(fresh_case(first), "s1", "woonstad", first, POLICY, MONDAY.date()).case
    folded = fold_signal(
        case, "s2", "enexis", submission(creditor_type="energy", disconnection_planned=True), POLICY, MONDAY.date()
    )
    assert folded.case["crisis"]
    assert folded.case["deadline"] == "2026-11-19"
    escalations = [data for event_type, data in folded.events if event_type == CASE_ESCALATED]
    assert [e.deadline for e in escalations] == [date(2026, 11, 19)]  # type: ignore[attr-defined]


def test_creditor_hears_only_picked_up_or_not() -> None:
    assert feedback_for(None) is Feedback.PENDING
    assert feedback_for(Outcome.FOLLOW_UP_FINANCIAL) is Feedback.PICKED_UP
    assert feedback_for(Outcome.QUICK_FIX) is Feedback.PICKED_UP
    assert feedback_for(Outcome.NO_CONTACT) is Feedback.NOT_PICKED_UP
    assert feedback_for(Outcome.DECEASED) is Feedback.NOT_PICKED_UP
    assert {feedback.value for feedback in Feedback} == {"pending", "picked_up", "not_picked_up"}


def test_a_case_that_crosses_the_threshold_later_gets_its_full_term_from_that_day() -> None:
    first = submission(arrears_cents=3_000)
    case = fold_signal(fresh_case(first), "s1", "woonstad", first, POLICY, MONDAY.date()).case
    second = submission(creditor_type="water", arrears_cents=2_500, contract_reference="W-9")
    folded = fold_signal(case, "s2", "vitens", second, POLICY, date(2026, 12, 14))  # four weeks later
    assert folded.case["status"] == OPEN
    assert folded.case["deadline"] == "2026-12-29"  # ten working days from 14 December, not overdue at once
    opened = [data for event_type, data in folded.events if event_type == CASE_OPENED]
    assert [e.deadline for e in opened] == [date(2026, 12, 29)]  # type: ignore[attr-defined]


def test_a_crisis_reported_on_a_later_day_gets_three_working_days_from_that_day() -> None:
    first = submission()
    case = fold_signal(fresh_case(first), "s1", "woonstad", first, POLICY, MONDAY.date()).case
    crisis = submission(creditor_type="energy", disconnection_planned=True)
    folded = fold_signal(case, "s2", "enexis", crisis, POLICY, date(2026, 11, 25))  # a Wednesday
    assert folded.case["deadline"] == "2026-11-30"  # three working days from that Wednesday, not in the past
