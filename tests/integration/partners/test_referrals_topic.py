"""Help-offer partners hear of their referrals and answer them by event, through the partners' SASL listener with
Kafka's ACLs: each reads only its own referrals topic and writes only its own intake topic; read and published with
the official CloudEvents SDK."""

import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.errors import TopicAuthorizationFailedError
from cloudevents.core.bindings.kafka import to_structured_event
from cloudevents.core.v1.event import CloudEvent as SdkEvent

from plumbing.access import Role
from services.referrals.app import create_app as create_referrals
from services.referrals.settings import ReferralsSettings
from services.signals.access.partners import PartnerType
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import read_to_end
from tests.integration.partners.conftest import REPO, Doors, SecuredKafka, partner_consumer, partner_producer
from tests.integration.partners.test_feedback_topic import first_events, refused
from tests.integration.served import served

pytestmark = pytest.mark.integration


def answer(partner_id: str, referral_id: str, event_type: str = "nl.redzaam.referral.answered", **data: Any) -> Any:
    """A partner's answer as its CloudEvents SDK publishes it (structured mode)."""
    attributes = {
        "id": str(uuid.uuid4()),
        "source": f"/partners/{partner_id}",
        "type": event_type,
        "subject": referral_id,
        "time": datetime.now(UTC),
        "datacontenttype": "application/json",
        "partitionkey": referral_id,  # the record's key: a referral's answers keep their order
    }
    return to_structured_event(SdkEvent(attributes, {"referral_id": referral_id, **data}))


async def publish(producer: Any, topic: str, messages: list[Any]) -> None:
    await producer.start()
    try:
        for message in messages:
            key = message.key.encode() if isinstance(message.key, str) else message.key
            await producer.send_and_wait(topic, message.value, key=key, headers=list(message.headers.items()))
    finally:
        await producer.stop()


async def test_a_help_offer_partner_hears_of_its_referrals_and_answers_them_by_event(
    servers: Servers, secured_kafka: SecuredKafka, secured_namespace: str, doors: Doors
) -> None:
    settings = ReferralsSettings(
        kafka_bootstrap=secured_kafka.services,
        mongo_uri=servers.mongo_uri,
        mongo_database=secured_namespace,
        topic_prefix=secured_namespace,
        outbox_scan_seconds=0.5,
        consumer_max_attempts=2,
        consumer_retry_backoff_seconds=0.05,
    )
    ours, theirs = f"humanitas-{uuid.uuid4().hex[:8]}", f"budgetmaatje-{uuid.uuid4().hex[:8]}"
    secret, their_secret = uuid.uuid4().hex, uuid.uuid4().hex
    await doors.open(settings, ours, PartnerType.DEBT_HELP, secret)
    await doors.open(settings, theirs, PartnerType.DEBT_HELP, their_secret)
    app = create_referrals(settings)
    admin = staff_headers(settings, Role.ADMINISTRATOR)
    async with served(app, staff_headers(settings, Role.DEBT_SPECIALIST)) as client:
        for offer_id, partner_id, needs in (
            ("schuldhulp", ours, ["debt_help"]),
            ("budget", theirs, ["budget_coaching"]),
        ):
            offer = {
                "id": offer_id,
                "name": f"Aanbod {offer_id}",
                "organisation": partner_id,
                "organisation_id": partner_id,
                "phase": "early_intervention",
                "municipalities": ["GM0141"],
                "needs": needs,
                "capacity_available": 2,
                "capacity_maximum": 2,
            }
            assert (await client.put(f"/api/v1/offers/{offer_id}", json=offer, headers=admin)).status_code in (200, 201)
        mine, other = [
            (
                await client.post(
                    "/api/v1/referrals",
                    json={"household_ref": f"hh-{uuid.uuid4().hex[:16]}", "municipality": "GM0141", "needs": needs},
                )
            ).json()
            for needs in (["debt_help"], ["budget_coaching"])
        ]
        assert (mine["offer_id"], other["offer_id"]) == ("schuldhulp", "budget")
        own = settings.topic(f"partners.{ours}.referrals")
        group = settings.topic(f"partners.{ours}.referrals-reader")
        (offered,) = await first_events(partner_consumer(secured_kafka, ours, secret, own, group), 1)
        assert offered.get_type() == "nl.redzaam.partner.referral_offered"
        told = offered.get_data()
        assert (told["referral_id"], told["state"], told["needs"]) == (mine["id"], "requested", ["debt_help"])
        assert told["household_ref"] == mine["household_ref"]
        assert set(told) <= {*mine, "referral_id", "at"}  # nothing its HTTP API does not show it

        intake = settings.topic(f"referrals.intake.{ours}")
        await publish(
            partner_producer(secured_kafka, ours, secret),
            intake,
            [
                accept := answer(ours, mine["id"], answer="accept"),
                accept,  # the same event again: applied once, and no dead letter
                answer(ours, other["id"], answer="accept"),  # not its offer
                answer(ours, mine["id"], answer="complete"),  # no result
                answer(ours, mine["id"], event_type="nl.redzaam.referral.acepted", answer="start"),
            ],
        )
        accepted = await until_state(client, mine["id"], "accepted")
        assert accepted["state"] == "accepted"
        (_, changed) = await first_events(partner_consumer(secured_kafka, ours, secret, own, group + "-2"), 2)
        assert (changed.get_type(), changed.get_data()["state"]) == ("nl.redzaam.partner.referral_changed", "accepted")
        dead = await dead_letters_of(secured_kafka, settings.dead_letter_topic, 3)
        assert sorted(dead) == sorted(
            [
                f"data.referral_id: referral {other['id']} is addressed to another partner's offer",
                "InvalidEvent: nl.redzaam.referral.answered data: (root): Value error, "
                "result: a completion needs a result",
                "type: 'nl.redzaam.referral.acepted' is not taken here; answers are 'nl.redzaam.referral.answered'",
            ]
        )
        assert await app.state.runtime.db.partner_answers.count_documents({}) == 1  # the accept, logged once
        assert (await client.get(f"/api/v1/referrals/{other['id']}")).json()["state"] == "requested"

        with pytest.raises(TopicAuthorizationFailedError):  # it may not write to another partner's intake
            await publish(
                partner_producer(secured_kafka, ours, secret),
                settings.topic(f"referrals.intake.{theirs}"),
                [answer(theirs, other["id"], answer="accept")],
            )
        others = settings.topic(f"partners.{theirs}.referrals")
        assert await refused(partner_consumer(secured_kafka, ours, secret, others, group))


