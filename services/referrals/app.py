"""Composition root of the referrals service: all its subscriptions are registered here."""

from pathlib import Path

from fastapi import FastAPI

from plumbing.events import CloudEvent
from plumbing.runtime import Runtime
from plumbing.web import service_app
from services.referrals import api, pages
from services.referrals.events import EVENTS_TOPIC
from services.referrals.matching import ensure_indexes, match_household
from services.referrals.settings import ReferralsSettings
from services.referrals.subscriptions import SIGNAL_RAISED, SIGNALS_TOPIC


def create_app(settings: ReferralsSettings | None = None) -> FastAPI:
    settings = settings or ReferralsSettings()

    async def setup(runtime: Runtime) -> None:
        await ensure_indexes(runtime.db)
        runtime.relay_outboxes([runtime.db.referrals])

        async def on_signal_raised(event: CloudEvent) -> None:
            referral_id = await match_household(runtime.db, settings, event)
            if referral_id is not None:
                runtime.wake_relay("referrals", referral_id)

        runtime.subscribe([settings.topic(SIGNALS_TOPIC)], {SIGNAL_RAISED: on_signal_raised})

    return service_app(
        settings=settings,
        title="Redzaam referrals",
        description="Catalogue of help offers and closed-loop referrals of households to them.",
        templates=Path(__file__).parent / "templates",
        routers=[api.router, pages.router],
        publishes=[EVENTS_TOPIC],
        setup=setup,
    )
