"""The signals service keeps members' doors on Kafka (partner_kafka_access): joining opens them with the client
secret, a new secret replaces the old one on Kafka too, leaving closes them."""

import asyncio
import time
import uuid
from typing import Any

import pytest
from aiokafka.errors import KafkaError

from plumbing.access import Role
from services.signals.app import create_app
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.partners.conftest import SecuredKafka, partner_consumer
from tests.integration.served import served
from tests.integration.signals.conftest import signals_settings

pytestmark = pytest.mark.integration


async def reads_own_topic(secured_kafka: SecuredKafka, partner: str, secret: str, topic: str, group: str) -> bool:
    consumer: Any = partner_consumer(secured_kafka, partner, secret, topic, group)
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=1000)
        return True
    except KafkaError:  # authentication failed, or not authorized
        return False
    finally:
        await consumer.stop()


async def comes_to(
    expected: bool, secured_kafka: SecuredKafka, partner: str, secret: str, topic: str, group: str
) -> bool:
    """Whether the partner's access comes to be `expected` within a while: the broker applies a changed SCRAM
    credential from its metadata log a moment after the controller took it."""
    deadline = time.monotonic() + 30
    while await reads_own_topic(secured_kafka, partner, secret, topic, group) != expected:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.5)
    return True


async def test_joining_rotating_and_leaving_open_renew_and_close_a_members_door_on_kafka(
    servers: Servers, secured_kafka: SecuredKafka, secured_namespace: str
) -> None:
    on_secured = Servers(secured_kafka.services, servers.mongo_uri, servers.origin)
    settings = signals_settings(on_secured, secured_namespace, partner_kafka_access=True)
    partner = f"vitens-{uuid.uuid4().hex[:8]}"
    topic, group = settings.topic(f"partners.{partner}.feedback"), settings.topic(f"partners.{partner}.reader")
    admin = staff_headers(settings, Role.ADMINISTRATOR)
    async with served(create_app(settings), admin) as client:
        member = {"id": partner, "name": "Vitens", "type": "water", "municipalities": ["GM0141"]}
        joined = await client.post("/api/v1/partners", json=member)
        assert joined.status_code == 201, joined.text
        first = joined.json()["client_secret"]
        assert await comes_to(True, secured_kafka, partner, first, topic, group)
        assert not await reads_own_topic(secured_kafka, partner, "not-its-secret", topic, group)
        rotated = await client.post(f"/api/v1/partners/{partner}/secret")
        assert rotated.status_code == 200, rotated.text
        second = rotated.json()["client_secret"]
        assert await comes_to(True, secured_kafka, partner, second, topic, group)
        assert not await reads_own_topic(secured_kafka, partner, first, topic, group)
        assert (await client.post(f"/api/v1/partners/{partner}/leave")).status_code == 204
        assert await comes_to(False, secured_kafka, partner, second, topic, group)
