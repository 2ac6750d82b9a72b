"""Partners' own doors on Kafka: each member that may publish or hear back gets a SCRAM-SHA-512 user (its client id,
with its client secret as password) and ACLs that let it read only its own topics and write only its own intake
topics. Nothing else: Kafka's authorizer refuses every other topic (TopicAuthorizationFailed) and every group that
does not start with the partner's own group prefix.

| partner | reads | writes |
|---|---|---|
| creditor (signals) | `<prefix>.partners.<id>.feedback` | `<prefix>.signals.intake.<id>` |
| housing (also evictions) | the same | the same |
| help offer (referrals) | `<prefix>.partners.<id>.referrals` | `<prefix>.referrals.intake.<id>` |

The names follow the topics of the services that own them (signals' intake and feedback, referrals' partner topic
and intake); consumer groups are `<prefix>.partners.<id>.<anything>`. Kept by the signals service, where members
join, rotate their secret and leave. Off unless `partner_kafka_access` is set: a broker without an authorizer
refuses ACLs (SECURITY_DISABLED).
"""

import asyncio
from dataclasses import dataclass, field

from confluent_kafka import KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from plumbing.access import Scope
from plumbing.kafka import ensure_topics
from plumbing.settings import PlatformSettings
from services.signals.access.partners import PartnerType, scopes_of
from services.signals.settings import SignalsSettings

SCRAM_ITERATIONS = 8192
ADMIN_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class PartnerTopics:
    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    group_prefix: str = ""


def topics_of(settings: PlatformSettings, partner_id: str, partner_type: PartnerType) -> PartnerTopics:
    """The topics a partner of this type may read and write."""
    scopes = scopes_of(partner_type)
    reads, writes = [], []
    if Scope.SUBMIT_SIGNALS.value in scopes or Scope.REPORT_EVICTIONS.value in scopes:
        writes.append(settings.topic(f"signals.intake.{partner_id}"))
    if Scope.SUBMIT_SIGNALS.value in scopes:
        reads.append(settings.topic(f"partners.{partner_id}.feedback"))
    if Scope.HANDLE_REFERRALS.value in scopes:
        reads.append(settings.topic(f"partners.{partner_id}.referrals"))
        writes.append(settings.topic(f"referrals.intake.{partner_id}"))
    # ids hold no dots, so one partner's prefix is never the start of another's
    return PartnerTopics(reads, writes, settings.topic(f"partners.{partner_id}."))


def bindings(principal: str, topics: PartnerTopics) -> list[AclBinding]:
    def allow(kind: ResourceType, name: str, operation: AclOperation, pattern: ResourcePatternType) -> AclBinding:
        return AclBinding(kind, name, pattern, principal, "*", operation, AclPermissionType.ALLOW)

    literal, prefixed = ResourcePatternType.LITERAL, ResourcePatternType.PREFIXED
    granted = [allow(ResourceType.TOPIC, t, op, literal) for t in topics.reads for op in _READ]
    granted += [allow(ResourceType.TOPIC, t, op, literal) for t in topics.writes for op in _WRITE]
    if topics.reads:
        granted.append(allow(ResourceType.GROUP, topics.group_prefix, AclOperation.READ, prefixed))
    return granted


_READ = (AclOperation.READ, AclOperation.DESCRIBE)
_WRITE = (AclOperation.WRITE, AclOperation.DESCRIBE)


class KafkaAccess:
    """Grants and revokes partners' access on the broker, through Kafka's admin API."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap

    async def grant(self, topics: PartnerTopics, partner_id: str, secret: str) -> None:
        """The partner's topics (it may not create them), its user with this password, and its ACLs; again with a
        new secret after a rotation."""
        await ensure_topics(self._bootstrap, [*topics.reads, *topics.writes])
        await asyncio.to_thread(self._grant, topics, partner_id, secret)

    async def revoke(self, partner_id: str) -> None:
        """No more user, no more ACLs: the partner's connections are refused from now on."""
        await asyncio.to_thread(self._revoke, partner_id)

    def _admin(self) -> AdminClient:
        return AdminClient({"bootstrap.servers": self._bootstrap})

    def _grant(self, topics: PartnerTopics, partner_id: str, secret: str) -> None:
        admin = self._admin()
        credential = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
        upsert = UserScramCredentialUpsertion(partner_id, credential, secret.encode())
        for future in admin.alter_user_scram_credentials([upsert]).values():
            future.result(ADMIN_TIMEOUT_SECONDS)
        wanted = bindings(f"User:{partner_id}", topics)
        if wanted:
            for future in admin.create_acls(wanted).values():
                future.result(ADMIN_TIMEOUT_SECONDS)

    def _revoke(self, partner_id: str) -> None:
        admin = self._admin()
        # None matches any resource name and host; the library's annotations say str
        every = AclBindingFilter(
            ResourceType.ANY,
            None,  # type: ignore[arg-type]
            ResourcePatternType.ANY,
            f"User:{partner_id}",
            None,  # type: ignore[arg-type]
            AclOperation.ANY,
            AclPermissionType.ANY,
        )
        for future in admin.delete_acls([every]).values():
            future.result(ADMIN_TIMEOUT_SECONDS)
        deletion = UserScramCredentialDeletion(partner_id, ScramMechanism.SCRAM_SHA_512)
        try:
            for future in admin.alter_user_scram_credentials([deletion]).values():
                future.result(ADMIN_TIMEOUT_SECONDS)
        except KafkaException as error:  # it had no user (it never published directly): nothing to remove
            if "RESOURCE_NOT_FOUND" not in str(error):
                raise


async def open_door(settings: SignalsSettings, partner_id: str, partner_type: PartnerType, secret: str) -> None:
    """A member that joined or got a new secret: its user and ACLs, when the platform keeps partners' Kafka access."""
    if settings.partner_kafka_access:
        await KafkaAccess(settings.kafka_bootstrap).grant(
            topics_of(settings, partner_id, partner_type), partner_id, secret
        )


async def close_door(settings: SignalsSettings, partner_id: str) -> None:
    """A member that left: no more user, no more ACLs."""
    if settings.partner_kafka_access:
        await KafkaAccess(settings.kafka_bootstrap).revoke(partner_id)
