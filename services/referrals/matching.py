"""Matching a household's request to the offers that can take it, best first, with the reasons in words. No I/O."""

from dataclasses import dataclass

from services.referrals.domain import AGE_BANDS, MatchRequest, Need, OfferCreate, OfferKind, OfferStatus
from services.referrals.labels import NEEDS

# needs of a smaller group that an offer exists for; an offer serving one outranks broad offers
SPECIFIC_NEEDS = frozenset({Need.YOUTH, Need.DEBT_SETTLEMENT})


@dataclass(frozen=True)
class Ranked:
    offer: OfferCreate
    served: list[Need]
    phase_fits: bool
    score: tuple[int, int, int, float]


@dataclass(frozen=True)
class Wanted:
    """A match request prepared once for checking many offers."""

    municipality: str
    needs: frozenset[Need]
    ages: tuple[int, int] | None
    tried: frozenset[str] = frozenset()


def prepare(request: MatchRequest, tried: frozenset[str] = frozenset()) -> Wanted:
    """`tried`: offers this household was already referred to for this need (declined, for one)."""
    if request.age is not None:
        ages: tuple[int, int] | None = (request.age, request.age)
    else:
        ages = AGE_BANDS[request.age_band] if request.age_band else None
    return Wanted(request.municipality, frozenset(request.needs), ages, tried)


def exclusion(offer: OfferCreate, request: MatchRequest | Wanted) -> str | None:
    """Why the offer cannot take this household, in words; None when it can."""
    wanted = request if isinstance(request, Wanted) else prepare(request)
    if offer.kind is OfferKind.OUTREACH:
        return "is zelf een outreachprogramma, geen hulp om naar te verwijzen"
    if offer.id in wanted.tried:
        return "al geprobeerd voor dit huishouden"
    if offer.status is not OfferStatus.ACTIVE:
        return "niet actief"
    if wanted.municipality not in offer.municipalities:
        return "werkt niet in deze gemeente"
    if offer.capacity_available <= 0:
        return "geen plek vrij"
    if wanted.needs.isdisjoint(offer.needs):
        return "helpt niet bij deze hulpvraag"
    if wanted.ages is not None:
        low, high = wanted.ages
        if (offer.age_minimum is not None and high < offer.age_minimum) or (
            offer.age_maximum is not None and low > offer.age_maximum
        ):
            return f"alleen voor {offer.age_minimum or 0} tot en met {offer.age_maximum or 'elke'} jaar"
    return None


def rank(offers: list[OfferCreate], request: MatchRequest, tried: frozenset[str] = frozenset()) -> list[Ranked]:
    """Offers that can take the household, best first: most specific needs served (youth, debt settlement: the
    offers that exist for these people come before broad ones), then most needs served, the asked phase, then the
    most room. Offers in `tried` are left out."""
    wanted = prepare(request, tried)
    ranked = []
    for offer in offers:
        if exclusion(offer, wanted) is not None:
            continue
        served = [need for need in request.needs if need in offer.needs]
        specific = sum(1 for need in served if need in SPECIFIC_NEEDS)
        phase_fits = request.phase is None or offer.phase is request.phase
        room = offer.capacity_available / max(1, offer.capacity_maximum)
        ranked.append(Ranked(offer, served, phase_fits, (specific, len(served), int(phase_fits), room)))
    ranked.sort(key=lambda item: (*(-part for part in item.score), item.offer.id))
    return ranked


def reasons(item: Ranked, request: MatchRequest) -> list[str]:
    """Why an offer ranked as it did, in words, for the people who act on the referral."""
    offer = item.offer
    said = [
        f"helpt bij {', '.join(NEEDS[need].lower() for need in item.served)}",
        f"{offer.capacity_available} van {offer.capacity_maximum} plekken vrij",
    ]
    if request.phase is not None:
        said.append("in de gevraagde fase" if item.phase_fits else "in een andere fase dan gevraagd")
    if offer.age_minimum is not None or offer.age_maximum is not None:
        said.append(_age_reason(offer, request))
    return said


def _age_reason(offer: OfferCreate, request: MatchRequest) -> str:
    if request.age is not None:
        return f"leeftijd past ({request.age} jaar)"
    if request.age_band is None:
        return "leeftijd onbekend: controleer de leeftijdsgrens"
    low, high = AGE_BANDS[request.age_band]
    inside = (offer.age_minimum is None or low >= offer.age_minimum) and (
        offer.age_maximum is None or high <= offer.age_maximum
    )
    return (
        "leeftijd past" if inside else f"alleen leeftijdsgroep {request.age_band} bekend: controleer de leeftijdsgrens"
    )
