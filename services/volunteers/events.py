"""Events the volunteers service publishes. Volunteers appear by id only, households by pseudonym."""

from pydantic import BaseModel, Field

EVENTS_TOPIC = "volunteers.events"
VOLUNTEER_ASSIGNED = "nl.redzaam.volunteer.assigned"


class VolunteerAssigned(BaseModel):
    """A screened volunteer with free capacity was assigned to a household."""

    assignment_id: str
    volunteer_id: str
    role: str = Field(examples=["debt_buddy"])
    household_ref: str
    municipality: str = Field(examples=["GM0141"])
    recruited_through: str = Field(default="", description="Employer partner the volunteer came through, if any.")
