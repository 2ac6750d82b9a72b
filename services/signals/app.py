"""Composition root of the signals service."""

from pathlib import Path

from fastapi import FastAPI

from plumbing.runtime import Runtime
from plumbing.web import service_app
from services.signals import api, pages
from services.signals.events import EVENTS_TOPIC
from services.signals.intake import ensure_indexes
from services.signals.settings import SignalsSettings


def create_app(settings: SignalsSettings | None = None) -> FastAPI:
    settings = settings or SignalsSettings()

    async def setup(runtime: Runtime) -> None:
        await ensure_indexes(runtime.db)
        runtime.relay_outboxes([runtime.db.signals])

    return service_app(
        settings=settings,
        title="Redzaam signals",
        description="Early signals of payment arrears: partner intake and the outreach queue.",
        templates=Path(__file__).parent / "templates",
        routers=[api.router, pages.router],
        publishes=[EVENTS_TOPIC],
        setup=setup,
    )
