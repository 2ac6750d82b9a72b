from typing import ClassVar

from pydantic import Field, SecretStr

from plumbing.settings import PlatformSettings


class SignalsSettings(PlatformSettings):
    service_name: ClassVar[str] = "signals"

    pseudonym_key: SecretStr = Field(description="Keys the pseudonymous household reference (HMAC-SHA256).")
    partner_keys: dict[str, SecretStr] = Field(
        default_factory=dict, description='API key per creditor partner, as JSON: {"partner-id": "key"}.'
    )
