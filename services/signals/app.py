"""Composition root of the signals service: all its subscriptions and background jobs are registered here."""

import re
from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI

from plumbing import admin_pages, audit, mail, public_forms
from plumbing.coalescer import Coalescer
from plumbing.kafka import Delivered
from plumbing.retention import RetentionJob
from plumbing.runtime import Runtime
from plumbing.web import service_app
from services.signals import (
    assignment_api,
    assignment_pages,
    cases_api,
    cases_pages,
    desk_figures,
    employer_desk_api,
    employer_desk_pages,
    export_pages,
    help_api,
    help_pages,
    intake_api,
    municipality_settings_api,
    municipality_settings_pages,
    team_pages,
    teams_api,
    worklist_pages,
)
from services.signals.access import api as access_api
from services.signals.access import pages as access_pages
from services.signals.access.accounts import ensure_administrator
from services.signals.digest import DIGEST_INTERVAL_SECONDS, queue_digests
from services.signals.events import EVENTS_TOPIC
from services.signals.intake import Accepted, Submitted, accept_signals, ensure_indexes
from services.signals.kafka_evictions import EVICTION_SUBMITTED, on_evictions_submitted
from services.signals.kafka_intake import on_signals_submitted
from services.signals.referral_news import ensure_indexes as ensure_referral_news_indexes
from services.signals.referral_news import record_referral_news
from services.signals.retention import ADMINISTRATION, run_retention
from services.signals.settings import SignalsSettings
from services.signals.subscriptions import INTAKE_TOPIC, REFERRAL_NEWS, REFERRALS_TOPIC, SIGNAL_SUBMITTED
from services.signals.teams import ensure_indexes as ensure_team_indexes


def create_app(settings: SignalsSettings | None = None) -> FastAPI:
    settings = settings or SignalsSettings()
    running: list[Runtime] = []  # the runtime exists once the app has started (its lifespan)

    async def accept(partner: str, items: list[Submitted]) -> list[Accepted]:
        async with running[0].unit_of_work() as work:
            return await accept_signals(work, settings, partner, items)

    async def setup(runtime: Runtime) -> None:
        running.append(runtime)
        await ensure_indexes(runtime.db)
        await ensure_team_indexes(runtime.db)

        # what became of the households handed on, for the case page: a projection of referrals' events
        await ensure_referral_news_indexes(runtime.db)

        async def on_referral_news(batch: list[Delivered]) -> Mapping[int, str]:
            return await record_referral_news(runtime.db, batch)

        runtime.subscribe(
            [settings.topic(REFERRALS_TOPIC)], batch_handlers=dict.fromkeys(REFERRAL_NEWS, on_referral_news)
        )
        await desk_figures.ensure_indexes(runtime.db)
        admin_password = settings.admin_password.get_secret_value() if settings.admin_password else None
        await ensure_administrator(runtime.db, admin_password)
        runtime.relay_outboxes([runtime.db.cases, runtime.db.evictions, runtime.db.partners, runtime.db.accounts])
        await audit.ensure_index(runtime.db)
        await public_forms.ensure_index(runtime.db)
        runtime.jobs.append(
            RetentionJob(lambda: public_forms.prune_claims(runtime.db, settings), settings.retention_interval_seconds)
        )

        async def retention() -> dict[str, int]:
            async with runtime.unit_of_work() as work:
                return await run_retention(work, settings)

        runtime.jobs.append(RetentionJob(retention, settings.retention_interval_seconds))
        await mail.ensure_indexes(runtime.db)
        runtime.jobs.append(RetentionJob(lambda: queue_digests(runtime.db, settings), DIGEST_INTERVAL_SECONDS))
        runtime.jobs.append(mail.job(runtime.db, settings))

        async def on_submitted(batch: list[Delivered]) -> Mapping[int, str]:
            return await on_signals_submitted(runtime, settings, batch)

        # the shared intake topic and one topic per partner (`<prefix>.signals.intake.<partner-id>`), which Kafka's
        # ACLs let only that partner write to
        intake = re.escape(settings.topic(INTAKE_TOPIC))

        async def on_evictions(batch: list[Delivered]) -> Mapping[int, str]:
            return await on_evictions_submitted(runtime, settings, batch)

        runtime.subscribe(
            [],
            batch_handlers={SIGNAL_SUBMITTED: on_submitted, EVICTION_SUBMITTED: on_evictions},
            pattern=rf"^{intake}(\.[a-z0-9-]+)?$",
        )

    app = service_app(
        settings=settings,
        title="Redzaam signals",
        description="Early signals of payment arrears: partner intake, the outreach queue, outcomes and feedback.",
        templates=Path(__file__).parent / "templates",
        routers=[
            access_api.router,
            audit.router,
            admin_pages.router(ADMINISTRATION),
            export_pages.router,
            intake_api.router,
            cases_api.router,
            help_api.router,
            employer_desk_api.router,
            municipality_settings_api.router,
            teams_api.router,
            assignment_api.router,
            access_pages.router,
            worklist_pages.router,
            cases_pages.router,
            help_pages.router,
            employer_desk_pages.router,
            assignment_pages.router,
            team_pages.router,
            municipality_settings_pages.router,
        ],
        publishes=[EVENTS_TOPIC, INTAKE_TOPIC],
        setup=setup,
    )
    # signals sent one per request are accepted together with those that arrive at the same time (group commit)
    app.state.single_signals = Coalescer(accept, max_items=settings.batch_max_signals)
    return app
