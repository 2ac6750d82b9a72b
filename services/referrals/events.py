"""Events the referrals service publishes."""

from pydantic import BaseModel, Field

EVENTS_TOPIC = "referrals.events"
HOUSEHOLD_MATCHED = "nl.redzaam.household.matched"


class HouseholdMatched(BaseModel):
    """A household was matched to a help offer that fits and has room."""

    referral_id: str
    household_ref: str = Field(description="Pseudonymous household reference.")
    municipality: str = Field(examples=["GM0141"])
    offer_id: str = Field(examples=["schuldhulpmaatje-almelo"])
    organisation: str
    phase: str = Field(examples=["early_intervention"])
    volunteer_role: str | None = Field(default=None, description="Role of the volunteer the household should get.")
