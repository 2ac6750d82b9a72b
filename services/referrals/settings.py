from typing import Annotated, ClassVar

from fastapi import Depends
from pydantic import Field

from plumbing.settings import PlatformSettings
from plumbing.web import settings_of


class ReferralsSettings(PlatformSettings):
    service_name: ClassVar[str] = "referrals"

    doorbraak_cap: int = Field(default=375, ge=1, description="Households the Doorbraakmethode cohort takes in.")
    closed_referral_retention_days: int = Field(
        default=365,
        ge=1,
        description="A referral completed or cancelled this long ago loses the household's pseudonym, age and the "
        "reasons and names in its history; its state, offer and result stay for the lists. A year: enough to "
        "answer a partner's or the household's questions about the referral, no longer (AVG art. 5(1)(e)).",
    )
    cohort_retention_days: int = Field(
        default=365,
        ge=1,
        description="A household that left the Doorbraak cohort this long ago loses its plan's goals and step texts "
        "(free text, which may hold personal detail); its place, dates and progress stay for the cohort's count.",
    )


SettingsDep = Annotated[ReferralsSettings, Depends(settings_of(ReferralsSettings))]
