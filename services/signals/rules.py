"""Rules for working cases, from the DDAS-vroegsignalering reporting standard and the municipality's policy.

Pure functions and enumerations only: no I/O.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.signals.calendar import add_working_days

CRISIS_TERM_WORKING_DAYS = 3


class ContactKind(StrEnum):
    MAIL = "mail"
    LETTER = "letter"
    SMS_WHATSAPP = "sms_whatsapp"
    PHONE = "phone"
    HOME_VISIT = "home_visit"
    CARD = "card"
    OTHER = "other"


class PartOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class Outcome(StrEnum):
    """Outcome codes of a closed case, after the DDAS-vroegsignalering reporting standard."""

    REPEAT_SIGNAL = "repeat_signal"
    UNJUSTIFIED_SIGNAL = "unjustified_signal"
    DECEASED = "deceased"
    NOT_RESIDENT = "not_resident"
    ALREADY_IN_DEBT_HELP = "already_in_debt_help"
    OTHER_TRAJECTORY = "other_trajectory"
    NO_CONTACT = "no_contact"
    NO_HELP_WANTED = "no_help_wanted"
    ALREADY_PAID = "already_paid"
    QUICK_FIX = "quick_fix"
    FOLLOW_UP_FINANCIAL = "follow_up_financial"
    FOLLOW_UP_NON_FINANCIAL = "follow_up_non_financial"
    REFERRAL_WITHOUT_CONTACT = "referral_without_contact"
    # not worked: the arrears stayed below the municipality's threshold until the case closed by itself
    BELOW_THRESHOLD = "below_threshold"


FOLLOW_UP_OUTCOMES = frozenset(
    {
        Outcome.FOLLOW_UP_FINANCIAL,
        Outcome.FOLLOW_UP_NON_FINANCIAL,
        Outcome.REFERRAL_WITHOUT_CONTACT,
    }
)
PICKED_UP_OUTCOMES = FOLLOW_UP_OUTCOMES | {Outcome.QUICK_FIX, Outcome.ALREADY_IN_DEBT_HELP, Outcome.OTHER_TRAJECTORY}


# outcomes that say what reaching out found: a case nobody reached out to (below the threshold) cannot have them
AFTER_OUTREACH_OUTCOMES = frozenset(
    {
        Outcome.NO_CONTACT,
        Outcome.NO_HELP_WANTED,
        Outcome.QUICK_FIX,
        Outcome.FOLLOW_UP_FINANCIAL,
        Outcome.FOLLOW_UP_NON_FINANCIAL,
    }
)


def closing_outcomes(reached_threshold: bool) -> list[Outcome]:
    """The outcomes a case may close with: an open case any but `below_threshold`; a case below the threshold
    that one, or what the worker learnt without reaching out (already paid, not resident, already in help...)."""
    if reached_threshold:
        return [outcome for outcome in Outcome if outcome is not Outcome.BELOW_THRESHOLD]
    return [outcome for outcome in Outcome if outcome not in AFTER_OUTREACH_OUTCOMES]


class Feedback(StrEnum):
    """All a creditor hears back: whether the municipality picked the signal up, never why."""

    PENDING = "pending"
    PICKED_UP = "picked_up"
    NOT_PICKED_UP = "not_picked_up"


def feedback_for(outcome: Outcome | None) -> Feedback:
    if outcome is None:
        return Feedback.PENDING
    return Feedback.PICKED_UP if outcome in PICKED_UP_OUTCOMES else Feedback.NOT_PICKED_UP


@dataclass(frozen=True)
class Creditor:
    partner: str
    creditor_type: str
    arrears_cents: int


def is_repeat(known: list[Creditor], partner: str, creditor_type: str, arrears_cents: int) -> bool:
    """A signal from a creditor already in the case counts as new only when the arrears grew."""
    return any(
        creditor.partner == partner
        and creditor.creditor_type == creditor_type
        and arrears_cents <= creditor.arrears_cents
        for creditor in known
    )


def deadline(first_signal: date, crisis: bool, term_working_days: int) -> date:
    return add_working_days(first_signal, CRISIS_TERM_WORKING_DAYS if crisis else term_working_days)


def worked(total_arrears_cents: int, threshold_cents: int) -> bool:
    """Below the municipality's threshold a signal is registered, but nobody reaches out yet."""
    return total_arrears_cents >= threshold_cents
