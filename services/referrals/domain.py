"""Help offers and the rules for matching a household to them. No I/O here."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


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


class OfferCreate(BaseModel):
    """A help offer of a partner organisation, in the spirit of an Open Referral HSDS service."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", examples=["schuldhulpmaatje-almelo"])
    name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    status: OfferStatus = OfferStatus.ACTIVE
    phase: DebtPhase
    municipalities: list[str] = Field(min_length=1, description="CBS gemeentecodes of the area served.")
    capacity_available: int = Field(ge=0)
    capacity_maximum: int = Field(ge=0)
    volunteer_role: VolunteerRole | None = Field(
        default=None, description="When set, a household referred here also gets a volunteer of this role."
    )

    @model_validator(mode="after")
    def available_within_maximum(self) -> "OfferCreate":
        if self.capacity_available > self.capacity_maximum:
            raise ValueError("capacity_available may not exceed capacity_maximum")
        return self


def fits(offer: OfferCreate, municipality: str) -> bool:
    return offer.status is OfferStatus.ACTIVE and municipality in offer.municipalities and offer.capacity_available > 0


def rank(offers: list[OfferCreate], municipality: str) -> list[OfferCreate]:
    """Offers that fit, early intervention first (a fresh signal needs quick help), then the most room."""
    phase_order = {DebtPhase.EARLY_INTERVENTION: 0, DebtPhase.PREVENTION: 1, DebtPhase.CURATIVE: 2}
    fitting = [offer for offer in offers if fits(offer, municipality)]
    return sorted(fitting, key=lambda offer: (phase_order[offer.phase], -offer.capacity_available, offer.id))
