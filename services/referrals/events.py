"""Events the referrals service publishes. Households appear only by their pseudonymous reference."""

from pydantic import BaseModel, Field

from plumbing.event_fields import Cohort, HouseholdRef, MunicipalityCode, OfferId, ReferralId

EVENTS_TOPIC = "referrals.events"
HOUSEHOLD_MATCHED = "nl.redzaam.household.matched"
REFERRAL_ACCEPTED = "nl.redzaam.referral.accepted"
REFERRAL_STARTED = "nl.redzaam.referral.started"
REFERRAL_DECLINED = "nl.redzaam.referral.declined"
REFERRAL_COMPLETED = "nl.redzaam.referral.completed"
REFERRAL_CANCELLED = "nl.redzaam.referral.cancelled"
REFERRAL_MOVED = "nl.redzaam.referral.moved"
COHORT_ENROLLED = "nl.redzaam.cohort.enrolled"
COHORT_STEP_COMPLETED = "nl.redzaam.cohort.step_completed"
COHORT_EXITED = "nl.redzaam.cohort.exited"


class HouseholdMatched(BaseModel):
    """A household was matched to a help offer that fits and has room; the referral now waits for the partner."""

    referral_id: ReferralId
    household_ref: HouseholdRef
    municipality: MunicipalityCode
    offer_id: OfferId
    offer_name: str | None = Field(
        default=None, description="The offer's name (absent in events before it was added).", examples=["Schuldhulp"]
    )
    organisation: str = Field(description="The partner organisation offering the help.", examples=["Humanitas"])
    phase: str = Field(description="Debt phase the offer is for.", examples=["early_intervention"])
    needs: list[str] = Field(
        default_factory=list, description="What the household needs help with.", examples=[["debt_help"]]
    )
    volunteer_role: str | None = Field(
        default=None, description="Role of the volunteer the household should get.", examples=["debt_buddy"]
    )


class ReferralChange(BaseModel):
    referral_id: ReferralId
    household_ref: HouseholdRef
    municipality: MunicipalityCode
    offer_id: OfferId


class ReferralAccepted(ReferralChange):
    """The partner accepted the referral; a place of the offer is held for the household."""


class ReferralStarted(ReferralChange):
    """The help the partner accepted has started."""


class ReferralDeclined(ReferralChange):
    """The partner declined the referral."""

    reason: str = Field(description="Why, in the words of whoever did it.", examples=["geen plek meer"])
    category: str | None = Field(
        default=None,
        description="Why, as a category (absent in events before it was added).",
        examples=["no_capacity", "not_eligible", "other_help_fits", "no_contact", "household_declined", "other"],
    )


class ReferralCompleted(ReferralChange):
    """The help ended with a result; the place is free again."""

    result: str = Field(
        description="How the help ended.", examples=["debt_free", "stable", "referred_on", "dropped_out"]
    )


class ReferralCancelled(ReferralChange):
    """The referral was withdrawn; a held place is free again."""

    reason: str = Field(description="Why, in the words of whoever did it.", examples=["geen plek meer"])


class ReferralMoved(ReferralChange):
    """The referral left its offer (`offer_id`), which takes no referrals any more (closed, or outreach now); a
    `household.matched` for its next offer follows when one fits, else it waits for one."""


class CohortEnrolled(BaseModel):
    """A household took a place in the Doorbraakmethode cohort, with a tailored plan of `steps` steps."""

    household_ref: HouseholdRef
    municipality: MunicipalityCode
    cohort: Cohort
    steps: int = Field(ge=1, description="Steps in the household's plan.", examples=[4])


class CohortStepCompleted(BaseModel):
    """A step of a cohort member's plan was done."""

    household_ref: HouseholdRef
    municipality: MunicipalityCode
    cohort: Cohort
    step: int = Field(ge=0, description="Index of the step in the plan, from 0.", examples=[1])
    steps_done: int = Field(ge=1, description="Steps of the plan done now, this one included.", examples=[2])


class CohortExited(BaseModel):
    """A household left the cohort; its place is not given to another (the cohort's cap counts households taken in)."""

    household_ref: HouseholdRef
    municipality: MunicipalityCode
    cohort: Cohort
    reason: str = Field(
        description="Why the household left the cohort.",
        examples=["plan_completed", "dropped_out", "moved", "referred_on"],
    )
