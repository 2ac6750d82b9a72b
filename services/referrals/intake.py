"""Referrals that follow from a closed outreach case of the signals service."""

from plumbing.events import CloudEvent
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.referrals.domain import AGE_BANDS, MatchRequest
from services.referrals.lifecycle import create_referral
from services.referrals.needs import CaseFacts, needs_of
from services.referrals.subscriptions import CaseClosed


async def refer_after_case(work: UnitOfWork, settings: PlatformSettings, event: CloudEvent) -> str | None:
    """One referral per case that ended in a follow-up; returns its id when it was created now."""
    closed = event.data_as(CaseClosed)
    band = closed.age_band if closed.age_band in AGE_BANDS else None
    needs = needs_of(
        CaseFacts(
            outcome=closed.outcome,
            age=closed.age,
            age_band=band,
            # events before the count carried only the creditor types: at least one creditor per type
            creditor_count=closed.creditor_count or len(set(closed.creditor_types)) or None,
            total_arrears_cents=closed.total_arrears_cents,
        )
    )
    if not closed.follow_up or not needs:
        return None
    request = MatchRequest(
        municipality=closed.municipality, needs=needs, age_band=None if closed.age is not None else band, age=closed.age
    )
    created = await create_referral(
        work, settings, closed.case_id, closed.household_ref, request, source="signals", at=event.time
    )
    return closed.case_id if created else None
