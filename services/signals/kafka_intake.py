"""The Kafka door for partner systems: the same validation and rules as the HTTP API.

A partner publishes a CloudEvent of type `nl.redzaam.signal.submitted` with source `/partners/<partner-id>`;
the event id is the idempotency key. Invalid data goes to the dead-letter topic naming the field at fault.
"""

from plumbing.events import CloudEvent
from plumbing.kafka import PermanentError
from plumbing.runtime import Runtime
from services.signals.intake import accept_signal
from services.signals.intake_events import SignalSubmitted
from services.signals.settings import SignalsSettings

PARTNER_SOURCE_PREFIX = "/partners/"


def partner_of(event: CloudEvent, settings: SignalsSettings) -> str:
    partner = event.source.removeprefix(PARTNER_SOURCE_PREFIX)
    if not event.source.startswith(PARTNER_SOURCE_PREFIX) or partner not in settings.partner_keys:
        raise PermanentError(f"source: {event.source!r} is not a known partner (/partners/<partner-id>)")
    return partner


async def on_signal_submitted(runtime: Runtime, settings: SignalsSettings, event: CloudEvent) -> None:
    partner = partner_of(event, settings)
    submission = event.data_as(SignalSubmitted)
    accepted = await accept_signal(runtime.db, settings, partner, submission, idempotency_key=f"kafka-{event.id}")
    runtime.wake_relay("cases", accepted.case_id)
