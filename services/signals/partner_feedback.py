"""Creditors hear back as events: when a case closes, each creditor in it gets, on a topic of its own
(`<prefix>.partners.<partner-id>.feedback`, which Kafka's ACLs let only that partner read), whether the municipality
picked its signals up. Never why, and nothing about the other creditors.

The feedback entries go into the case's outbox in the same write that closes it, so that a creditor hears of
every close once it is written; the event ids are stable, so a republished entry is recognisable as the same.
"""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.event_fields import CaseId
from plumbing.events import new_event
from plumbing.outbox import outbox_entry
from services.signals.rules import Feedback, Outcome, feedback_for
from services.signals.settings import SignalsSettings

SIGNAL_FEEDBACK = "nl.redzaam.signal.feedback"
SOURCE = "/redzaam/signals"


def feedback_topic(settings: SignalsSettings, partner_id: str) -> str:
    return settings.topic(f"partners.{partner_id}.feedback")


class SignalFeedback(BaseModel):
    """What became of a creditor's signals in a case: picked up or not, never why."""

    case_id: CaseId
    signal_ids: list[str] = Field(
        description="The creditor's own signals in the case, as the intake answered them.", examples=[["s-1b2c3d4e"]]
    )
    feedback: Feedback = Field(description="picked_up or not_picked_up.", examples=["picked_up"])
    on: date = Field(description="The day the case closed.", examples=["2026-12-02"])


async def signals_by_partner(db: AsyncDatabase[Any], case_ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """Per case, each creditor's signal ids; one read for all the cases."""
    found: dict[str, dict[str, list[str]]] = {case_id: {} for case_id in case_ids}
    async for signal in db.signals.find({"case_id": {"$in": case_ids}}, {"partner": 1, "case_id": 1}):
        found[signal["case_id"]].setdefault(signal["partner"], []).append(signal["_id"])
    return found


def feedback_entries(
    settings: SignalsSettings, case_id: str, by_partner: dict[str, list[str]], outcome: Outcome, on: date
) -> list[dict[str, Any]]:
    """The outbox entries telling each creditor of a closed case what became of its signals."""
    heard = feedback_for(outcome)
    return [
        outbox_entry(
            feedback_topic(settings, partner),
            new_event(
                type=SIGNAL_FEEDBACK,
                source=SOURCE,
                subject=case_id,
                data=SignalFeedback(case_id=case_id, signal_ids=sorted(ids), feedback=heard, on=on),
            ),
        )
        for partner, ids in sorted(by_partner.items())
    ]
