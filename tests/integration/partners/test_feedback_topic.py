"""Creditors hear back as events through the partners' SASL listener with Kafka's ACLs: each reads only its own
feedback topic and joins only its own consumer groups; read with the official CloudEvents SDK."""

import time
import uuid
from typing import Any

import pytest
from aiokafka.errors import GroupAuthorizationFailedError, TopicAuthorizationFailedError
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event

from plumbing.access import Role, Scope
from services.signals.access.partners import PartnerType
from services.signals.app import create_app as create_signals
from tests.access import partner_headers, staff_headers
from tests.conftest import Servers
from tests.factories import signal_body
from tests.integration.partners.conftest import Doors, SecuredKafka, partner_consumer
from tests.integration.served import served
from tests.integration.signals.conftest import signals_settings

pytestmark = pytest.mark.integration


async def first_events(consumer: Any, expected: int, within: float = 60) -> list[Any]:
    """The first `expected` records the partner's consumer gets, read with the CloudEvents SDK."""
    await consumer.start()
    read: list[Any] = []
    deadline = time.monotonic() + within
    try:
        while len(read) < expected:
            assert time.monotonic() < deadline, f"only {len(read)} of {expected} events within {within} s"
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                for record in batch:
                    headers = dict(record.headers)
                    read.append(from_kafka_event(KafkaMessage(headers=headers, key=record.key, value=record.value)))
    finally:
        await consumer.stop()
    return read


async def refused(consumer: Any) -> bool:
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=3000)
    except TopicAuthorizationFailedError:
        return True
    finally:
        await consumer.stop()
    return False


async def test_a_creditor_reads_its_own_feedback_and_is_refused_another_partners(
    servers: Servers, secured_kafka: SecuredKafka, secured_namespace: str, doors: Doors
) -> None:
    on_secured = Servers(secured_kafka.services, servers.mongo_uri, servers.origin)
    settings = signals_settings(on_secured, secured_namespace, outbox_scan_seconds=0.5)
    housing, water = f"woonstad-{uuid.uuid4().hex[:8]}", f"vitens-{uuid.uuid4().hex[:8]}"
    secrets = {housing: uuid.uuid4().hex, water: uuid.uuid4().hex}
    await doors.open(settings, housing, PartnerType.HOUSING, secrets[housing])
    await doors.open(settings, water, PartnerType.WATER, secrets[water])
    app = create_signals(settings)
    async with served(app, staff_headers(settings, Role.OUTREACH_WORKER)) as client:
        sent = await client.post(
            "/api/v1/signals",
            json=signal_body(address={"postcode": "7607 AB", "house_number": 31}),
            headers=partner_headers(settings, housing, Scope.SUBMIT_SIGNALS),
        )
        assert sent.status_code == 202, sent.text
        closed = await client.post(
            f"/api/v1/cases/{sent.json()['case_id']}/close", json={"outcome": "follow_up_financial"}
        )
        assert closed.status_code == 204, closed.text
        own = settings.topic(f"partners.{housing}.feedback")
        group = settings.topic(f"partners.{housing}.feedback-reader")
        (event,) = await first_events(partner_consumer(secured_kafka, housing, secrets[housing], own, group), 1)
    assert event.get_type() == "nl.redzaam.signal.feedback"
    assert event.get_source() == "/redzaam/signals"
    assert event.get_data()["signal_ids"] == [sent.json()["signal_id"]]
    assert event.get_data()["feedback"] == "picked_up"
    others = settings.topic(f"partners.{water}.feedback")
    assert await refused(partner_consumer(secured_kafka, housing, secrets[housing], others, group))
    wrong_group = settings.topic(f"partners.{water}.reader")  # nor may it join another partner's group
    assert await refused_group(partner_consumer(secured_kafka, housing, secrets[housing], own, wrong_group))


async def refused_group(consumer: Any) -> bool:
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=5000)
    except GroupAuthorizationFailedError:
        return True
    finally:
        await consumer.stop()
    return False
