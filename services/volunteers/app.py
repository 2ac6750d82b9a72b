"""Composition root of the volunteers service: all its subscriptions are registered here."""

from pathlib import Path

from fastapi import FastAPI

from plumbing import admin_pages, audit, mail, public_forms
from plumbing.events import CloudEvent
from plumbing.retention import RetentionJob
from plumbing.runtime import Runtime
from plumbing.web import service_app
from services.volunteers import (
    assignments_pages,
    municipality_settings_api,
    municipality_settings_pages,
    volunteers_api,
    volunteers_pages,
)
from services.volunteers.assignments import ensure_indexes
from services.volunteers.events import EVENTS_TOPIC
from services.volunteers.notifications import assigned
from services.volunteers.requests import from_household_matched
from services.volunteers.retention import ADMINISTRATION, run_retention
from services.volunteers.settings import VolunteersSettings
from services.volunteers.subscriptions import HOUSEHOLD_MATCHED, REFERRALS_TOPIC, VOLUNTEER_ASSIGNED, VOLUNTEERS_TOPIC


def create_app(settings: VolunteersSettings | None = None) -> FastAPI:
    settings = settings or VolunteersSettings()

    async def setup(runtime: Runtime) -> None:
        await ensure_indexes(runtime.db)
        await audit.ensure_index(runtime.db)
        await public_forms.ensure_index(runtime.db)
        runtime.jobs.append(
            RetentionJob(lambda: public_forms.prune_claims(runtime.db, settings), settings.retention_interval_seconds)
        )
        runtime.jobs.append(
            RetentionJob(lambda: run_retention(runtime.db, settings), settings.retention_interval_seconds)
        )
        runtime.relay_outboxes([runtime.db.assignments, runtime.db.volunteers])

        async def on_household_matched(event: CloudEvent) -> None:
            async with runtime.unit_of_work() as work:
                await from_household_matched(work, settings, event)

        await mail.ensure_indexes(runtime.db)
        runtime.jobs.append(mail.job(runtime.db, settings))

        async def on_volunteer_assigned(event: CloudEvent) -> None:
            async with runtime.unit_of_work() as work:
                await assigned(work, event)

        runtime.subscribe(
            [settings.topic(REFERRALS_TOPIC), settings.topic(VOLUNTEERS_TOPIC)],
            {HOUSEHOLD_MATCHED: on_household_matched, VOLUNTEER_ASSIGNED: on_volunteer_assigned},
        )

    return service_app(
        settings=settings,
        title="Redzaam volunteers",
        description="Registry and screening of volunteers (budget coach, guest teacher, debt buddy), requests from "
        "referrals and schools, assignments within caseload limits, hours and lessons.",
        templates=Path(__file__).parent / "templates",
        routers=[
            volunteers_api.router,
            municipality_settings_api.router,
            audit.router,
            volunteers_pages.router,
            municipality_settings_pages.router,
            assignments_pages.router,
            admin_pages.router(ADMINISTRATION),
        ],
        publishes=[EVENTS_TOPIC],
        setup=setup,
    )
