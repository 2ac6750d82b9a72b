"""The retention run of reporting (AVG art. 5(1)(e)), as its register (services.reporting.register) lists it: the
audit log loses its old entries. The counters' subjects and the Schuldenlab's projects have no term a run enforces;
their terms say why. Run on a timer (plumbing.retention) and by administrators; one operation per run.
"""

import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pymongo.asynchronous.database import AsyncDatabase

from plumbing import audit
from plumbing.access import Principal, Role, staff
from plumbing.retention import Administration, run_retention_now
from plumbing.unit_of_work import UnitOfWork
from plumbing.web import RuntimeDep
from services.reporting.labels import AUDIT_ACTIONS
from services.reporting.settings import ReportingSettings

logger = logging.getLogger(__name__)


async def run_retention(
    db: AsyncDatabase[Any], settings: ReportingSettings, now: datetime | None = None
) -> dict[str, int]:
    report = {"expired_audit_entries": await audit.expire_entries(db, settings, now or datetime.now(UTC))}
    if any(report.values()):
        logger.info("retention run", extra=report)
    return report


router = APIRouter(prefix="/api/v1", tags=["retention"])


@router.post("/retention/run", summary="Delete the audit log's entries older than its term, now")
async def post_retention_run(
    runtime: RuntimeDep, request: Request, admin: Annotated[Principal, staff(Role.ADMINISTRATOR)]
) -> dict[str, int]:
    return await run_retention_now(runtime, request, admin, ADMINISTRATION)


async def _run_for_administrator(work: UnitOfWork, settings: ReportingSettings) -> dict[str, int]:
    return await run_retention(work.db, settings)


# the administration pages (plumbing.admin_pages) and the API run it alike
ADMINISTRATION = Administration(record="reporting", retention=_run_for_administrator, actions=AUDIT_ACTIONS)
