from typing import ClassVar

from pydantic import Field

from plumbing.settings import PlatformSettings


class ReferralsSettings(PlatformSettings):
    service_name: ClassVar[str] = "referrals"

    doorbraak_cap: int = Field(default=375, ge=1, description="Households the Doorbraakmethode cohort takes in.")
