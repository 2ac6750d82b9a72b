"""Every event the referrals service consumes, in this service's own tolerant copy of the producer's schema."""

from pydantic import BaseModel, ConfigDict

SIGNALS_TOPIC = "signals.events"
CASE_CLOSED = "nl.redzaam.case.closed"


class CaseClosed(BaseModel):
    """The fields of the signals service's `case.closed` that this service reads; the rest is ignored."""

    model_config = ConfigDict(extra="ignore")

    case_id: str
    household_ref: str
    municipality: str
    outcome: str
    follow_up: bool
    age_band: str | None = None
