"""Settings read from REDZAAM_* environment variables, shared by every service."""

import secrets
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from plumbing.reference import load_region, region_file

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "password", "dev", "development", "test"})
MINIMUM_SECRET_LENGTH = 16


class PlatformSettings(BaseSettings):
    """Settings every service has. Each service subclasses it and sets its own name and database."""

    model_config = SettingsConfigDict(env_prefix="REDZAAM_", extra="ignore")

    service_name: ClassVar[str] = "platform"

    dev_mode: bool = False
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_replication_factor: int = Field(
        default=1,
        ge=1,
        description="Replicas of each topic a service creates: 1 for the single local broker, 3 on a cluster of "
        "three brokers, so that losing one loses nothing.",
    )
    topic_min_insync_replicas: int = Field(
        default=1,
        ge=1,
        description="min.insync.replicas of each topic a service creates: with acks=all a write is acknowledged "
        "only once this many replicas hold it (2 of 3 on a cluster).",
    )
    topic_prefix: str = "redzaam"
    mongo_uri: str = "mongodb://127.0.0.1:27017/"
    mongo_database: str = ""
    consumer_group_suffix: str = ""
    consumer_max_attempts: int = 5
    consumer_retry_backoff_seconds: float = 0.2
    outbox_scan_seconds: float = 300.0
    log_level: str = "INFO"
    signals_url: str = "http://127.0.0.1:8001"
    referrals_url: str = "http://127.0.0.1:8002"
    volunteers_url: str = "http://127.0.0.1:8003"
    reporting_url: str = "http://127.0.0.1:8004"
    token_key: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="Signs access tokens and sessions; every service must have the same one. Unset, each process "
        "draws its own, and tokens of one service are refused by the others.",
    )
    require_admin_totp: bool = Field(
        default=True, description="Administrators must sign in with a one-time code (TOTP) as a second factor."
    )
    max_request_bytes: int = Field(default=4 * 1024 * 1024, description="Larger request bodies get 413.")
    partner_requests_per_minute: int = Field(default=600, description="Per partner system; above it, 429.")
    region_file: Path | None = Field(
        default=None,
        description="The region's municipalities (TOML, `[municipalities]` CBS gemeentecode = name); unset, "
        "plumbing/region.toml. Read once per process by plumbing.reference, which every service's models use.",
    )
    audit_retention_days: int = Field(
        default=1095,
        ge=1,
        description="The audit log's entries are deleted this long after they were written. It must outlive the "
        "data it accounts for (at most 730 days after a case closed), so that a household can still learn who saw "
        "its data (AVG art. 15); no longer, as it names staff and their addresses (AVG art. 5(1)(e)).",
    )
    retention_interval_seconds: float = Field(default=3600.0, description="How often a service's retention runs.")
    smtp_host: str = Field(default="127.0.0.1", description="Where e-mail notifications go out (SMTP).")
    smtp_port: int = Field(default=1025, ge=1, le=65535, description="1025: the local mail catcher of run.sh.")
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none", description="none (the local catcher only), starttls, or tls from the start"
    )
    smtp_username: str = ""
    smtp_password: SecretStr | None = Field(default=None, description="Only with smtp_username.")
    mail_sender: str = Field(default="noreply@redzaam.nl", description="The From address of notifications.")
    mail_enabled: bool = Field(default=True, description="false: notifications are queued but not sent.")
    mail_interval_seconds: float = Field(default=5.0, gt=0, description="How often queued notifications go out.")
    notification_retention_days: int = Field(
        default=30,
        ge=1,
        description="A notification sent (its address and text) is deleted this long after: long enough to answer "
        "'did they get the e-mail?', no longer (AVG art. 5(1)(e)).",
    )

    public_form_per_minute: int = Field(
        default=10,
        ge=1,
        description="Submissions of the public forms (help request, volunteer sign-up) in any 60 seconds per "
        "client address, counted in the service's database for all its replicas; above it, 429 with Retry-After.",
    )
    public_form_max_body_bytes: int = Field(
        default=16_384, ge=1024, description="A public form's body larger than this gets 413."
    )
    public_form_max_field_chars: int = Field(
        default=500, ge=10, description="A public form's field longer than this is refused beside the field."
    )
    public_form_duplicate_hours: int = Field(
        default=24,
        ge=1,
        description="The same public form sent again within this many hours is recognised and not stored twice.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of our own reverse proxies: only behind one of these is X-Forwarded-For read for "
        "the client address of the public forms' rate limit.",
    )

    @field_validator("region_file")
    @classmethod
    def region_in_use(cls, value: Path | None) -> Path | None:
        """The models check codes against the region the process read; a different file named here is refused
        rather than silently ignored."""
        if value is not None and value.resolve() != region_file().resolve():
            raise ValueError(f"{value} is not the region file in use ({region_file()}); set it in the environment")
        if value is not None:
            load_region(value)
        return value

    @model_validator(mode="after")
    def insync_within_replicas(self) -> "PlatformSettings":
        if self.topic_min_insync_replicas > self.topic_replication_factor:
            raise ValueError(
                "REDZAAM_TOPIC_MIN_INSYNC_REPLICAS exceeds REDZAAM_TOPIC_REPLICATION_FACTOR: no write would succeed"
            )
        return self

    @field_validator("consumer_max_attempts")
    @classmethod
    def at_least_one_attempt(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @model_validator(mode="after")
    def refuse_placeholder_secrets(self) -> "PlatformSettings":
        if self.dev_mode:
            return self
        for name, value in self:
            if isinstance(value, SecretStr):
                secret = value.get_secret_value()
                if secret.lower() in PLACEHOLDER_SECRETS or secret.lower().startswith("dev-"):
                    raise ValueError(f"REDZAAM_{name.upper()} is a placeholder; set a real secret")
                if len(secret) < MINIMUM_SECRET_LENGTH:
                    raise ValueError(f"REDZAAM_{name.upper()} must be at least {MINIMUM_SECRET_LENGTH} characters")
        return self

    @property
    def sign_in_url(self) -> str:
        return f"{self.signals_url}/inloggen"

    @property
    def database_name(self) -> str:
        return self.mongo_database or f"redzaam_{self.service_name}"

    @property
    def consumer_group(self) -> str:
        return f"{self.topic_prefix}.{self.service_name}{self.consumer_group_suffix}"

    @property
    def dead_letter_topic(self) -> str:
        return self.topic("deadletter")

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}.{name}"
