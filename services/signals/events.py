"""Events the signals service publishes. They carry no personal data: only the pseudonymous household."""

from datetime import date

from pydantic import BaseModel, Field

EVENTS_TOPIC = "signals.events"
SIGNAL_RAISED = "nl.redzaam.signal.raised"


class SignalRaised(BaseModel):
    """A creditor reported payment arrears of a household, and the signal was accepted into a case."""

    signal_id: str = Field(description="Id of the signal in the signals service.")
    case_id: str = Field(description="Case the signal joined; one open case per household.")
    household_ref: str = Field(
        description="Pseudonymous household reference.", examples=["hh-3f9c2a1b0d4e5f6a7b8c9d0e"]
    )
    municipality: str = Field(description="CBS gemeentecode.", examples=["GM0141"])
    creditor_partner: str = Field(examples=["woonstad-almelo"])
    creditor_type: str = Field(examples=["rent"])
    arrears_cents: int = Field(gt=0)
    arrears_since: date
    crisis: bool = Field(description="Eviction or disconnection planned.")
    creditor_count: int = Field(ge=1, description="Creditors in the case after this signal.")
