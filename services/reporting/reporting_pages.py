"""The dashboard: targets, monthly trends as charts (inline SVG, no CDN) and the same figures as tables."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import COOPERATIVE_ROLES, Principal, Role, caller, staff
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.reporting.dashboard import read_figures
from services.reporting.facts import METRICS
from services.reporting.projection import active_projection
from services.reporting.settings import SettingsDep
from services.reporting.target_store import InvalidTarget, TargetNumbers, UnknownTarget, change_target, current_targets
from services.reporting.targets import Target, progress

router = APIRouter(include_in_schema=False, dependencies=[staff(*COOPERATIVE_ROLES)])
ProgrammeLead = Annotated[Principal, staff(Role.PROGRAMME_LEAD)]
KINDS = {"reach": "bereik: minstens het doel", "reduction": "daling: hoogstens de nulmeting min het percentage"}
# what a programme lead reads when a number does not make a target, per field of `TargetNumbers`
TARGET_ERRORS = {
    "label": "Vul een naam in (hoogstens 120 tekens).",
    "kind": "Kies het soort doel.",
    "target": "Vul het aantal in dat bereikt moet worden: een geheel getal groter dan 0.",
    "baseline": "Vul de beginstand in: een geheel getal, 0 of meer.",
    "baseline_per_year": "Vul de nulmeting in: het aantal per jaar vóór het programma, een geheel getal van 0 of meer.",
    "reduction_percent": "Vul een daling in van 1 tot en met 100 procent.",
    "start": "Vul een geldige begindatum in.",
    "end": "Vul een geldige einddatum in die na de begindatum ligt.",
}
FORM_FIELDS = {
    "label": "naam",
    "kind": "soort",
    "target": "doel",
    "baseline": "beginstand",
    "baseline_per_year": "nulmeting",
    "reduction_percent": "daling",
    "start": "van",
    "end": "tot",
}
TREND_METRICS = ["signals_raised", "households_reached", "households_matched", "volunteers_assigned"]
CHART_WIDTH, CHART_HEIGHT = 560, 150


@router.get("/")
async def dashboard(request: Request, runtime: RuntimeDep, settings: SettingsDep) -> Response:
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
        targets=await progress(projection, await current_targets(runtime.db, settings.targets)),
        may_set_targets=_may_set_targets(request),
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


def _may_set_targets(request: Request) -> bool:
    principal = caller(request)
    return principal is not None and principal.role is Role.PROGRAMME_LEAD


@router.get("/doelen")
async def targets_page(request: Request, runtime: RuntimeDep, settings: SettingsDep, lead: ProgrammeLead) -> Response:
    return _render_targets(request, await current_targets(runtime.db, settings.targets))


@router.post("/doelen/{target_id}")
async def set_target(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    lead: ProgrammeLead,
    target_id: str,
    naam: Annotated[str, Form()] = "",
    soort: Annotated[str, Form()] = "",
    doel: Annotated[str, Form()] = "",
    beginstand: Annotated[str, Form()] = "",
    nulmeting: Annotated[str, Form()] = "",
    daling: Annotated[str, Form()] = "",
    van: Annotated[str, Form()] = "",
    tot: Annotated[str, Form()] = "",
) -> Response:
    form = {"naam": naam, "soort": soort, "doel": doel, "beginstand": beginstand, "nulmeting": nulmeting}
    form |= {"daling": daling, "van": van, "tot": tot}
    sent: dict[str, str | int | None] = {field: form[name].strip() or None for field, name in FORM_FIELDS.items()}
    sent["baseline"] = sent["baseline"] or 0  # left empty: none before the period, or the usual halving
    sent["reduction_percent"] = sent["reduction_percent"] or 50
    targets = await current_targets(runtime.db, settings.targets)
    try:
        numbers = TargetNumbers.model_validate(sent)
        async with runtime.unit_of_work(request, lead) as work:
            await change_target(work, settings.targets, target_id, numbers)
    except ValidationError as error:
        wrong = str(error.errors()[0]["loc"][0])
        return _render_targets(request, targets, target_id, form, {FORM_FIELDS[wrong]: TARGET_ERRORS[wrong]})
    except InvalidTarget as error:
        field = error.field if error.field in TARGET_ERRORS else "end"
        return _render_targets(request, targets, target_id, form, {FORM_FIELDS[field]: TARGET_ERRORS[field]})
    except UnknownTarget:
        return render_page(request, "not_found.html", "Doel niet gevonden", status_code=status.HTTP_404_NOT_FOUND)
    return RedirectResponse(f"/doelen?opgeslagen={target_id}#doel-{target_id}", status_code=status.HTTP_303_SEE_OTHER)


def _render_targets(
    request: Request,
    targets: list[Target],
    editing: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return render_page(
        request,
        "targets.html",
        "Programmadoelen instellen",
        targets=targets,
        kinds=KINDS,
        editing=editing,
        form=form or {},
        errors=errors or {},
        saved=request.query_params.get("opgeslagen", ""),
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK,
    )
