"""Every event the referrals service consumes, in this service's own tolerant copy of the producer's schema."""

from pydantic import BaseModel, ConfigDict

SIGNALS_TOPIC = "signals.events"
CASE_CLOSED = "nl.redzaam.case.closed"
# its own matches, read back to notify the offer's partner (services.referrals.notifications)
REFERRALS_TOPIC = "referrals.events"
HOUSEHOLD_MATCHED = "nl.redzaam.household.matched"
# the member registry, for the partners' names on the pages (services.referrals.partner_names)
PARTNER_JOINED = "nl.redzaam.partner.joined"
# its own referral events, read back by the partner feed for the offers' partners (services.referrals.partner_topics)
REFERRAL_ACCEPTED = "nl.redzaam.referral.accepted"
REFERRAL_STARTED = "nl.redzaam.referral.started"
REFERRAL_DECLINED = "nl.redzaam.referral.declined"
REFERRAL_COMPLETED = "nl.redzaam.referral.completed"
REFERRAL_CANCELLED = "nl.redzaam.referral.cancelled"
REFERRAL_MOVED = "nl.redzaam.referral.moved"
# help-offer partners' answers on their own intake topics (services.referrals.kafka_answers)
REFERRAL_ANSWERED = "nl.redzaam.referral.answered"


class CaseClosed(BaseModel):
    """The fields of the signals service's `case.closed` that this service reads; the rest is ignored."""

    model_config = ConfigDict(extra="ignore")

    case_id: str
    household_ref: str
    municipality: str
    outcome: str
    follow_up: bool
    creditor_types: list[str] = []
    age_band: str | None = None
    age: int | None = None  # events before this field carried only the band: matched tolerantly on the band
    creditor_count: int | None = None
    total_arrears_cents: int | None = None


class PartnerJoined(BaseModel):
    """The fields of the signals service's `partner.joined` that this service reads."""

    model_config = ConfigDict(extra="ignore")

    partner_id: str
    name: str
