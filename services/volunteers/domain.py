"""Volunteers and the rules for who may be assigned. No I/O here."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    BUDGET_COACH = "budget_coach"
    GUEST_TEACHER = "guest_teacher"
    DEBT_BUDDY = "debt_buddy"


class VolunteerStatus(StrEnum):
    APPLICANT = "applicant"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class VolunteerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", examples=["vw-0001"])
    name: str = Field(min_length=1, max_length=200)
    roles: list[Role] = Field(min_length=1)
    municipalities: list[str] = Field(min_length=1, description="CBS gemeentecodes the volunteer works in.")
    max_households: int = Field(ge=1, le=10)
    status: VolunteerStatus = VolunteerStatus.APPLICANT
    certificate_of_conduct_date: date | None = Field(default=None, description="Date of the VOG.")
    trained_roles: list[Role] = Field(default_factory=list)
    recruited_through: str = Field(default="", max_length=200, description="Employer partner or other channel.")


def screened_roles(volunteer: VolunteerCreate) -> list[str]:
    """Roles the volunteer may be assigned to: active, with a certificate of conduct, trained for the role."""
    if volunteer.status is not VolunteerStatus.ACTIVE or volunteer.certificate_of_conduct_date is None:
        return []
    return [role.value for role in volunteer.roles if role in volunteer.trained_roles]
