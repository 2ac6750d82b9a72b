"""Use cases behind both edges of a referral (API and pages): who may see which referrals, and the steps of its
closed loop taken by a caseworker or a partner."""

from dataclasses import dataclass
from typing import Any

from plumbing.access import CASEWORKERS, Principal, Role, may_see_municipality
from plumbing.errors import Forbidden
from plumbing.paging import FIRST_PAGE, PageRequest, find_page
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.referrals.domain import DeclineCategory, ReferralState, Result
from services.referrals.lifecycle import get_referral, move
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
    organisation = partner_organisation(caller)
    if organisation is not None and referral.get("organisation_id") != organisation:
        raise OtherPartnersReferral(referral_id)
    may_see_municipality(caller, referral["municipality"])
    return referral


@dataclass(frozen=True)
class Step:
    """A step of the closed loop as a caller asks for it."""

    wanted: ReferralState
    reason: str = ""
    result: Result | None = None
    category: DeclineCategory | None = None


async def take_step(
    work: UnitOfWork, settings: PlatformSettings, referral_id: str, caller: Principal, step: Step
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Moves a referral the caller may see; returns it before and after. Raises what `visible_referral` and
    `lifecycle.move` raise."""
    work.audit(f"referral.{step.wanted.value}", f"referral:{referral_id}", reason=step.category or "")
    before = await visible_referral(work.db, referral_id, caller)
    moved = await move(
        work,
        settings,
        referral_id,
        step.wanted,
        actor=actor(caller),
        reason=step.reason,
        result=step.result,
        category=step.category,
    )
    return before, moved


def passed_on(referral: dict[str, Any], caller: Principal) -> bool:
    """The caller is a partner and the referral, declined by it, now waits for or went to another offer."""
    organisation = partner_organisation(caller)
    return organisation is not None and referral.get("organisation_id") != organisation
