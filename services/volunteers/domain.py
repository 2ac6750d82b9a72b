"""Volunteers, the screening that decides who may be assigned, and the ranking of candidates. No I/O here."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from plumbing.dates import PastDate
from plumbing.reference import Municipality
from plumbing.register import PERSONAL


class Role(StrEnum):
    BUDGET_COACH = "budget_coach"
    GUEST_TEACHER = "guest_teacher"
    DEBT_BUDDY = "debt_buddy"


class VolunteerStatus(StrEnum):
    APPLICANT = "applicant"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


Municipalities = list[Municipality]
Language = Annotated[str, Field(min_length=1, max_length=40, description="A language spoken, such as nl or Tigrinya.")]


# The date of the certificate of conduct (VOG); checked alike whether a page or the API records it.
CertificateDate = Annotated[PastDate, Field(description="Date of the VOG.")]


class VolunteerFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(default="", max_length=30)
    roles: list[Role] = Field(min_length=1)
    municipalities: Municipalities = Field(min_length=1, description="CBS gemeentecodes the volunteer works in.")
    languages: list[Language] = Field(default_factory=lambda: ["nl"], min_length=1, max_length=20)
    weekly_hours: int = Field(default=4, ge=1, le=40)
    max_households: int = Field(default=2, ge=1, le=10)
    recruited_through: str = Field(default="", max_length=200, description="Employer partner or other channel.")


class SignUp(VolunteerFields):
    """What a new volunteer fills in on the public sign-up form."""

    email: EmailStr


class VolunteerCreate(VolunteerFields):
    """A volunteer as a coordinator registers them; an e-mail address is optional here."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", examples=["vw-0001"])
    email: EmailStr | None = None
    status: VolunteerStatus = VolunteerStatus.APPLICANT
    certificate_of_conduct_date: CertificateDate | None = None
    trained_roles: list[Role] = Field(default_factory=list)


class Screening(BaseModel):
    """A coordinator's review of an applicant."""

    model_config = ConfigDict(extra="forbid")

    certificate_of_conduct_date: CertificateDate
    trained_roles: list[Role] = Field(min_length=1)


class Hours(BaseModel):
    """Hours a volunteer worked on an assignment, on a day that has been."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    on: PastDate
    hours: float = Field(gt=0, le=24)
    by: str = Field(default="vrijwilliger", max_length=100, json_schema_extra=PERSONAL)


def screened_roles(volunteer: VolunteerCreate) -> list[str]:
    """Roles the volunteer may be assigned to: active, with a certificate of conduct, trained for the role."""
    if volunteer.status is not VolunteerStatus.ACTIVE or volunteer.certificate_of_conduct_date is None:
        return []
    return [role.value for role in volunteer.roles if role in volunteer.trained_roles]


@dataclass(frozen=True)
class Candidate:
    volunteer_id: str
    name: str
    reasons: list[str]


def _certified_before(volunteer: dict[str, Any], oldest: date) -> bool:
    certificate = volunteer.get("certificate_of_conduct_date")
    return certificate is None or date.fromisoformat(certificate) < oldest


def propose(
    volunteers: list[dict[str, Any]],
    role: str,
    municipality: str,
    language: str | None,
    household_ref: str | None,
    certificates_from: date | None = None,
    lesson: bool = False,
) -> list[Candidate]:
    """Screened volunteers with a free place, best first: someone who helped this household before, then
    someone who speaks the language, then the one with the most free places (spreading the work). A guest lesson
    takes no household place: its teachers are ranked by the fewest lessons they have planned. A volunteer whose
    certificate of conduct is older than `certificates_from` is not proposed until it is renewed."""
    ranked = []
    for volunteer in volunteers:
        free = volunteer["free_places"]
        if role not in volunteer["assignable_roles"] or municipality not in volunteer["municipalities"]:
            continue
        if free <= 0 and not lesson:
            continue
        if certificates_from is not None and _certified_before(volunteer, certificates_from):
            continue
        continuity = household_ref is not None and household_ref in volunteer.get("households_served", [])
        speaks = language is None or language in volunteer.get("languages", ["nl"])
        planned = len(volunteer.get("lessons", []))
        reasons = [
            f"{planned} gastlessen gepland" if lesson else f"{free} van {volunteer['max_households']} plekken vrij"
        ]
        if continuity:
            reasons.insert(0, "kent dit huishouden al")
        if language is not None:
            reasons.append(f"spreekt {language}" if speaks else f"spreekt geen {language}")
        candidate = Candidate(volunteer["_id"], volunteer["name"], reasons)
        room = planned if lesson else -free
        ranked.append(((not continuity, not speaks, room, volunteer["_id"]), candidate))
    return [candidate for _, candidate in sorted(ranked, key=lambda item: item[0])]
