"""Use cases behind both edges of a referral (API and pages): who may see which referrals, and the steps of its
closed loop taken by a caseworker or a partner."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from plumbing.access import CASEWORKERS, Principal, Role, may_see_municipality
from plumbing.errors import Forbidden
from plumbing.paging import FIRST_PAGE, PageRequest, find_page
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import Actor, UnitOfWork
from services.referrals.domain import DeclineCategory, ReferralState, Result
from services.referrals.lifecycle import get_referral
from services.referrals.moves import Move, Moved, Outcome, move_many
from services.referrals.placing import WAITING


class OtherPartnersReferral(Forbidden):
    """The referral is addressed to another partner's offer."""

    def __init__(self, referral_id: str) -> None:
        super().__init__("this referral is addressed to another partner's offer")
        self.referral_id = referral_id


def partner_organisation(principal: Principal) -> str | None:
    """The help-offer organisation the caller acts for, or None for the municipality's caseworkers."""
    if principal.kind == "partner" or principal.role is Role.PARTNER_EMPLOYEE:
        return principal.organisation
    return None


def actor(principal: Principal) -> str:
    return f"partner:{principal.subject}" if principal.kind == "partner" else principal.subject


@dataclass(frozen=True)
class Selection:
    """Which referrals, and which page of them."""

    municipality: str | None = None
    state: ReferralState | None = None
    unmet: bool = False
    page: PageRequest = FIRST_PAGE


async def recent_referrals(
    db: Any, caller: Principal, selection: Selection = Selection()
) -> tuple[list[dict[str, Any]], int]:
    """One page of what the caller may see (a partner its own offers' referrals, a caseworker their
    municipalities'), and how many there are in all."""
    municipality, state = selection.municipality, selection.state
    query: dict[str, Any] = {}
    if municipality:
        may_see_municipality(caller, municipality)
        query["municipality"] = municipality
    elif caller.role in CASEWORKERS:
        query["municipality"] = {"$in": list(caller.municipalities)}
    if state:
        query["state"] = state.value
    if selection.unmet:
        query.update(WAITING)
    organisation = partner_organisation(caller)
    if organisation is not None:
        query["organisation_id"] = organisation
    order = 1 if selection.unmet else -1  # the longest waiting first
    return await find_page(db.referrals, query, [("created_at", order)], selection.page, {"outbox": 0})


async def visible_referral(db: Any, referral_id: str, caller: Principal) -> dict[str, Any]:
    """The referral, when the caller may see it; raises ReferralNotFound or OtherPartnersReferral (and a
    caseworker of another municipality is refused by `may_see_municipality`)."""
    referral = await get_referral(db, referral_id)
    may_see(referral, caller)
    return referral


def may_see(referral: dict[str, Any], caller: Principal) -> None:
    organisation = partner_organisation(caller)
    if organisation is not None and referral.get("organisation_id") != organisation:
        raise OtherPartnersReferral(referral["_id"])
    may_see_municipality(caller, referral["municipality"])


@dataclass(frozen=True)
class Step:
    """A step of the closed loop as a caller asks for it."""

    wanted: ReferralState
    reason: str = ""
    result: Result | None = None
    category: DeclineCategory | None = None


@dataclass(frozen=True)
class Asked:
    """A step a caller asks for one referral."""

    referral_id: str
    caller: Principal
    step: Step


async def take_steps(work: UnitOfWork, settings: PlatformSettings, asked: Sequence[Asked]) -> list[Outcome]:
    """Moves referrals their callers may see, several steps of one referral in the order asked, a bounded number of
    database operations for the lot (`moves.move_many`); per step, the referral before and after it, or the refusal
    (ReferralNotFound, OtherPartnersReferral, another municipality's, IllegalTransition, NoCapacity, Conflict).
    Each step is audited with its outcome, in the name of its caller."""
    moves = [
        Move(ask.referral_id, ask.step.wanted, actor(ask.caller), ask.step.reason, ask.step.result, ask.step.category)
        for ask in asked
    ]
    outcomes = await move_many(work, settings, moves, lambda index, referral: may_see(referral, asked[index].caller))
    for ask, outcome in zip(asked, outcomes, strict=True):
        work.audit(
            f"referral.{ask.step.wanted.value}",
            f"referral:{ask.referral_id}",
            reason=ask.step.category or "",
            result="ok" if isinstance(outcome, tuple) else f"refused: {type(outcome).__name__}",
            by=None if ask.caller.subject == work.actor.who else Actor.of(None, ask.caller),
        )
    return outcomes


async def take_step(
    work: UnitOfWork, settings: PlatformSettings, referral_id: str, caller: Principal, step: Step
) -> Moved:
    """Moves a referral the caller may see (`take_steps` with one step); returns it before and after, or raises
    the refusal."""
    (outcome,) = await take_steps(work, settings, [Asked(referral_id, caller, step)])
    if not isinstance(outcome, tuple):
        raise outcome
    return outcome


def passed_on(referral: dict[str, Any], caller: Principal) -> bool:
    """The caller is a partner and the referral, declined by it, now waits for or went to another offer."""
    organisation = partner_organisation(caller)
    return organisation is not None and referral.get("organisation_id") != organisation
