"""A partner's consumer of its own Redzaam topics, with aiokafka and the official CloudEvents SDK over SASL/SCRAM.

    pip install aiokafka cloudevents
    python partner_consumer.py --bootstrap kafka.redzaam.example:9094 --partner humanitas-almelo \\
        --secret "$CLIENT_SECRET" --topic redzaam.partners.humanitas-almelo.referrals

Your client id and client secret (as the signals service issued them) are your Kafka user and password. You may
read only your own topics (`<prefix>.partners.<id>.feedback`, `<prefix>.partners.<id>.referrals`), join only
consumer groups named `<prefix>.partners.<id>.<anything>`, and write only your own intake topics
(`<prefix>.signals.intake.<id>`, `<prefix>.referrals.intake.<id>`); Kafka refuses anything else.

Every record is a CloudEvent in structured mode (`content-type: application/cloudevents+json`). With `--accept`,
each new referral (`nl.redzaam.partner.referral_offered`) is answered by publishing `nl.redzaam.referral.answered`
with answer `accept` to your referrals intake topic; declines need a `reason`, completions a `result`. The offset
is committed after an event is handled: a restart reads on from there, and may see an event again (use its id).
`--smoke N` stops after N events (the project's tests run it so that it can never silently break).
"""

import argparse
import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.helpers import create_ssl_context
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event, to_structured_event
from cloudevents.core.v1.event import CloudEvent

OFFERED = "nl.redzaam.partner.referral_offered"
ANSWERED = "nl.redzaam.referral.answered"


def sasl(args: argparse.Namespace) -> dict[str, Any]:
    tls = {"ssl_context": create_ssl_context()} if args.security_protocol == "SASL_SSL" else {}
    return {
        **tls,
        "bootstrap_servers": args.bootstrap,
        "security_protocol": args.security_protocol,  # SASL_SSL outside a trusted network
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": args.partner,
        "sasl_plain_password": args.secret,
    }


def acceptance(partner: str, referral_id: str) -> Any:
    """An answer as the SDK writes it; keyed by the referral so that its answers keep their order."""
    attributes = {
        "id": str(uuid.uuid4()),
        "source": f"/partners/{partner}",
        "type": ANSWERED,
        "subject": referral_id,
        "time": datetime.now(UTC),
        "datacontenttype": "application/json",
        "partitionkey": referral_id,
    }
    return to_structured_event(CloudEvent(attributes, {"referral_id": referral_id, "answer": "accept"}))


async def run(args: argparse.Namespace) -> int:
    prefix = args.topic.split(".partners.")[0]
    consumer = AIOKafkaConsumer(
        args.topic,
        group_id=args.group or f"{prefix}.partners.{args.partner}.consumer",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **sasl(args),
    )
    producer = AIOKafkaProducer(acks="all", **sasl(args)) if args.accept else None
    await consumer.start()
    if producer is not None:
        await producer.start()
    handled = 0
    try:
        while args.smoke is None or handled < args.smoke:
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                for record in batch:
                    event = from_kafka_event(KafkaMessage(dict(record.headers), record.key, record.value))
                    print(event.get_type(), event.get_id(), event.get_data(), flush=True)
                    if producer is not None and event.get_type() == OFFERED:
                        answer = acceptance(args.partner, event.get_data()["referral_id"])
                        key = answer.key.encode() if isinstance(answer.key, str) else answer.key
                        intake = f"{prefix}.referrals.intake.{args.partner}"
                        headers = list(answer.headers.items())
                        await producer.send_and_wait(intake, answer.value, key=key, headers=headers)
                    handled += 1
                await consumer.commit()
    finally:
        await consumer.stop()
        if producer is not None:
            await producer.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True, help="the partners' listener, host:port")
    parser.add_argument("--partner", required=True, help="your client id")
    parser.add_argument("--secret", required=True, help="your client secret")
    parser.add_argument("--topic", required=True, help="one of your own topics")
    parser.add_argument("--group", help="your consumer group (default <prefix>.partners.<id>.consumer)")
    parser.add_argument("--security-protocol", default="SASL_PLAINTEXT", choices=["SASL_PLAINTEXT", "SASL_SSL"])
    parser.add_argument("--accept", action="store_true", help="accept every new referral")
    parser.add_argument("--smoke", type=int, help="stop after this many events")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
