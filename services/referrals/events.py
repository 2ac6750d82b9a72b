"""Events the referrals service publishes. Households appear only by their pseudonymous reference."""

from pydantic import BaseModel, Field

EVENTS_TOPIC = "referrals.events"
HOUSEHOLD_MATCHED = "nl.redzaam.household.matched"
REFERRAL_ACCEPTED = "nl.redzaam.referral.accepted"
REFERRAL_DECLINED = "nl.redzaam.referral.declined"
REFERRAL_COMPLETED = "nl.redzaam.referral.completed"
REFERRAL_CANCELLED = "nl.redzaam.referral.cancelled"


class HouseholdMatched(BaseModel):
    """A household was matched to a help offer that fits and has room; the referral now waits for the partner."""

    referral_id: str
    household_ref: str = Field(description="Pseudonymous household reference.")
    municipality: str = Field(examples=["GM0141"])
    offer_id: str = Field(examples=["schuldhulpmaatje-almelo"])
    organisation: str
    phase: str = Field(examples=["early_intervention"])
    needs: list[str] = Field(default_factory=list, examples=[["debt_help"]])
    volunteer_role: str | None = Field(default=None, description="Role of the volunteer the household should get.")


class ReferralChange(BaseModel):
    referral_id: str
    household_ref: str
    municipality: str
    offer_id: str


class ReferralAccepted(ReferralChange):
    """The partner accepted the referral; a place of the offer is held for the household."""


class ReferralDeclined(ReferralChange):
    """The partner declined the referral."""

    reason: str


class ReferralCompleted(ReferralChange):
    """The help ended with a result; the place is free again."""

    result: str = Field(examples=["debt_free", "stable", "referred_on", "dropped_out"])


class ReferralCancelled(ReferralChange):
    """The referral was withdrawn; a held place is free again."""

    reason: str
