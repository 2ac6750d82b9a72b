"""Composition root of the reporting service: all its subscriptions are registered here."""

from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI

from plumbing.kafka import Delivered
from plumbing.runtime import Runtime
from plumbing.web import service_app
from services.reporting import api, pages
from services.reporting.counting import ProjectionCache, active_facts, ensure_indexes, record_batch
from services.reporting.facts import FACTS_OF
from services.reporting.settings import ReportingSettings
from services.reporting.subscriptions import REFERRALS_TOPIC, SIGNALS_TOPIC, VOLUNTEERS_TOPIC


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()

    async def setup(runtime: Runtime) -> None:
        await ensure_indexes(await active_facts(runtime.db))

        projection = ProjectionCache(runtime.db)

        async def count(batch: list[Delivered]) -> Mapping[int, str]:
            return await record_batch(await projection.facts(), [delivered.event for delivered in batch])

        topics = [settings.topic(name) for name in (SIGNALS_TOPIC, REFERRALS_TOPIC, VOLUNTEERS_TOPIC)]
        runtime.subscribe(topics, batch_handlers=dict.fromkeys(FACTS_OF, count))

    return service_app(
        settings=settings,
        title="Redzaam reporting",
        description="Exact regional counters per municipality, month and metric, built from every event; "
        "programme targets; CSV exports with small numbers suppressed for outside the region.",
        templates=Path(__file__).parent / "templates",
        routers=[api.router, pages.router],
        publishes=[],
        setup=setup,
    )
