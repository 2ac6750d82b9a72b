"""Every event the reporting service consumes, in its own tolerant copies of the producers' schemas."""

from pydantic import BaseModel, ConfigDict

SIGNALS_TOPIC = "signals.events"
REFERRALS_TOPIC = "referrals.events"
VOLUNTEERS_TOPIC = "volunteers.events"

SIGNAL_RAISED = "nl.redzaam.signal.raised"
HOUSEHOLD_MATCHED = "nl.redzaam.household.matched"
VOLUNTEER_ASSIGNED = "nl.redzaam.volunteer.assigned"


class Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")

    household_ref: str
    municipality: str


class SignalRaised(Tolerant):
    creditor_type: str


class HouseholdMatched(Tolerant):
    offer_id: str


class VolunteerAssigned(Tolerant):
    role: str
