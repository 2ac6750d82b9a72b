"""The retention run of a service, on a timer: erasure of personal data after its term (AVG art. 5(1)(e)).

The platform uses no TTL indexes (the local server has none), so each service that keeps personal data runs its
own erasure now and then every `retention_interval_seconds`, and offers it to administrators as
`POST /api/v1/retention/run`. What is erased, and when, is the service's register (plumbing.register).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from plumbing.access import Principal
from plumbing.runtime import Runtime
from plumbing.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


class RetentionJob:
    """Calls `run` now and then every `interval_seconds`; a failed run is tried again at the next interval."""

    def __init__(self, run: Callable[[], Awaitable[Any]], interval_seconds: float) -> None:
        self._run_once = run
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self._run_once()
            except Exception:
                logger.exception("retention run failed; trying again next interval")
            await asyncio.sleep(self._interval)


RetentionRun = Callable[[UnitOfWork, Any], Awaitable[dict[str, int]]]

# the audit actions and retention counts every service has; a service adds its own
COMMON_ACTIONS = {
    "retention.run": "Bewaartermijnen toegepast (opschonen)",
    "sign_in.page": "Ingelogd op de pagina",
    "sign_in.password": "Ingelogd via de API",
    "sign_out": "Uitgelogd",
    "export.downloaded": "Export gedownload",
}
COMMON_COUNTS = {"expired_audit_entries": "verlopen regels van het logboek verwijderd"}


@dataclass(frozen=True)
class Administration:
    """What a service brings to the shared administration pages."""

    record: str  # what the audit entry of a retention run names, e.g. "volunteers"
    retention: RetentionRun  # the service's retention run, given a unit of work and the service's settings
    actions: Mapping[str, str] = field(default_factory=dict)  # Dutch words for the service's audit actions
    counts: Mapping[str, str] = field(default_factory=dict)  # Dutch words for what its retention run reports

    @property
    def action_labels(self) -> dict[str, str]:
        return {**COMMON_ACTIONS, **self.actions}

    @property
    def count_labels(self) -> dict[str, str]:
        return {**COMMON_COUNTS, **self.counts}


async def run_retention_now(
    runtime: Runtime, request: Request, admin: Principal, administration: Administration
) -> dict[str, int]:
    """An administrator runs the retention run now: audited, then the service's own run."""
    async with runtime.unit_of_work(request, admin) as work:
        work.audit("retention.run", administration.record)
        return await administration.retention(work, request.app.state.settings)
