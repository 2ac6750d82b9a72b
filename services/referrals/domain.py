"""Help offers, the rules for matching a household to them, and the life cycle of a referral. No I/O here."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from plumbing.errors import Conflict
from plumbing.reference import Municipality

AGE_BANDS = {"0-17": (0, 17), "18-27": (18, 27), "28-66": (28, 66), "67+": (67, 150)}


class DebtPhase(StrEnum):
    PREVENTION = "prevention"
    EARLY_INTERVENTION = "early_intervention"
    CURATIVE = "curative"


class OfferStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    TEMPORARILY_CLOSED = "temporarily_closed"


class VolunteerRole(StrEnum):
    BUDGET_COACH = "budget_coach"
    DEBT_BUDDY = "debt_buddy"


class Need(StrEnum):
    """What a household needs help with; offers say which needs they serve."""

    DEBT_HELP = "debt_help"
    BUDGET_COACHING = "budget_coaching"
    DEBT_SETTLEMENT = "debt_settlement"
    INCOME_MANAGEMENT = "income_management"
    SOCIAL_SUPPORT = "social_support"
    YOUTH = "youth"


class OfferKind(StrEnum):
    """What kind of help an offer is. Outreach is where a household comes from, never where it is referred to."""

    OUTREACH = "outreach"
    DEBT_HELP = "debt_help"
    BUDGET_COACHING = "budget_coaching"
    DEBT_SETTLEMENT = "debt_settlement"
    INCOME_MANAGEMENT = "income_management"
    INCOME_SUPPORT = "income_support"
    YOUTH = "youth"


# the kind an offer published without one gets, from the most specific need it serves (never outreach)
KIND_OF_NEED = {
    Need.YOUTH: OfferKind.YOUTH,
    Need.DEBT_SETTLEMENT: OfferKind.DEBT_SETTLEMENT,
    Need.INCOME_MANAGEMENT: OfferKind.INCOME_MANAGEMENT,
    Need.DEBT_HELP: OfferKind.DEBT_HELP,
    Need.BUDGET_COACHING: OfferKind.BUDGET_COACHING,
}


def default_kind(needs: list[Any]) -> OfferKind:
    return next((kind for need, kind in KIND_OF_NEED.items() if need in needs), OfferKind.DEBT_HELP)


class OfferCreate(BaseModel):
    """A help offer of a partner organisation, in the spirit of an Open Referral HSDS service."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", examples=["schuldhulpmaatje-almelo"])
    name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(min_length=1, max_length=200)
    organisation_id: str = Field(
        default="",
        pattern=r"^([a-z0-9][a-z0-9-]{1,62})?$",
        description="Partner id; that partner's API key sees the referrals to this offer.",
    )
    description: str = Field(default="", max_length=2000)
    status: OfferStatus = OfferStatus.ACTIVE
    kind: OfferKind = Field(
        default=OfferKind.DEBT_HELP,
        description="What kind of help this is; `outreach` programmes are never referred to. Without it, the kind "
        "follows from the most specific need served (youth, debt settlement, income management, debt help, budget "
        "coaching), so offers stored before kinds existed read sensibly.",
    )
    phase: DebtPhase
    municipalities: list[Municipality] = Field(min_length=1, description="CBS gemeentecodes of the area served.")
    needs: list[Need] = Field(default_factory=lambda: [Need.DEBT_HELP], min_length=1)
    age_minimum: int | None = Field(default=None, ge=0, le=150)
    age_maximum: int | None = Field(default=None, ge=0, le=150)
    eligibility: str = Field(default="", max_length=1000, description="Other criteria, in words.")
    languages: list[str] = Field(default_factory=lambda: ["nl"])
    contact: str = Field(default="", max_length=300)
    notify_email: EmailStr | None = Field(
        default=None, description="Told by e-mail of each referral that arrives (a team mailbox, not a person's)."
    )
    capacity_available: int = Field(
        ge=0,
        description="Free places: the maximum less the places that accepted referrals hold. Kept by the platform; "
        "a value sent when publishing is replaced by that.",
    )
    capacity_maximum: int = Field(ge=0, description="The places this offer has for referrals through the platform.")
    capacity_unit: str = Field(default="households", max_length=40)
    volunteer_role: VolunteerRole | None = Field(
        default=None, description="When set, a household referred here also gets a volunteer of this role."
    )

    @model_validator(mode="before")
    @classmethod
    def kind_from_needs(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") is None:
            needs = data.get("needs")  # still unchecked: anything that is not a list is refused by its own check
            return {**data, "kind": default_kind(needs if isinstance(needs, list) and needs else [Need.DEBT_HELP])}
        return data

    @model_validator(mode="after")
    def consistent(self) -> "OfferCreate":
        if self.capacity_available > self.capacity_maximum:
            raise ValueError("capacity_available may not exceed capacity_maximum")
        if self.age_minimum is not None and self.age_maximum is not None and self.age_minimum > self.age_maximum:
            raise ValueError("age_minimum may not exceed age_maximum")
        return self


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality: Municipality
    needs: list[Need] = Field(min_length=1)
    age_band: str | None = Field(
        default=None, description=f"One of {', '.join(AGE_BANDS)}; only roughly checked against age limits."
    )
    age: int | None = Field(
        default=None, ge=0, le=150, description="Age in whole years, when known: checked exactly against age limits."
    )
    phase: DebtPhase | None = None

    @model_validator(mode="after")
    def known_age_band(self) -> "MatchRequest":
        if self.age_band is not None and self.age_band not in AGE_BANDS:
            raise ValueError(f"age_band must be one of {', '.join(AGE_BANDS)}")
        if self.age is not None:
            band = band_of(self.age)
            if self.age_band is not None and self.age_band != band:
                raise ValueError(f"age_band {self.age_band} does not contain age {self.age}")
            self.age_band = band
        return self


def band_of(age: int) -> str:
    return next(band for band, (low, high) in AGE_BANDS.items() if low <= age <= high)


class ReferralState(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DeclineCategory(StrEnum):
    """Why a partner declined, in a category that may travel to the outreach worker (the words stay here)."""

    NO_CAPACITY = "no_capacity"
    NOT_ELIGIBLE = "not_eligible"
    OTHER_HELP_FITS = "other_help_fits"
    NO_CONTACT = "no_contact"
    HOUSEHOLD_DECLINED = "household_declined"
    OTHER = "other"


class Result(StrEnum):
    DEBT_FREE = "debt_free"
    STABLE = "stable"
    REFERRED_ON = "referred_on"
    DROPPED_OUT = "dropped_out"


TRANSITIONS = {
    ReferralState.REQUESTED: {ReferralState.ACCEPTED, ReferralState.DECLINED, ReferralState.CANCELLED},
    ReferralState.ACCEPTED: {ReferralState.IN_PROGRESS, ReferralState.COMPLETED, ReferralState.CANCELLED},
    ReferralState.IN_PROGRESS: {ReferralState.COMPLETED, ReferralState.CANCELLED},
}
HOLDS_CAPACITY = {ReferralState.ACCEPTED, ReferralState.IN_PROGRESS}


class IllegalTransition(Conflict):
    def __init__(self, current: ReferralState, wanted: ReferralState) -> None:
        super().__init__(f"state: a {current.value} referral cannot become {wanted.value}")


def check_transition(current: ReferralState, wanted: ReferralState) -> None:
    if wanted not in TRANSITIONS.get(current, set()):
        raise IllegalTransition(current, wanted)
