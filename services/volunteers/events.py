"""Events the volunteers service publishes. Volunteers appear by id only, households by pseudonym."""

from pydantic import BaseModel, Field

from plumbing.event_fields import AssignmentId, MunicipalityCode, VolunteerId

EVENTS_TOPIC = "volunteers.events"
VOLUNTEER_ASSIGNED = "nl.redzaam.volunteer.assigned"
VOLUNTEER_RELEASED = "nl.redzaam.volunteer.released"
LESSON_GIVEN = "nl.redzaam.lesson.given"
VOLUNTEER_STATUS_CHANGED = "nl.redzaam.volunteer.status_changed"


class VolunteerAssigned(BaseModel):
    """A screened volunteer with free capacity was assigned to a household."""

    assignment_id: AssignmentId
    volunteer_id: VolunteerId
    role: str = Field(description="What the volunteer does.", examples=["debt_buddy"])
    household_ref: str = Field(
        default="",
        description="Pseudonymous household reference; empty for a guest lesson.",
        examples=["hh-3f9c2a1b0d4e5f6a7b8c9d0e"],
    )
    municipality: MunicipalityCode
    recruited_through: str = Field(
        default="", description="Employer partner the volunteer came through, if any.", examples=["Bolk Transport"]
    )


class VolunteerReleased(BaseModel):
    """An assignment ended; the volunteer's place is free again."""

    assignment_id: AssignmentId
    volunteer_id: VolunteerId
    role: str = Field(description="What the volunteer did.", examples=["debt_buddy"])
    household_ref: str = Field(
        default="",
        description="Pseudonymous household reference; empty for a guest lesson.",
        examples=["hh-3f9c2a1b0d4e5f6a7b8c9d0e"],
    )
    municipality: MunicipalityCode
    hours: float = Field(ge=0, description="Hours logged on the assignment.")


class LessonGiven(BaseModel):
    """A guest teacher gave a financial-education lesson at a school (MBO level 1-2)."""

    assignment_id: AssignmentId
    volunteer_id: VolunteerId
    school: str = Field(description="The school the lesson was at.", examples=["ROC van Twente"])
    municipality: MunicipalityCode
    students_reached: int = Field(ge=0, description="Students in the lesson.", examples=[18])


class VolunteerStatusChanged(BaseModel):
    """A volunteer's place in the registry changed: screened and active, paused, or left. By id only."""

    volunteer_id: VolunteerId
    status: str = Field(examples=["active"], description="applicant, active, paused or left")
    roles: list[str] = Field(description="Roles the volunteer is screened (VOG and training) for; empty unless active.")
    municipalities: list[str] = Field(description="CBS gemeentecodes the volunteer works in.", examples=[["GM0141"]])
    recruited_through: str = Field(
        default="", description="Employer partner the volunteer came through, if any.", examples=["Bolk Transport"]
    )
