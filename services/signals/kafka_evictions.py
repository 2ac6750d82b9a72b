"""Housing partners may report how an announced eviction ended on their Kafka intake topic too: a CloudEvent
`nl.redzaam.eviction.submitted` with source `/partners/<partner-id>` on `<prefix>.signals.intake.<partner-id>`,
with the body of `POST /api/v1/evictions`; the event id is the idempotency key. Same use case
(`evictions.report_eviction`), same rules: a housing partner, active, registered in the municipality. Anything
else goes to the dead-letter topic naming the field at fault.
"""

from collections.abc import Mapping

from plumbing.access import Scope
from plumbing.events import InvalidEvent
from plumbing.kafka import Delivered
from plumbing.runtime import Runtime
from services.signals.access.partners import PartnerType, scopes_of
from services.signals.evictions import EvictionReport, report_eviction
from services.signals.kafka_intake import PARTNER_SOURCE_PREFIX, partner_topic
from services.signals.settings import SignalsSettings
from services.signals.subscriptions import EVICTION_SUBMITTED

__all__ = ["EVICTION_SUBMITTED", "on_evictions_submitted"]


async def on_evictions_submitted(
    runtime: Runtime, settings: SignalsSettings, batch: list[Delivered]
) -> Mapping[int, str]:
    """A poll's eviction reports: the partners read with one `$in`, then each report stored with its event."""
    ids = {delivered.event.source.removeprefix(PARTNER_SOURCE_PREFIX) for delivered in batch}
    partners = {p["_id"]: p for p in await runtime.db.partners.find({"_id": {"$in": sorted(ids)}}).to_list()}
    rejected: dict[int, str] = {}
    async with runtime.unit_of_work() as work:
        for index, delivered in enumerate(batch):
            event = delivered.event
            partner_id = event.source.removeprefix(PARTNER_SOURCE_PREFIX)
            partner = partners.get(partner_id)
            if delivered.origin.topic != partner_topic(settings, partner_id):
                rejected[index] = f"source: {event.source!r} does not match the partner topic it came on"
                continue
            if partner is None or not partner["active"]:
                rejected[index] = f"source: {event.source!r} is not an active partner (/partners/<partner-id>)"
                continue
            if Scope.REPORT_EVICTIONS.value not in scopes_of(PartnerType(partner["type"])):
                rejected[index] = f"source: {partner_id} may not report evictions"
                continue
            try:
                report = event.data_as(EvictionReport)
            except InvalidEvent as error:
                rejected[index] = f"InvalidEvent: {error}"
                continue
            if report.municipality not in partner["municipalities"]:
                rejected[index] = f"data.municipality: {partner_id} is not registered for {report.municipality}"
                continue
            await report_eviction(work, settings, partner_id, report, f"kafka-{event.id}")
    return rejected
