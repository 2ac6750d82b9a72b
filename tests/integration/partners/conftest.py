"""The secured broker of deploy/local/infra.sh (`up --secured`): the partners' SASL/SCRAM listener with Kafka's ACL
authorizer, as compose.partner-kafka.yml sets Kafka up. Started here when it does not answer yet;
REDZAAM_TEST_SECURED_KAFKA and REDZAAM_TEST_PARTNERS_KAFKA name other endpoints."""

import asyncio
import os
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

from plumbing.settings import PlatformSettings
from services.signals.access.kafka_access import KafkaAccess, topics_of
from services.signals.access.partners import PartnerType
from tests.conftest import delete_topics

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class SecuredKafka:
    services: str  # PLAINTEXT, a super user: what the platform's services use
    partners: str  # SASL_PLAINTEXT, SCRAM-SHA-512: what partners use


def answers(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def secured_kafka() -> SecuredKafka:
    kafka = SecuredKafka(
        os.environ.get("REDZAAM_TEST_SECURED_KAFKA", "127.0.0.1:9592"),
        os.environ.get("REDZAAM_TEST_PARTNERS_KAFKA", "127.0.0.1:9594"),
    )
    if not (answers(kafka.services) and answers(kafka.partners)):
        subprocess.run(["bash", str(REPO / "deploy/local/infra.sh"), "up", "--secured"], check=True, timeout=300)
    return kafka


@pytest.fixture
def secured_namespace(secured_kafka: SecuredKafka) -> Iterator[str]:
    """A topic prefix and database of one test on the secured broker; its topics deleted afterwards."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    yield prefix
    asyncio.run(delete_topics(secured_kafka.services, prefix))


class Doors:
    """Partners' access on the secured broker as the signals service grants it; all revoked after the test."""

    def __init__(self, secured_kafka: "SecuredKafka") -> None:
        self.secured_kafka = secured_kafka
        self.kafka_access = KafkaAccess(secured_kafka.services)
        self.granted: list[str] = []

    async def open(self, settings: PlatformSettings, partner_id: str, kind: PartnerType, secret: str) -> None:
        """Grants, then waits until the partner can sign in: the broker applies a new SCRAM credential from its
        metadata log a moment after the controller took it."""
        self.granted.append(partner_id)
        await self.kafka_access.grant(topics_of(settings, partner_id, kind), partner_id, secret)
        deadline = time.monotonic() + 30
        while True:
            producer = partner_producer(self.secured_kafka, partner_id, secret)
            try:
                await producer.start()
                return
            except KafkaError:
                assert time.monotonic() < deadline, f"{partner_id} cannot sign in 30 s after its grant"
                await asyncio.sleep(0.5)
            finally:
                await producer.stop()


@pytest.fixture
async def doors(secured_kafka: SecuredKafka) -> AsyncIterator[Doors]:
    opened = Doors(secured_kafka)
    yield opened
    for partner_id in opened.granted:
        await opened.kafka_access.revoke(partner_id)


def as_partner(secured_kafka: SecuredKafka, partner_id: str, secret: str) -> dict[str, Any]:
    """How a partner's aiokafka client connects: its client id and secret over SASL/SCRAM-SHA-512."""
    return {
        "bootstrap_servers": secured_kafka.partners,
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": partner_id,
        "sasl_plain_password": secret,
    }


def partner_consumer(secured_kafka: SecuredKafka, partner_id: str, secret: str, topic: str, group: str) -> Any:
    return AIOKafkaConsumer(
        topic,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **as_partner(secured_kafka, partner_id, secret),
    )


def partner_producer(secured_kafka: SecuredKafka, partner_id: str, secret: str) -> Any:
    return AIOKafkaProducer(acks="all", **as_partner(secured_kafka, partner_id, secret))
