"""The dashboard: targets, monthly trends as charts (inline SVG, no CDN) and the same figures as tables."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from plumbing.access import Role, staff
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.reporting.dashboard import read_figures
from services.reporting.facts import METRICS
from services.reporting.projection import active_projection
from services.reporting.settings import ReportingSettings
from services.reporting.targets import progress

router = APIRouter(include_in_schema=False, dependencies=[staff(*Role)])
TREND_METRICS = ["signals_raised", "households_reached", "households_matched", "volunteers_assigned"]
CHART_WIDTH, CHART_HEIGHT = 560, 150


@router.get("/")
async def dashboard(request: Request, runtime: RuntimeDep) -> Response:
    settings: ReportingSettings = request.app.state.settings
    projection = await active_projection(runtime.db)
    shown = await read_figures(projection)
    months = shown.months[-12:]
    charts = {metric: bar_chart(months, shown.by_month[metric]) for metric in TREND_METRICS}
    return render_page(
        request,
        "dashboard.html",
        "Regionale tellingen",
        totals=shown.totals,
        metrics=METRICS,
        targets=await progress(projection, settings.targets),
        months=months,
        by_month=shown.by_month,
        trend_metrics=TREND_METRICS,
        charts=charts,
        by_municipality=shown.by_municipality,
        municipalities=municipalities(),
    )


def bar_chart(months: list[str], values: dict[str, int]) -> dict[str, Any]:
    """Bar positions for an inline SVG chart of monthly totals."""
    highest = max([values.get(month, 0) for month in months] + [1])
    slot = CHART_WIDTH / max(1, len(months))
    bars = []
    for index, month in enumerate(months):
        value = values.get(month, 0)
        height = round((CHART_HEIGHT - 30) * value / highest)
        bars.append(
            {
                "x": round(index * slot + slot * 0.15),
                "width": round(slot * 0.7),
                "height": height,
                "y": CHART_HEIGHT - 20 - height,
                "value": value,
                "month": month,
                "label_x": round(index * slot + slot / 2),
            }
        )
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars}
