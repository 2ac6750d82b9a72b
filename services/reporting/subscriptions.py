"""Every event the reporting service consumes, in its own tolerant copies of the producers' schemas."""

from datetime import date

from pydantic import BaseModel, ConfigDict

SIGNALS_TOPIC = "signals.events"
REFERRALS_TOPIC = "referrals.events"
VOLUNTEERS_TOPIC = "volunteers.events"
# what the live consumer and the rebuild both read, every event of them (facts.FACTS_OF says what each counts)
COUNTED_TOPICS = (SIGNALS_TOPIC, REFERRALS_TOPIC, VOLUNTEERS_TOPIC)

SIGNAL_RAISED = "nl.redzaam.signal.raised"
CASE_OPENED = "nl.redzaam.case.opened"
CONTACT_ATTEMPTED = "nl.redzaam.contact.attempted"
CASE_CLOSED = "nl.redzaam.case.closed"
HOUSEHOLD_MATCHED = "nl.redzaam.household.matched"
REFERRAL_ACCEPTED = "nl.redzaam.referral.accepted"
REFERRAL_COMPLETED = "nl.redzaam.referral.completed"
VOLUNTEER_ASSIGNED = "nl.redzaam.volunteer.assigned"
LESSON_GIVEN = "nl.redzaam.lesson.given"
EVICTION_REPORTED = "nl.redzaam.eviction.reported"
PARTNER_JOINED = "nl.redzaam.partner.joined"
PARTNER_LEFT = "nl.redzaam.partner.left"
VOLUNTEER_STATUS_CHANGED = "nl.redzaam.volunteer.status_changed"
COHORT_ENROLLED = "nl.redzaam.cohort.enrolled"
COHORT_STEP_COMPLETED = "nl.redzaam.cohort.step_completed"
COHORT_EXITED = "nl.redzaam.cohort.exited"
HELP_REQUESTED = "nl.redzaam.help.requested"


class Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")

    municipality: str


class SignalRaised(Tolerant):
    household_ref: str
    creditor_type: str


class CaseOpened(Tolerant):
    household_ref: str


class ContactAttempted(Tolerant):
    household_ref: str
    reached: bool
    within_term: bool | None = None  # absent in events from before it was announced
    self_reported: bool = False  # the case began with the resident's own help request; absent before portals


class CaseClosed(Tolerant):
    household_ref: str
    outcome: str
    reached: bool
    self_reported: bool = False


class HouseholdMatched(Tolerant):
    household_ref: str
    offer_id: str


class ReferralAccepted(Tolerant):
    household_ref: str
    offer_id: str


class ReferralCompleted(Tolerant):
    household_ref: str
    offer_id: str
    result: str


class VolunteerAssigned(Tolerant):
    household_ref: str = ""
    volunteer_id: str
    role: str
    recruited_through: str = ""


class LessonGiven(Tolerant):
    volunteer_id: str
    school: str
    students_reached: int


class EvictionReported(Tolerant):
    household_ref: str
    outcome: str
    on: date | None = None  # the day of the eviction (or of its prevention); absent in events before it was sent


class VolunteerStatusChanged(BaseModel):
    """A volunteer's place in the registry changed; `roles` are those they are screened for (empty unless active)."""

    model_config = ConfigDict(extra="ignore")

    volunteer_id: str
    status: str
    roles: list[str]
    municipalities: list[str]
    recruited_through: str = ""


class CohortEnrolled(Tolerant):
    household_ref: str


class CohortStepCompleted(Tolerant):
    household_ref: str


class CohortExited(Tolerant):
    household_ref: str
    reason: str


class PartnerJoined(BaseModel):
    """A member organisation joined; it counts in each municipality it works in."""

    model_config = ConfigDict(extra="ignore")

    partner_id: str
    type: str
    municipalities: list[str]


class PartnerLeft(PartnerJoined):
    pass


class HelpRequested(Tolerant):
    """A resident's help request (or an employee's, through the employer desk)."""

    household_ref: str
    employer_id: str | None = None  # the employer member whose desk it came through; absent for other requests
    opened_case: bool = False
    bundled: bool = False
    advice: str = ""
