"""Every event the volunteers service consumes, in its own tolerant copy of the producer's schema."""

from pydantic import BaseModel, ConfigDict

REFERRALS_TOPIC = "referrals.events"
HOUSEHOLD_MATCHED = "nl.redzaam.household.matched"


class HouseholdMatched(BaseModel):
    model_config = ConfigDict(extra="ignore")

    referral_id: str
    household_ref: str
    municipality: str
    volunteer_role: str | None = None
