"""Housing partners report how announced evictions ended, so that the programme can see evictions halve.

The report carries an address (personal data), so it enters here; only the pseudonymous household and the outcome
leave the service, in the `eviction.reported` event stored with the report.
"""

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pymongo.errors import DuplicateKeyError

from plumbing.dates import PastDate
from plumbing.events import new_event
from plumbing.outbox import new_document, outbox_entry
from plumbing.reference import Municipality
from plumbing.unit_of_work import UnitOfWork
from services.signals.domain import Address
from services.signals.events import EVENTS_TOPIC, EVICTION_REPORTED, EvictionReported
from services.signals.intake import SOURCE, household_for
from services.signals.sealing import Sealer
from services.signals.settings import SignalsSettings


class EvictionOutcome(StrEnum):
    PREVENTED = "prevented"
    EXECUTED = "executed"


class EvictionReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality: Municipality
    address: Address
    outcome: EvictionOutcome
    on: PastDate


async def report_eviction(
    work: UnitOfWork, settings: SignalsSettings, partner: str, report: EvictionReport, idempotency_key: str
) -> tuple[str, bool]:
    """Stores the report with its event; returns its id and whether it was new."""
    household = await household_for(work.db, settings, report.address)
    event = new_event(
        type=EVICTION_REPORTED,
        source=SOURCE,
        subject=household,
        data=EvictionReported(
            household_ref=household, municipality=report.municipality, outcome=report.outcome, on=report.on
        ),
    )
    report_id = f"{partner}:{idempotency_key}"
    document = new_document(
        {
            "_id": report_id,
            "partner": partner,
            "household_ref": household,
            "municipality": report.municipality,
            "outcome": report.outcome.value,
            "on": report.on.isoformat(),
            "address": Sealer(settings).seal(report.address.model_dump(mode="json")),
            "received_at": datetime.now(UTC),
        },
        outbox_entry(settings.topic(EVENTS_TOPIC), event),
    )
    try:
        await work.db.evictions.insert_one(document)
    except DuplicateKeyError:
        return report_id, False
    work.announced("evictions", report_id)
    return report_id, True
