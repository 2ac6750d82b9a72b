"""Referrals that follow from a closed outreach case of the signals service."""

from plumbing.events import CloudEvent
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.referrals.domain import MatchRequest, Need
from services.referrals.lifecycle import create_referral
from services.referrals.subscriptions import CaseClosed

NEEDS_AFTER_OUTCOME = {
    "follow_up_financial": [Need.DEBT_HELP, Need.BUDGET_COACHING],
    "follow_up_non_financial": [Need.SOCIAL_SUPPORT],
    "referral_without_contact": [Need.DEBT_HELP],
}


async def refer_after_case(work: UnitOfWork, settings: PlatformSettings, event: CloudEvent) -> str | None:
    """One referral per case that ended in a follow-up; returns its id when it was created now."""
    closed = event.data_as(CaseClosed)
    needs = NEEDS_AFTER_OUTCOME.get(closed.outcome)
    if not closed.follow_up or needs is None:
        return None
    request = MatchRequest(
        municipality=closed.municipality, needs=needs, age_band=closed.age_band if closed.age_band else None
    )
    created = await create_referral(
        work, settings, closed.case_id, closed.household_ref, request, source="signals", at=event.time
    )
    return closed.case_id if created else None
