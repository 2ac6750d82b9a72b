from typing import ClassVar

from pydantic import Field, SecretStr

from plumbing.settings import PlatformSettings

DEFAULT_THRESHOLD_CENTS = 5_000
DEFAULT_TERM_WORKING_DAYS = 10


class SignalsSettings(PlatformSettings):
    service_name: ClassVar[str] = "signals"

    pseudonym_key: SecretStr = Field(description="Keys the pseudonymous household reference (HMAC-SHA256).")
    previous_pseudonym_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Earlier pseudonym keys: a household with an active case keeps its reference after a rotation.",
    )
    data_key: SecretStr = Field(description="Encrypts personal data at rest (AES-256-GCM).")
    previous_data_keys: list[SecretStr] = Field(
        default_factory=list, description="Earlier data keys, to open what they sealed after a rotation."
    )
    admin_password: SecretStr | None = Field(
        default=None, description="Creates the first administrator account (`beheerder`) when there is none."
    )
    threshold_cents: dict[str, int] = Field(
        default_factory=dict, description="Per CBS gemeentecode: arrears below which a case is registered, not worked."
    )
    term_working_days: dict[str, int] = Field(
        default_factory=dict, description="Per CBS gemeentecode: working days to reach out to a non-crisis case."
    )
    batch_max_signals: int = 1_000
    retention_days_without_help: int = Field(default=183, description="Erase personal data this long after closing.")
    retention_days_after_help: int = Field(default=730, description="The same, when help or a referral followed.")
    retention_interval_seconds: float = 3600.0

    def threshold_for(self, municipality: str) -> int:
        return self.threshold_cents.get(municipality, DEFAULT_THRESHOLD_CENTS)

    def term_for(self, municipality: str) -> int:
        return self.term_working_days.get(municipality, DEFAULT_TERM_WORKING_DAYS)
