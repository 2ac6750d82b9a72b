"""Events the signals service publishes. They carry no personal data: only the pseudonymous household."""

from datetime import date

from pydantic import BaseModel, Field

EVENTS_TOPIC = "signals.events"
SIGNAL_RAISED = "nl.redzaam.signal.raised"
CASE_OPENED = "nl.redzaam.case.opened"
CASE_ESCALATED = "nl.redzaam.case.escalated"
CONTACT_ATTEMPTED = "nl.redzaam.contact.attempted"
CASE_CLOSED = "nl.redzaam.case.closed"
EVICTION_REPORTED = "nl.redzaam.eviction.reported"


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


class CaseOpened(BaseModel):
    """A household's arrears reached the municipality's threshold: outreach starts, with a deadline."""

    case_id: str
    household_ref: str
    municipality: str = Field(examples=["GM0141"])
    deadline: date = Field(description="Last working day to reach out.")
    crisis: bool
    creditor_count: int = Field(ge=1)
    total_arrears_cents: int = Field(gt=0)


class CaseEscalated(BaseModel):
    """A crisis (eviction or disconnection planned) was reported for an open case; the deadline moved up."""

    case_id: str
    household_ref: str
    municipality: str
    deadline: date


class ContactAttempted(BaseModel):
    """An outreach worker tried to reach the household."""

    case_id: str
    household_ref: str
    municipality: str
    kind: str = Field(examples=["home_visit"])
    on: date
    reached: bool
    within_term: bool | None = Field(
        default=None, description="The attempt fell on or before the case's deadline (the outreach term)."
    )


class CaseClosed(BaseModel):
    """A case was closed with an outcome code of the DDAS-vroegsignalering standard."""

    case_id: str
    household_ref: str
    municipality: str
    outcome: str = Field(examples=["follow_up_financial"])
    follow_up: bool = Field(description="The household is handed on for help (follow-up or referral).")
    reached: bool = Field(description="Contact with the household was made at least once.")
    creditor_types: list[str]
    age_band: str | None = Field(default=None, examples=["18-27"], description="Coarse age band, when known.")
    age: int | None = Field(
        default=None,
        ge=0,
        le=150,
        examples=[23],
        description="Age in whole years on the day the case closed, when known: enough for offers' age limits "
        "(18-27 and the like), while the birth date stays in this service.",
    )
    creditor_count: int | None = Field(default=None, ge=1, description="Creditors in the case when it closed.")
    total_arrears_cents: int | None = Field(default=None, ge=0, description="Arrears of all its creditors, in cents.")


class EvictionReported(BaseModel):
    """A housing partner reported how an announced eviction ended: prevented or executed."""

    household_ref: str
    municipality: str
    outcome: str = Field(examples=["prevented", "executed"])
    on: date


PARTNER_JOINED = "nl.redzaam.partner.joined"
PARTNER_LEFT = "nl.redzaam.partner.left"


class PartnerJoined(BaseModel):
    """An organisation joined the cooperative as a member and partner of the platform."""

    partner_id: str = Field(examples=["woonstad-almelo"])
    name: str = Field(examples=["Woonstad Almelo"])
    type: str = Field(examples=["housing"], description="Kind of organisation, e.g. housing, energy, school.")
    municipalities: list[str] = Field(description="CBS gemeentecodes it works in.", examples=[["GM0141"]])


class PartnerLeft(BaseModel):
    """A member organisation left; its credentials no longer work."""

    partner_id: str
    type: str
    municipalities: list[str]
