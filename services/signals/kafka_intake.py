"""The Kafka door for partner systems: the same validation and rules as the HTTP API.

A partner publishes a CloudEvent of type `nl.redzaam.signal.submitted` with source `/partners/<partner-id>`;
the event id is the idempotency key. Invalid data goes to the dead-letter topic naming the field at fault.
"""

from collections.abc import Mapping
from typing import Any

from plumbing.access import Scope
from plumbing.events import CloudEvent, InvalidEvent
from plumbing.kafka import Delivered
from plumbing.runtime import Runtime
from services.signals.access.partners import PartnerType, creditor_type_refusal, scopes_of
from services.signals.intake import Submitted, accept_signals
from services.signals.intake_events import INTAKE_TOPIC, SignalSubmitted
from services.signals.settings import SignalsSettings

PARTNER_SOURCE_PREFIX = "/partners/"


def partner_topic(settings: SignalsSettings, partner_id: str) -> str:
    """The intake topic only this partner may write to (Kafka ACL on its SASL user)."""
    return f"{settings.topic(INTAKE_TOPIC)}.{partner_id}"


def partner_problem(event: CloudEvent, partner: dict[str, Any] | None, topic: str, settings: SignalsSettings) -> str:
    """Why the event may not come from the partner its source names ("" when it may): on a partner's own topic the
    source must name that partner, as Kafka authenticated who wrote it; the partner must be active and a creditor."""
    partner_id = event.source.removeprefix(PARTNER_SOURCE_PREFIX)
    shared = settings.topic(INTAKE_TOPIC)
    if topic != shared and topic != partner_topic(settings, partner_id):
        owner = topic.removeprefix(shared + ".")
        return f"source: {event.source!r} does not match the topic of partner {owner} it came on"
    if event.source == partner_id or partner is None or not partner["active"]:
        return f"source: {event.source!r} is not an active partner (/partners/<partner-id>)"
    if Scope.SUBMIT_SIGNALS.value not in scopes_of(PartnerType(partner["type"])):
        return f"source: {partner_id} may not submit signals"
    return ""


async def on_signals_submitted(
    runtime: Runtime, settings: SignalsSettings, batch: list[Delivered]
) -> Mapping[int, str]:
    """A poll's signals: the partners read with one `$in`, then each partner's signals accepted as one batch.
    Returns the events rejected for good, by index, naming the field at fault."""
    partner_ids = {delivered.event.source.removeprefix(PARTNER_SOURCE_PREFIX) for delivered in batch}
    partners = {p["_id"]: p for p in await runtime.db.partners.find({"_id": {"$in": list(partner_ids)}}).to_list()}
    rejected: dict[int, str] = {}
    by_partner: dict[str, list[tuple[int, Submitted]]] = {}
    for index, delivered in enumerate(batch):
        event = delivered.event
        partner = partners.get(event.source.removeprefix(PARTNER_SOURCE_PREFIX))
        problem = partner_problem(event, partner, delivered.origin.topic, settings)
        if problem or partner is None:
            rejected[index] = problem
            continue
        try:
            submission = event.data_as(SignalSubmitted)
        except InvalidEvent as error:
            rejected[index] = f"InvalidEvent: {error}"
            continue
        if submission.municipality not in partner["municipalities"]:
            rejected[index] = f"data.municipality: {partner['_id']} is not registered for {submission.municipality}"
            continue
        if refusal := creditor_type_refusal(partner["type"], submission.creditor_type):
            rejected[index] = f"data.creditor_type: {refusal}"
            continue
        by_partner.setdefault(partner["_id"], []).append((index, Submitted(submission, f"kafka-{event.id}")))
    async with runtime.unit_of_work() as work:
        for partner_id, items in by_partner.items():
            await accept_signals(work, settings, partner_id, [item for _, item in items])
    return rejected