async def until_state(client: Any, referral_id: str, state: str, within: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        referral: dict[str, Any] = (await client.get(f"/api/v1/referrals/{referral_id}")).json()
        if referral["state"] == state or time.monotonic() > deadline:
            return referral
        await asyncio.sleep(0.2)


async def dead_letters_of(secured_kafka: SecuredKafka, topic: str, expected: int, within: float = 60) -> list[str]:
    deadline = time.monotonic() + within
    while True:
        records = await read_to_end(secured_kafka.services, topic)
        reasons = [dict(record.headers)["redzaam_dlq_error"].decode() for record in records]
        if len(reasons) >= expected or time.monotonic() > deadline:
            return reasons
        await asyncio.sleep(0.5)


async def test_the_example_consumer_in_the_docs_reads_a_referral_and_accepts_it(
    servers: Servers, secured_kafka: SecuredKafka, secured_namespace: str, doors: Doors
) -> None:
    settings = ReferralsSettings(
        kafka_bootstrap=secured_kafka.services,
        mongo_uri=servers.mongo_uri,
        mongo_database=secured_namespace,
        topic_prefix=secured_namespace,
        outbox_scan_seconds=0.5,
    )
    partner, secret = f"humanitas-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    await doors.open(settings, partner, PartnerType.DEBT_HELP, secret)
    app = create_referrals(settings)
    async with served(app, staff_headers(settings, Role.DEBT_SPECIALIST)) as client:
        offer = {
            "id": "schuldhulp",
            "name": "Schuldhulp",
            "organisation": partner,
            "organisation_id": partner,
            "phase": "early_intervention",
            "municipalities": ["GM0141"],
            "capacity_available": 1,
            "capacity_maximum": 1,
        }
        admin = staff_headers(settings, Role.ADMINISTRATOR)
        assert (await client.put("/api/v1/offers/schuldhulp", json=offer, headers=admin)).status_code == 201
        body = {"household_ref": f"hh-{uuid.uuid4().hex[:16]}", "municipality": "GM0141", "needs": ["debt_help"]}
        referral = (await client.post("/api/v1/referrals", json=body)).json()
        example = REPO / "docs" / "examples" / "partner_consumer.py"
        run = await asyncio.create_subprocess_exec(
            sys.executable,
            str(example),
            *("--bootstrap", secured_kafka.partners, "--partner", partner, "--secret", secret),
            *("--topic", settings.topic(f"partners.{partner}.referrals"), "--accept", "--smoke", "1"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(run.communicate(), 120)
        assert run.returncode == 0, err.decode()
        assert out.decode().startswith("nl.redzaam.partner.referral_offered "), out.decode()
        assert referral["id"] in out.decode()
        assert (await until_state(client, referral["id"], "accepted"))["state"] == "accepted"
