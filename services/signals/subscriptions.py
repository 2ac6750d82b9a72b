"""Every event the signals service consumes: partner systems publish signals on the intake topic; the referrals
service tells what became of a household handed on."""

from pydantic import BaseModel, ConfigDict

from services.signals.intake_events import INTAKE_TOPIC, SIGNAL_SUBMITTED

__all__ = ["INTAKE_TOPIC", "SIGNAL_SUBMITTED"]

# a housing partner's eviction reports on its own intake topic (services.signals.kafka_evictions)
EVICTION_SUBMITTED = "nl.redzaam.eviction.submitted"


# what became of a household handed on: the referrals service's events (services.signals.referral_news)
REFERRALS_TOPIC = "referrals.events"
HOUSEHOLD_MATCHED = "nl.redzaam.household.matched"
REFERRAL_ACCEPTED = "nl.redzaam.referral.accepted"
REFERRAL_STARTED = "nl.redzaam.referral.started"
REFERRAL_DECLINED = "nl.redzaam.referral.declined"
REFERRAL_COMPLETED = "nl.redzaam.referral.completed"
REFERRAL_CANCELLED = "nl.redzaam.referral.cancelled"
REFERRAL_NEWS = (
    HOUSEHOLD_MATCHED,
    REFERRAL_ACCEPTED,
    REFERRAL_STARTED,
    REFERRAL_DECLINED,
    REFERRAL_COMPLETED,
    REFERRAL_CANCELLED,
)


class ReferralNews(BaseModel):
    """The fields of the referrals service's referral events that this service reads; the rest (a decline's
    words among them) is ignored."""

    model_config = ConfigDict(extra="ignore")

    referral_id: str
    household_ref: str
    municipality: str
    offer_id: str = ""
    offer_name: str | None = None  # household.matched
    organisation: str | None = None  # household.matched: the partner's name
    result: str | None = None  # referral.completed
    category: str | None = None  # referral.declined
