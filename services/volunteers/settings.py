from datetime import date
from typing import Annotated, ClassVar

from fastapi import Depends
from pydantic import Field

from plumbing.reference import Municipality
from plumbing.settings import PlatformSettings
from plumbing.web import settings_of


class VolunteersSettings(PlatformSettings):
    service_name: ClassVar[str] = "volunteers"

    manual_assignment_municipalities: list[Municipality] = Field(
        default_factory=list,
        description="Gemeentecodes where a coordinator confirms each assignment; elsewhere the best candidate is "
        "assigned at once. A default only: the administrator sets it per municipality (/beheer/gemeenten).",
    )

    certificate_of_conduct_valid_years: int = Field(
        default=3, ge=1, le=10, description="A VOG older than this must be renewed before the volunteer is assigned."
    )
    applicant_retention_days: int = Field(
        default=183,
        ge=1,
        description="A sign-up that is still an applicant (never screened) this long after it was first seen is "
        "deleted: as for job applicants, no longer than the selection needs (AVG art. 5(1)(e); the Autoriteit "
        "Persoonsgegevens advises at most a year, with consent).",
    )
    left_retention_days: int = Field(
        default=365,
        ge=1,
        description="A volunteer who left loses their contact data, certificate of conduct date, languages, "
        "employer and the households they served this long after leaving: enough to answer questions about their "
        "work and to welcome them back, no longer (AVG art. 5(1)(e)).",
    )

    def certificates_from(self, today: date | None = None) -> date:
        """The oldest certificate of conduct still accepted today."""
        today = today or date.today()
        try:
            return today.replace(year=today.year - self.certificate_of_conduct_valid_years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - self.certificate_of_conduct_valid_years, day=28)


SettingsDep = Annotated[VolunteersSettings, Depends(settings_of(VolunteersSettings))]
