"""The export page: a period and a municipality, and a button per export there is (the counters as CSV, and the
municipality's DDAS-vroegsignalering figures, which the signals service keeps). Both downloads are audited; bad
input is a Dutch message beside its field before anything is downloaded."""

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import COOPERATIVE_ROLES, Principal, staff
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.reporting.exports import CounterExport, counters_csv, file_name
from services.reporting.settings import SettingsDep

router = APIRouter(include_in_schema=False)
Staff = Annotated[Principal, staff(*COOPERATIVE_ROLES)]
Text = Annotated[str, Query()]
EXPORT_ERRORS = {
    "van": "Vul de eerste maand in als jjjj-mm, bijvoorbeeld 2026-01.",
    "tot": "Vul de laatste maand in als jjjj-mm, bijvoorbeeld 2026-11.",
    "tot_voor_van": "De laatste maand ligt vóór de eerste.",
    "gemeente": "Kies een gemeente van de regio.",
    "gemeente_ddas": "Kies een gemeente: de DDAS-vroegsignalering gaat over één gemeente.",
    "voor": "Kies voor wie de tellingen zijn.",
}
AUDIENCES = {
    "internal": "binnen de regio (alle aantallen)",
    "external": "buiten de regio (aantallen onder 5 verborgen)",
}


@router.get("/export")
async def export_page(request: Request, who: Staff) -> Response:
    today = date.today()
    form = {"van": f"{today.year}-01", "tot": f"{today:%Y-%m}", "gemeente": "", "voor": "external"}
    return _render(request, form, {})


@router.get("/export/tellingen.csv")
async def counters_download(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    who: Staff,
    van: Text = "",
    tot: Text = "",
    gemeente: Text = "",
    voor: Text = "",
) -> Response:
    form = {"van": van.strip(), "tot": tot.strip(), "gemeente": gemeente, "voor": voor}
    errors = _period_errors(form)
    asked: CounterExport | None = None
    try:
        asked = CounterExport(
            municipality=gemeente or None, start=form["van"] or None, end=form["tot"] or None, audience=voor
        )
    except ValidationError as error:
        fields = {"municipality": "gemeente", "start": "van", "end": "tot", "audience": "voor"}
        for problem in error.errors():
            name = fields.get(str(problem["loc"][0]) if problem["loc"] else "", "")
            if name and name not in errors:
                errors[name] = EXPORT_ERRORS[name]
        errors = errors or {"tot": EXPORT_ERRORS["tot_voor_van"]}
    if errors or asked is None:
        return _render(request, form, errors)
    async with runtime.unit_of_work(request, who) as work:
        text = await counters_csv(work, settings.suppress_below, asked)
    disposition = f'attachment; filename="{file_name(asked)}"'
    return Response(text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})


@router.get("/export/ddas")
async def ddas_download(
    request: Request,
    settings: SettingsDep,
    who: Staff,
    van: Text = "",
    tot: Text = "",
    gemeente: Text = "",
    voor: Text = "",
) -> Response:
    """The DDAS figures are the signals service's: the period and municipality are checked here, beside the
    fields, and the browser then fetches the file there (`/export/ddas.csv`, audited by signals)."""
    form = {"van": van.strip(), "tot": tot.strip(), "gemeente": gemeente, "voor": voor}
    errors = _period_errors(form, required=True)
    if gemeente not in municipalities():
        errors["gemeente"] = EXPORT_ERRORS["gemeente_ddas"]
    if errors:
        return _render(request, form, errors)
    first, last = _month(form["van"]), _month(form["tot"])
    assert first is not None and last is not None  # checked by _period_errors
    end = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    query = urlencode({"gemeente": gemeente, "van": first.isoformat(), "tot": end.isoformat()})
    signals_url = settings.signals_url
    return RedirectResponse(f"{signals_url}/export/ddas.csv?{query}", status_code=status.HTTP_303_SEE_OTHER)


def _month(text: str) -> date | None:
    try:
        return date.fromisoformat(f"{text}-01") if len(text) == 7 else None
    except ValueError:
        return None


def _period_errors(form: dict[str, str], required: bool = False) -> dict[str, str]:
    errors = {
        name: EXPORT_ERRORS[name] for name in ("van", "tot") if (form[name] or required) and _month(form[name]) is None
    }
    first, last = _month(form["van"]), _month(form["tot"])
    if first and last and last < first:
        errors["tot"] = EXPORT_ERRORS["tot_voor_van"]
    return errors


def _render(request: Request, form: dict[str, str], errors: dict[str, str]) -> Response:
    return render_page(
        request,
        "export.html",
        "Exporteren",
        form=form,
        errors=errors,
        audiences=AUDIENCES,
        municipalities=municipalities(),
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK,
    )
