"""Events the volunteers service publishes. Volunteers appear by id only, households by pseudonym."""

from pydantic import BaseModel, Field

EVENTS_TOPIC = "volunteers.events"
VOLUNTEER_ASSIGNED = "nl.redzaam.volunteer.assigned"
VOLUNTEER_RELEASED = "nl.redzaam.volunteer.released"
LESSON_GIVEN = "nl.redzaam.lesson.given"
VOLUNTEER_STATUS_CHANGED = "nl.redzaam.volunteer.status_changed"


class VolunteerAssigned(BaseModel):
    """A screened volunteer with free capacity was assigned to a household."""

    assignment_id: str
    volunteer_id: str
    role: str = Field(examples=["debt_buddy"])
    household_ref: str = Field(default="", description="Empty for a guest lesson.")
    municipality: str = Field(examples=["GM0141"])
    recruited_through: str = Field(default="", description="Employer partner the volunteer came through, if any.")


class VolunteerReleased(BaseModel):
    """An assignment ended; the volunteer's place is free again."""

    assignment_id: str
    volunteer_id: str
    role: str
    household_ref: str = ""
    municipality: str
    hours: float = Field(ge=0, description="Hours logged on the assignment.")


class LessonGiven(BaseModel):
    """A guest teacher gave a financial-education lesson at a school (MBO level 1-2)."""

    assignment_id: str
    volunteer_id: str
    school: str
    municipality: str
    students_reached: int = Field(ge=0)


class VolunteerStatusChanged(BaseModel):
    """A volunteer's place in the registry changed: screened and active, paused, or left. By id only."""

    volunteer_id: str
    status: str = Field(examples=["active"], description="applicant, active, paused or left")
    roles: list[str] = Field(description="Roles the volunteer is screened (VOG and training) for; empty unless active.")
    municipalities: list[str] = Field(examples=[["GM0141"]])
    recruited_through: str = Field(default="", description="Employer partner the volunteer came through, if any.")
