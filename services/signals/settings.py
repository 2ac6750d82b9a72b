from typing import Annotated, ClassVar

from fastapi import Depends
from pydantic import EmailStr, Field, SecretStr

from plumbing.reference import Municipality
from plumbing.settings import PlatformSettings
from plumbing.web import settings_of

DEFAULT_THRESHOLD_CENTS = 5_000
DEFAULT_TERM_WORKING_DAYS = 10
MAX_THRESHOLD_CENTS = 10_000_000  # EUR 100,000: far above any threshold a municipality uses, below a typing slip
MAX_TERM_WORKING_DAYS = 60
ThresholdCents = Annotated[int, Field(ge=0, le=MAX_THRESHOLD_CENTS)]
TermWorkingDays = Annotated[int, Field(ge=1, le=MAX_TERM_WORKING_DAYS)]


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
    threshold_cents: dict[Municipality, ThresholdCents] = Field(
        default_factory=dict,
        description="Per CBS gemeentecode: arrears below which a case is registered, not worked. A default only: "
        "the administrator sets it per municipality (/beheer/gemeenten), stored in the database.",
    )
    term_working_days: dict[Municipality, TermWorkingDays] = Field(
        default_factory=dict,
        description="Per CBS gemeentecode: working days to reach out to a non-crisis case. A default only, as the "
        "threshold.",
    )
    batch_max_signals: int = 1_000
    team_mailboxes: dict[Municipality, EmailStr] = Field(
        default_factory=dict,
        description="Per CBS gemeentecode: the neighbourhood team's mailbox for the daily digest of cases due.",
    )
    digest_hour: int = Field(default=7, ge=0, le=23, description="From this hour (Dutch time) the day's digest goes.")
    retention_days_without_help: int = Field(
        default=183,
        ge=1,
        description="Erase a case's personal data this long after it closed without help: a signal is kept only as "
        "long as the offer of help needs it (Wgs art. 5; AVG art. 5(1)(e)), here long enough to recognise a repeat.",
    )
    retention_days_after_help: int = Field(
        default=730,
        ge=1,
        description="The same, when help or a referral followed: the household may come back during the help.",
    )
    registered_close_days: int = Field(
        default=90,
        ge=1,
        description="A case below the threshold waits this long after its last counted signal for its arrears to "
        "reach the threshold; then it closes itself (outcome below_threshold, creditor feedback not_picked_up) and "
        "its personal data is erased after `retention_days_without_help`, like any case closed without help.",
    )
    partner_kafka_access: bool = Field(
        default=False,
        description="Give each member a SCRAM user (client id and secret) and ACLs on Kafka for its own topics "
        "(services.signals.access.kafka_access); needs a broker with an authorizer and the partners' SASL listener.",
    )
    eviction_address_retention_days: int = Field(
        default=30,
        ge=1,
        description="Erase the address of an eviction report this long after it came in: it is needed only to find "
        "the household's pseudonym, and for the housing partner to correct a report (AVG art. 5(1)(c) and (e)).",
    )

    def threshold_for(self, municipality: str) -> int:
        return self.threshold_cents.get(municipality, DEFAULT_THRESHOLD_CENTS)

    def term_for(self, municipality: str) -> int:
        return self.term_working_days.get(municipality, DEFAULT_TERM_WORKING_DAYS)


SettingsDep = Annotated[SignalsSettings, Depends(settings_of(SignalsSettings))]
