"""Every event the volunteers service consumes, in its own tolerant copy of the producer's schema."""

from pydantic import BaseModel, ConfigDict

REFERRALS_TOPIC = "referrals.events"
HOUSEHOLD_MATCHED = "nl.redzaam.household.matched"
# its own assignments, read back to tell the volunteer by e-mail (services.volunteers.notifications)
VOLUNTEERS_TOPIC = "volunteers.events"
VOLUNTEER_ASSIGNED = "nl.redzaam.volunteer.assigned"


class HouseholdMatched(BaseModel):
    model_config = ConfigDict(extra="ignore")

    referral_id: str
    household_ref: str
    municipality: str
    volunteer_role: str | None = None
