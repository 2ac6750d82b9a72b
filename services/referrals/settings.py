from typing import ClassVar

from pydantic import Field, SecretStr

from plumbing.settings import PlatformSettings


class ReferralsSettings(PlatformSettings):
    service_name: ClassVar[str] = "referrals"

    partner_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='API key per help-offer partner, as JSON {"partner-id": "key"}; a partner sees only referrals '
        "to offers with its organisation_id.",
    )
    doorbraak_cap: int = Field(default=375, ge=1, description="Households the Doorbraakmethode cohort takes in.")
