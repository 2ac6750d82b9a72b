"""A case below the threshold has a life of its own: it waits for more signals, closes by itself as
`below_threshold` (creditor feedback: not picked up), and a worker may close it with what they learnt without
reaching out."""

from datetime import UTC, datetime, timedelta

from services.signals.bundling import REGISTERED, Policy, fold_signal, new_case_fields
from services.signals.domain import SignalSubmission
from services.signals.retention import closes_by_itself_on
from services.signals.rules import Feedback, Outcome, closing_outcomes, feedback_for
from services.signals.settings import SignalsSettings
from tests.factories import signal_body

SETTINGS = SignalsSettings(pseudonym_key="unit-pseudonym-key-0123456789", data_key="unit-data-key-0123456789")
POLICY = Policy(threshold_cents=50_000, term_working_days=10)


def registered_case(received_at: datetime) -> dict[str, object]:
    submission = SignalSubmission.model_validate(signal_body(arrears_cents=10_000))
    return new_case_fields("case-1", "hh-1", submission, received_at, lambda value: "sealed")


def test_a_case_below_the_threshold_closes_as_not_picked_up() -> None:
    assert feedback_for(Outcome.BELOW_THRESHOLD) is Feedback.NOT_PICKED_UP


def test_only_a_case_below_the_threshold_closes_as_below_the_threshold_and_never_with_what_outreach_found() -> None:
    assert Outcome.BELOW_THRESHOLD not in closing_outcomes(reached_threshold=True)
    below = closing_outcomes(reached_threshold=False)
    assert Outcome.BELOW_THRESHOLD in below and Outcome.ALREADY_PAID in below and Outcome.NOT_RESIDENT in below
    assert not {Outcome.NO_CONTACT, Outcome.QUICK_FIX, Outcome.FOLLOW_UP_FINANCIAL} & set(below)


def test_a_counted_signal_restarts_the_wait_of_a_case_below_the_threshold() -> None:
    first = datetime(2026, 3, 2, 9, tzinfo=UTC)
    case = registered_case(first)
    assert closes_by_itself_on(case, SETTINGS) == (first + timedelta(days=90)).date()
    later = first + timedelta(days=60)
    grown = SignalSubmission.model_validate(signal_body(arrears_cents=20_000))
    folded = fold_signal(case, "s-2", "woonstad-almelo", grown, POLICY, later.date(), later)
    assert folded.case["status"] == REGISTERED
    assert closes_by_itself_on(folded.case, SETTINGS) == (later + timedelta(days=90)).date()


def test_a_repeat_signal_does_not_restart_the_wait() -> None:
    first = datetime(2026, 3, 2, 9, tzinfo=UTC)
    case = registered_case(first)
    same = SignalSubmission.model_validate(signal_body(arrears_cents=10_000))
    case = fold_signal(case, "s-1", "woonstad-almelo", same, POLICY, first.date(), first).case
    later = first + timedelta(days=60)
    folded = fold_signal(case, "s-2", "woonstad-almelo", same, POLICY, later.date(), later)
    assert folded.repeat and closes_by_itself_on(folded.case, SETTINGS) == (first + timedelta(days=90)).date()
