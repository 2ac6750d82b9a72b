"""Staff pages of the reporting service."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from plumbing.web import RuntimeDep, render_page
from services.reporting.counting import METRICS, counters

router = APIRouter(include_in_schema=False)


@router.get("/")
async def dashboard(request: Request, runtime: RuntimeDep) -> Response:
    rows = await counters(runtime.db)
    totals = {metric: sum(row.events for row in rows if row.metric == metric) for metric in METRICS}
    return render_page(
        request,
        "dashboard.html",
        "Regionale tellingen",
        rows=rows,
        totals=totals,
        metrics=METRICS,
    )
