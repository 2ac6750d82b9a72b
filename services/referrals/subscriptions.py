"""Every event the referrals service consumes, in this service's own tolerant copy of the producer's schema."""

from pydantic import BaseModel, ConfigDict

SIGNALS_TOPIC = "signals.events"
SIGNAL_RAISED = "nl.redzaam.signal.raised"


class SignalRaised(BaseModel):
    """The fields of the signals service's `signal.raised` that this service reads; the rest is ignored."""

    model_config = ConfigDict(extra="ignore")

    case_id: str
    household_ref: str
    municipality: str
