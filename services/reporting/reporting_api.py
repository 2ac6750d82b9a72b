"""HTTP API of the reporting service: counters, breakdowns, targets, and CSV exports."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError

from plumbing.access import COOPERATIVE_ROLES, Principal, Role, staff
from plumbing.reference import Municipality as InRegion
from plumbing.web import RuntimeDep
from services.reporting.exports import CounterExport, counters_csv, file_name
from services.reporting.facts import METRICS
from services.reporting.projection import active_projection
from services.reporting.readings import breakdown, counters
from services.reporting.settings import SettingsDep
from services.reporting.target_store import TargetNumbers, change_target, current_targets
from services.reporting.targets import Progress, progress

# aggregates only, no personal data: every member of staff may read them
router = APIRouter(prefix="/api/v1", tags=["reporting"], dependencies=[staff(*COOPERATIVE_ROLES)])

ProgrammeLead = Annotated[Principal, staff(Role.PROGRAMME_LEAD)]
Staff = Annotated[Principal, staff(*COOPERATIVE_ROLES)]
Municipality = Annotated[InRegion | None, Query()]
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Metric = Annotated[str | None, Query(pattern="^(" + "|".join(METRICS) + ")$")]


class CounterPublic(BaseModel):
    municipality: str = Field(examples=["GM0141"])
    month: str = Field(examples=["2026-11"])
    metric: str = Field(examples=["signals_raised"])
    total: int = Field(description="Events counted, each exactly once (for students_reached: the students).")
    distinct: int = Field(description="Distinct households (or volunteers, employers, schools) among them.")


class TargetProgress(BaseModel):
    id: str
    label: str
    counts: str = Field(description="What the target counts.")
    kind: str = Field(description="`reach`: at least `target`; `reduction`: at most `target` over the period.")
    target: int | None = Field(description="Empty for a reduction whose baseline is not known yet.")
    baseline: int = Field(description="Kind `reach`: how many there were when the period started; in `value`.")
    baseline_per_year: int | None
    reduction_percent: int
    value: int
    percent: float = Field(description="Value as a percentage of the target.")
    on_track: bool | None
    projected: int | None = Field(description="At the end of the period, if the pace so far holds.")
    share: float | None = Field(description="Percent of the counted subjects that `share_label` applies to.")
    share_label: str
    per_dimension: dict[str, int] = Field(description="Counted subjects per dimension, e.g. volunteers per role.")
    start: str
    end: str


@router.get("/counters", response_model=list[CounterPublic], summary="Counters per municipality, month and metric")
async def get_counters(
    runtime: RuntimeDep,
    municipality: Municipality = None,
    start: Month = None,
    end: Month = None,
    metric: Metric = None,
) -> list[CounterPublic]:
    rows = await counters(await active_projection(runtime.db), municipality, start, end, metric)
    return [CounterPublic(**vars(row)) for row in rows]


@router.get("/breakdown/{metric}", summary="One metric per dimension (creditor type, outcome, offer, result, role)")
async def get_breakdown(
    runtime: RuntimeDep, metric: str, municipality: Municipality = None, start: Month = None, end: Month = None
) -> dict[str, int]:
    if metric not in METRICS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"metric: unknown, use one of {', '.join(METRICS)}")
    return await breakdown(await active_projection(runtime.db), metric, municipality, start, end)


@router.get("/targets", response_model=list[TargetProgress], summary="Progress against the programme targets")
async def get_targets(runtime: RuntimeDep, settings: SettingsDep) -> list[TargetProgress]:
    targets = await current_targets(runtime.db, settings.targets)
    return [progress_public(item) for item in await progress(await active_projection(runtime.db), targets)]


def progress_public(item: Progress) -> TargetProgress:
    return TargetProgress(
        id=item.target.id,
        label=item.target.label,
        counts=item.target.counts,
        kind=item.target.kind,
        target=item.target.goal,
        baseline=item.target.baseline,
        baseline_per_year=item.target.baseline_per_year,
        reduction_percent=item.target.reduction_percent,
        value=item.value,
        percent=item.percent,
        on_track=item.on_track,
        projected=item.projected,
        share=item.share,
        share_label=item.target.share_label,
        per_dimension=item.per_dimension,
        start=item.target.start.isoformat(),
        end=item.target.end.isoformat(),
    )


@router.put("/targets/{target_id}", response_model=TargetNumbers, summary="Set a target's numbers (programme lead)")
async def put_target(
    target_id: str,
    numbers: TargetNumbers,
    runtime: RuntimeDep,
    settings: SettingsDep,
    request: Request,
    lead: ProgrammeLead,
) -> TargetNumbers:
    async with runtime.unit_of_work(request, lead) as work:
        await change_target(work, settings.targets, target_id, numbers)
    return numbers


@router.get("/export.csv", summary="Counters as CSV; audience=external hides counts below the threshold (audited)")
async def export_csv(
    runtime: RuntimeDep,
    settings: SettingsDep,
    request: Request,
    who: Staff,
    municipality: Municipality = None,
    start: Month = None,
    end: Month = None,
    metric: Metric = None,
    audience: Annotated[str, Query(pattern="^(internal|external)$")] = "external",
) -> Response:
    try:
        asked = CounterExport(municipality=municipality, start=start, end=end, metric=metric, audience=audience)
    except ValidationError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "end: lies before start") from error
    async with runtime.unit_of_work(request, who) as work:
        text = await counters_csv(work, settings.suppress_below, asked)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file_name(asked)}"'},
    )
