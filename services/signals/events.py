"""Events the signals service publishes. They carry no personal data: only the pseudonymous household."""

from datetime import date

from pydantic import BaseModel, Field

from plumbing.event_fields import CaseId, Deadline, HouseholdRef, MunicipalityCode

EVENTS_TOPIC = "signals.events"
SIGNAL_RAISED = "nl.redzaam.signal.raised"
CASE_OPENED = "nl.redzaam.case.opened"
CASE_ESCALATED = "nl.redzaam.case.escalated"
CONTACT_ATTEMPTED = "nl.redzaam.contact.attempted"
CASE_CLOSED = "nl.redzaam.case.closed"
EVICTION_REPORTED = "nl.redzaam.eviction.reported"
HELP_REQUESTED = "nl.redzaam.help.requested"


class SignalRaised(BaseModel):
    """A creditor reported payment arrears of a household, and the signal was accepted into a case."""

    signal_id: str = Field(description="Id of the signal in the signals service.", examples=["s-1b2c3d4e5f60"])
    case_id: CaseId
    household_ref: HouseholdRef
    municipality: MunicipalityCode
    creditor_partner: str = Field(
        description="The member organisation that sent the signal.", examples=["woonstad-almelo"]
    )
    creditor_type: str = Field(
        description="What the arrears are of: rent, energy, water, health_insurance, municipal_taxes, ...",
        examples=["rent"],
    )
    arrears_cents: int = Field(gt=0, description="The arrears this creditor reported, in euro cents.", examples=[61500])
    arrears_since: date = Field(description="Since when the household is in arrears.", examples=["2026-09-01"])
    crisis: bool = Field(description="Eviction or disconnection planned.")
    creditor_count: int = Field(ge=1, description="Creditors in the case after this signal.", examples=[2])


class CaseOpened(BaseModel):
    """A household's arrears reached the municipality's threshold: outreach starts, with a deadline."""

    case_id: CaseId
    household_ref: HouseholdRef
    municipality: MunicipalityCode
    deadline: date = Field(description="Last working day to reach out.", examples=["2026-12-16"])
    crisis: bool = Field(description="An eviction or disconnection is planned: a shorter term.")
    creditor_count: int = Field(ge=1, description="Creditors in the case.", examples=[2])
    total_arrears_cents: int = Field(gt=0, description="Arrears of all its creditors, in euro cents.", examples=[95000])


class CaseEscalated(BaseModel):
    """A crisis (eviction or disconnection planned) was reported for an open case; the deadline moved up."""

    case_id: CaseId
    household_ref: HouseholdRef
    municipality: MunicipalityCode
    deadline: Deadline


class ContactAttempted(BaseModel):
    """An outreach worker tried to reach the household."""

    case_id: CaseId
    household_ref: HouseholdRef
    municipality: MunicipalityCode
    kind: str = Field(description="How: home_visit, phone, letter, e-mail, ...", examples=["home_visit"])
    on: date = Field(description="The day of the attempt.", examples=["2026-12-02"])
    reached: bool = Field(description="Contact with the household was made.")
    within_term: bool | None = Field(
        default=None, description="The attempt fell on or before the case's deadline (the outreach term)."
    )
    self_reported: bool = Field(
        default=False, description="The case began with the resident's own help request, not a creditor's signal."
    )


class CaseClosed(BaseModel):
    """A case was closed with an outcome code of the DDAS-vroegsignalering standard."""

    case_id: CaseId
    household_ref: HouseholdRef
    municipality: MunicipalityCode
    outcome: str = Field(description="DDAS-vroegsignalering outcome code.", examples=["follow_up_financial"])
    follow_up: bool = Field(description="The household is handed on for help (follow-up or referral).")
    reached: bool = Field(description="Contact with the household was made at least once.")
    creditor_types: list[str] = Field(description="What the case's arrears were of.", examples=[["rent", "energy"]])
    age_band: str | None = Field(default=None, examples=["18-27"], description="Coarse age band, when known.")
    age: int | None = Field(
        default=None,
        ge=0,
        le=150,
        examples=[23],
        description="Age in whole years on the day the case closed, when known: enough for offers' age limits "
        "(18-27 and the like), while the birth date stays in this service.",
    )
    creditor_count: int | None = Field(
        default=None, ge=1, description="Creditors in the case when it closed.", examples=[3]
    )
    total_arrears_cents: int | None = Field(
        default=None, ge=0, description="Arrears of all its creditors, in cents.", examples=[185000]
    )
    self_reported: bool = Field(
        default=False, description="The case began with the resident's own help request, not a creditor's signal."
    )


class EvictionReported(BaseModel):
    """A housing partner reported how an announced eviction ended: prevented or executed."""

    household_ref: HouseholdRef
    municipality: MunicipalityCode
    outcome: str = Field(description="How the announced eviction ended.", examples=["prevented", "executed"])
    on: date = Field(description="The day of the eviction, or of its prevention.", examples=["2026-11-20"])


class HelpRequested(BaseModel):
    """A resident asked for help themselves, with consent, after the self-test ("Hulp vragen"): the request is in
    a case of the municipality's queue, a case of its own (self-reported, no creditor) or the household's open one.
    Never who asked or how to reach them: those stay sealed in the signals service."""

    request_id: str = Field(description="Id of the help request in the signals service.", examples=["hr-4f1a2b3c4d5e"])
    case_id: CaseId
    household_ref: HouseholdRef
    municipality: MunicipalityCode
    deadline: Deadline
    crisis: bool = Field(description="An eviction or disconnection was announced: the crisis term applies.")
    opened_case: bool = Field(
        description="The request started outreach: a new self-reported case, or a case below the threshold that "
        "is now worked."
    )
    bundled: bool = Field(description="The request joined the household's case that was already active.")
    advice: str = Field(
        description="The self-test's advice: self_help, volunteer, municipality or urgent.", examples=["volunteer"]
    )
    contact_by: str = Field(
        description="How the resident wants to be contacted: phone, email or letter.", examples=["phone"]
    )
    employer_code: str | None = Field(
        default=None,
        description="The employer desk's code the resident entered, if any (checked for shape only).",
        examples=["WG-ALM-4821"],
    )
    employer_id: str | None = Field(
        default=None,
        description="The employer member (partner id) whose desk the request came through: asked by its HR contact "
        "for an employee who consents, or by the employee with the employer's desk code. Never who.",
        examples=["ten-cate"],
    )


PARTNER_JOINED = "nl.redzaam.partner.joined"
PARTNER_LEFT = "nl.redzaam.partner.left"


class PartnerJoined(BaseModel):
    """An organisation joined the cooperative as a member and partner of the platform."""

    partner_id: str = Field(description="The member's client id.", examples=["woonstad-almelo"])
    name: str = Field(description="The organisation's name.", examples=["Woonstad Almelo"])
    type: str = Field(examples=["housing"], description="Kind of organisation, e.g. housing, energy, school.")
    municipalities: list[str] = Field(description="CBS gemeentecodes it works in.", examples=[["GM0141"]])


class PartnerLeft(BaseModel):
    """A member organisation left; its credentials no longer work."""

    partner_id: str = Field(description="The member's client id.", examples=["woonstad-almelo"])
    type: str = Field(description="Kind of organisation.", examples=["housing"])
    municipalities: list[str] = Field(description="CBS gemeentecodes it worked in.", examples=[["GM0141"]])
