"""The administrator's pages every service with an audit log shares: the log itself, filtered by person, record,
action and dates and shown a page at a time with the total (`/beheer/logboek`), and the retention run on demand
("Nu opschonen", `/beheer/opschonen`). A service gives its own words and its own retention run
(`Administration`); the page, its template (`audit_log.html`) and the flow are written once, here.

The retention run on demand goes through `plumbing.retention.run_retention_now`, which the service's API route
(`POST /api/v1/retention/run`) calls as well: one flow, audited alike from page and API."""

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from plumbing.access import Principal, Role, staff
from plumbing.audit import LOCAL, AuditFilter, find_entries
from plumbing.municipality_settings_pages import SETTINGS_PAGES
from plumbing.paging import PER_PAGE, PageLinks, PageRequest, page_number
from plumbing.retention import Administration, run_retention_now
from plumbing.runtime import Runtime
from plumbing.web import RuntimeDep, render_page

Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]

# what an administrator reads beside a filter field that could not be used
FILTER_ERRORS = {
    "van": "Vul een geldige datum in (dag-maand-jaar).",
    "tot": "Vul een geldige datum in (dag-maand-jaar).",
    "tot_voor_van": "De einddatum ligt vóór de begindatum.",
}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse_filter(params: Mapping[str, str]) -> tuple[AuditFilter, dict[str, str]]:
    """The filter a page's parameters ask for (wie, record, actie, van, tot: days in Dutch time, both included),
    and a Dutch message per field that could not be used (that field is then left out)."""
    errors: dict[str, str] = {}
    start, end = _day(params.get("van", "")), _day(params.get("tot", ""))
    for name, value in (("van", start), ("tot", end)):
        if params.get(name) and value is None:
            errors[name] = FILTER_ERRORS[name]
    if start and end and end < start:
        errors["tot"] = FILTER_ERRORS["tot_voor_van"]
        end = None
    return AuditFilter.of_days(
        params.get("wie", ""), params.get("record", ""), params.get("actie", ""), start, end
    ), errors


def router(administration: Administration) -> APIRouter:
    """The administration pages of a service."""
    pages = APIRouter(include_in_schema=False)

    @pages.get("/beheer/logboek")
    async def audit_log_page(request: Request, runtime: RuntimeDep, admin: Administrator) -> Response:
        return await _render(request, runtime, administration)

    @pages.post("/beheer/opschonen")
    async def retention_run_page(request: Request, runtime: RuntimeDep, admin: Administrator) -> Response:
        report = await run_retention_now(runtime, request, admin, administration)
        return await _render(request, runtime, administration, report=report)

    return pages


async def _render(
    request: Request, runtime: Runtime, administration: Administration, report: dict[str, int] | None = None
) -> Response:
    params = dict(request.query_params)
    asked, errors = parse_filter(params)
    page = PageRequest(page_number(params.get("pagina")), PER_PAGE)
    found, total = await find_entries(runtime.db, asked, page)
    kept = {name: params.get(name, "") for name in ("wie", "record", "actie", "van", "tot") if name not in errors}
    return render_page(
        request,
        "audit_log.html",
        "Logboek en bewaartermijnen",
        entries=[{**entry, "at": entry["at"].astimezone(LOCAL)} for entry in found],
        paging=PageLinks.of(page, len(found), total, kept),
        form={name: params.get(name, "") for name in ("wie", "record", "actie", "van", "tot")},
        errors=errors,
        actions=administration.action_labels,
        counts=administration.count_labels,
        report=report,
        settings_per_municipality=request.app.state.settings.service_name in SETTINGS_PAGES,
        status_code=422 if errors else 200,
    )
