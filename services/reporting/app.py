"""Composition root of the reporting service: all its subscriptions are registered here."""

from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI

from plumbing import admin_pages, audit
from plumbing.kafka import EVERY_TYPE, Delivered
from plumbing.retention import RetentionJob
from plumbing.runtime import Runtime
from plumbing.web import service_app
from services.reporting import export_pages, reporting_api, reporting_pages, retention
from services.reporting.counting import record_batch
from services.reporting.events import EVENTS_TOPIC
from services.reporting.lab import api as lab_api
from services.reporting.lab import pages as lab_pages
from services.reporting.lab.store import ensure_indexes as ensure_lab_indexes
from services.reporting.projection import ProjectionCache, active_projection, ensure_indexes
from services.reporting.settings import ReportingSettings
from services.reporting.subscriptions import COUNTED_TOPICS


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()

    async def setup(runtime: Runtime) -> None:
        await ensure_indexes(await active_projection(runtime.db))
        await ensure_lab_indexes(runtime.db)
        await audit.ensure_index(runtime.db)
        runtime.jobs.append(
            RetentionJob(lambda: retention.run_retention(runtime.db, settings), settings.retention_interval_seconds)
        )
        runtime.relay_outboxes([runtime.db.lab_projects, runtime.db.lab_prices])

        projection = ProjectionCache(runtime.db)

        async def count(batch: list[Delivered]) -> Mapping[int, str]:
            return await record_batch(await projection.current(), batch)

        topics = [settings.topic(name) for name in COUNTED_TOPICS]
        # every event, also those that count for nothing, so that each partition's applied spans stay whole
        runtime.subscribe(topics, batch_handlers={EVERY_TYPE: count})

    return service_app(
        settings=settings,
        title="Redzaam reporting",
        description="Exact regional counters per municipality, month and metric, built from every event; "
        "programme targets; CSV exports with small numbers suppressed for outside the region; the Schuldenlab's "
        "innovation portfolio with its lifecycle, micro-MKBA and KPIs measured from the counters.",
        templates=Path(__file__).parent / "templates",
        routers=[
            reporting_api.router,
            lab_api.router,
            retention.router,
            audit.router,
            reporting_pages.router,
            lab_pages.router,
            admin_pages.router(retention.ADMINISTRATION),
            export_pages.router,
        ],
        publishes=[EVENTS_TOPIC],
        setup=setup,
    )
