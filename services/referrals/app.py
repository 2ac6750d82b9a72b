"""Composition root of the referrals service: all its subscriptions are registered here."""

from pathlib import Path

from fastapi import FastAPI

from plumbing import admin_pages, audit, mail
from plumbing.events import CloudEvent
from plumbing.retention import RetentionJob
from plumbing.runtime import Runtime
from plumbing.web import service_app
from services.referrals import (
    catalogue_api,
    catalogue_pages,
    cohort_api,
    cohort_pages,
    kafka_answers,
    partner_feed_api,
    partner_topics,
    referrals_api,
    referrals_pages,
    retention,
)
from services.referrals.cohort import ensure_cohort
from services.referrals.events import EVENTS_TOPIC
from services.referrals.intake import refer_after_case
from services.referrals.lifecycle import ensure_indexes
from services.referrals.notifications import referral_arrived
from services.referrals.partner_names import remember_partner
from services.referrals.settings import ReferralsSettings
from services.referrals.subscriptions import (
    CASE_CLOSED,
    HOUSEHOLD_MATCHED,
    PARTNER_JOINED,
    REFERRALS_TOPIC,
    SIGNALS_TOPIC,
)


def create_app(settings: ReferralsSettings | None = None) -> FastAPI:
    settings = settings or ReferralsSettings()

    async def setup(runtime: Runtime) -> None:
        await ensure_indexes(runtime.db)
        await ensure_cohort(runtime.db, settings.doorbraak_cap)
        await retention.ensure_indexes(runtime.db)
        runtime.jobs.append(
            RetentionJob(lambda: retention.run_retention(runtime.db, settings), settings.retention_interval_seconds)
        )
        runtime.relay_outboxes([runtime.db.referrals, runtime.db.cohort_members, runtime.db.partner_feed])

        async def on_case_closed(event: CloudEvent) -> None:
            async with runtime.unit_of_work() as work:
                await refer_after_case(work, settings, event)

        await mail.ensure_indexes(runtime.db)
        runtime.jobs.append(mail.job(runtime.db, settings))

        async def on_household_matched(event: CloudEvent) -> None:
            async with runtime.unit_of_work() as work:
                await referral_arrived(work, settings, event)

        runtime.subscribe(
            [settings.topic(SIGNALS_TOPIC), settings.topic(REFERRALS_TOPIC)],
            {
                CASE_CLOSED: on_case_closed,
                HOUSEHOLD_MATCHED: on_household_matched,
                PARTNER_JOINED: lambda event: remember_partner(runtime.db, event),
            },
        )

        # help-offer partners: their referrals on their own topics, their answers from their own intake topics
        await partner_topics.subscribe_feed(runtime, settings)
        kafka_answers.subscribe_answers(runtime, settings)

    return service_app(
        settings=settings,
        title="Redzaam referrals",
        description="Catalogue of help offers, matching with reasons, closed-loop referrals, the Doorbraak cohort.",
        templates=Path(__file__).parent / "templates",
        routers=[
            catalogue_api.router,
            referrals_api.router,
            partner_feed_api.router,
            cohort_api.router,
            retention.router,
            audit.router,
            referrals_pages.router,
            catalogue_pages.router,
            cohort_pages.router,
            admin_pages.router(retention.ADMINISTRATION),
        ],
        publishes=[EVENTS_TOPIC],
        setup=setup,
    )
