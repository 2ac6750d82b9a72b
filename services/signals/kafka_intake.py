"""The Kafka door for partner systems: the same validation and rules as the HTTP API.

A partner publishes a CloudEvent of type `nl.redzaam.signal.submitted` with source `/partners/<partner-id>`;
the event id is the idempotency key. Invalid data goes to the dead-letter topic naming the field at fault.
"""

from typing import Any

from plumbing.access import Scope
from plumbing.events import CloudEvent
from plumbing.kafka import PermanentError, current_origin
from plumbing.runtime import Runtime
from services.signals.intake import accept_signal
from services.signals.intake_events import INTAKE_TOPIC, SignalSubmitted
from services.signals.partners import PartnerType, scopes_of
from services.signals.settings import SignalsSettings

PARTNER_SOURCE_PREFIX = "/partners/"


def partner_topic(settings: SignalsSettings, partner_id: str) -> str:
    """The intake topic only this partner may write to (Kafka ACL on its SASL user)."""
    return f"{settings.topic(INTAKE_TOPIC)}.{partner_id}"


async def partner_of(event: CloudEvent, runtime: Runtime, settings: SignalsSettings) -> dict[str, Any]:
    """The registered, active creditor partner the event's source names; on a partner's own topic the source must
    name that partner, as Kafka authenticated who wrote it."""
    partner_id = event.source.removeprefix(PARTNER_SOURCE_PREFIX)
    topic = current_origin().topic
    shared = settings.topic(INTAKE_TOPIC)
    if topic != shared and topic != partner_topic(settings, partner_id):
        owner = topic.removeprefix(shared + ".")
        raise PermanentError(f"source: {event.source!r} does not match the topic of partner {owner} it came on")
    partner: dict[str, Any] | None = None
    if event.source != partner_id:
        partner = await runtime.db.partners.find_one({"_id": partner_id})
    if partner is None or not partner["active"]:
        raise PermanentError(f"source: {event.source!r} is not an active partner (/partners/<partner-id>)")
    if Scope.SUBMIT_SIGNALS.value not in scopes_of(PartnerType(partner["type"])):
        raise PermanentError(f"source: {partner_id} may not submit signals")
    return partner


async def on_signal_submitted(runtime: Runtime, settings: SignalsSettings, event: CloudEvent) -> None:
    partner = await partner_of(event, runtime, settings)
    submission = event.data_as(SignalSubmitted)
    if submission.municipality not in partner["municipalities"]:
        raise PermanentError(f"data.municipality: {partner['_id']} is not registered for {submission.municipality}")
    accepted = await accept_signal(
        runtime.db, settings, partner["_id"], submission, idempotency_key=f"kafka-{event.id}"
    )
    runtime.wake_relay("cases", accepted.case_id)
