"""The retention run of a service, on a timer: erasure of personal data after its term (AVG art. 5(1)(e)).

The platform uses no TTL indexes (the local server has none), so each service that keeps personal data runs its
own erasure now and then every `retention_interval_seconds`, and offers it to administrators as
`POST /api/v1/retention/run`. What is erased, and when, is the service's register (plumbing.register).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

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
