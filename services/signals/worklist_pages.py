"""The queue as a worker uses it: filters (team, assignee, text), sorting by column, "Mijn casussen", bulk
assignment, and the CSV download of the list as shown."""

from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from plumbing.access import CASEWORKERS, Principal, staff
from plumbing.audit import audit
from plumbing.paging import PageLinks, PageRequest, page_number
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.signals.assignment import AssigneeUnfit, NotYourTeam, assign_cases, workers_teams
from services.signals.bundling import OPEN
from services.signals.casework import CaseNotFound, is_overdue, overdue_in
from services.signals.domain import CreditorType
from services.signals.labels import CREDITOR_TYPES, STATUSES
from services.signals.municipality_settings import setting_for
from services.signals.order import SORTS, why
from services.signals.settings import SettingsDep
from services.signals.teams import NO_TEAM, NO_TEAM_LABEL, team_names
from services.signals.worklist import MAX_EXPORT_ROWS, UNASSIGNED, Worklist, csv_of, search_is_too_short, worklist

router = APIRouter(include_in_schema=False)
OptionalText = Annotated[str | None, Query()]
Caseworker = Annotated[Principal, staff(*CASEWORKERS)]
ALL_TEAMS = "alle"
SORT_COLUMNS = {"termijn": "deadline", "bedrag": "amount", "schuldeisers": "creditors", "leeftijd": "age"}


async def _selection(
    runtime: RuntimeDep, worker: Principal, params: dict[str, str | None]
) -> tuple[Worklist, dict[str, str]]:
    """The worker's selection from the page's parameters, and the parameters to keep on links. A worker in a team
    sees that team's cases until they choose another team or all of them."""
    own = [code for code in municipalities() if worker.serves(code)]
    asked = params.get("gemeente")
    municipality = asked if asked in own else (own[0] if own else "none")
    mine = sorted((await workers_teams(runtime.db, worker.subject)).get(municipality, set()))
    default_team = mine[0] if mine else ALL_TEAMS
    team = params.get("team") or default_team
    area, kind, state = params.get("wijk"), params.get("schuldeiser"), params.get("status")
    sort = params.get("sorteer")
    selection = Worklist(
        municipality=municipality,
        postcode_area=area if area and area.isdigit() and len(area) == 4 else None,
        creditor_type=CreditorType(kind) if kind in CREDITOR_TYPES else None,
        status=state if state in STATUSES else OPEN,
        team=None if team == ALL_TEAMS else team,
        assignee=params.get("behandelaar") or None,
        search=(params.get("zoek") or "")[:60],
        sort=SORT_COLUMNS.get(sort or ""),
        reverse=params.get("richting") == "omgekeerd",
    )
    kept = {
        "gemeente": municipality or "",
        "team": team if team != default_team else "",  # the default is what the page shows without it
        "behandelaar": selection.assignee or "",
        "wijk": selection.postcode_area or "",
        "schuldeiser": selection.creditor_type.value if selection.creditor_type else "",
        "status": selection.status,
        "zoek": selection.search,
        "sorteer": sort if sort and selection.sort else "",
        "richting": "omgekeerd" if selection.sort and selection.reverse else "",
    }
    return selection, kept


PARAMETERS = ("gemeente", "team", "behandelaar", "wijk", "schuldeiser", "status", "zoek", "sorteer", "richting")


def _params(request: Request) -> dict[str, str | None]:
    return {name: request.query_params.get(name) for name in PARAMETERS}


@router.get("/")
async def queue_page(
    request: Request, runtime: RuntimeDep, worker: Caseworker, pagina: OptionalText = None
) -> Response:
    return await _render_queue(request, runtime, worker, _params(request), page_number(pagina))


@router.get("/mijn-casussen")
async def my_cases_page(
    request: Request, runtime: RuntimeDep, worker: Caseworker, pagina: OptionalText = None
) -> Response:
    params = {**_params(request), "behandelaar": worker.subject, "team": request.query_params.get("team") or ALL_TEAMS}
    return await _render_queue(request, runtime, worker, params, page_number(pagina), mine=True)


async def _render_queue(
    request: Request,
    runtime: RuntimeDep,
    worker: Principal,
    params: dict[str, str | None],
    page_no: int,
    mine: bool = False,
    notice: str = "",
    error: str = "",
) -> Response:
    selection, kept = await _selection(runtime, worker, params)
    code = selection.municipality or ""
    weights = (await setting_for(runtime.db, request.app.state.settings, code)).queue_weights
    page = PageRequest(page_no)
    now = datetime.now(UTC)
    cases, total = await worklist(runtime.db, selection, weights, page, now)
    names = await team_names(runtime.db, [code])
    colleagues = (
        await runtime.db.accounts.find(
            {"active": True, "role": {"$in": [role.value for role in CASEWORKERS]}, "municipalities": code}, {"name": 1}
        )
        .sort("_id", 1)
        .to_list()
    )
    base = "/mijn-casussen" if mine else "/"
    unsorted = {name: value for name, value in kept.items() if name not in ("sorteer", "richting")}
    return render_page(
        request,
        "queue.html",
        "Mijn casussen" if mine else "Werkvoorraad vroegsignalen",
        cases=cases,
        paging=PageLinks.of(page, len(cases), total, kept),
        overdue_total=await overdue_in(runtime.db, selection),
        selection=selection,
        overdue={case["_id"] for case in cases if is_overdue(case)},
        municipalities={c: n for c, n in municipalities().items() if worker.serves(c)},
        creditor_types=CREDITOR_TYPES,
        statuses=STATUSES,
        teams=names,
        team_choice=selection.team or ALL_TEAMS,
        no_team=NO_TEAM,
        no_team_label=NO_TEAM_LABEL,
        all_teams=ALL_TEAMS,
        unassigned=UNASSIGNED,
        colleagues=colleagues,
        why={case["_id"]: why(case, now, weights) for case in cases},
        weighted=weights is not None,
        base=base,
        mine=mine,
        sort_links=_sort_links(base, unsorted, kept),
        sort_choice=kept["sorteer"],
        csv_link="/werkvoorraad.csv?" + urlencode({k: v for k, v in kept.items() if v}),
        back=base
        + "?"
        + urlencode({k: v for k, v in kept.items() if v})
        + (f"&pagina={page_no}" if page_no > 1 else ""),
        search_too_short=search_is_too_short(selection.search),
        notice=notice or _assigned_notice(request),
        error=error,
    )


def _sort_links(base: str, unsorted: dict[str, str], kept: dict[str, str]) -> dict[str, dict[str, str]]:
    """Per column: the link that sorts by it (again: the other way round) and its aria-sort state."""
    links: dict[str, dict[str, str]] = {}
    for column, key in SORT_COLUMNS.items():
        current = kept["sorteer"] == column
        reverse = current and kept["richting"] != "omgekeerd"
        query = {**unsorted, "sorteer": column, **({"richting": "omgekeerd"} if reverse else {})}
        natural = "ascending" if SORTS[key][1] == 1 else "descending"
        flipped = "descending" if natural == "ascending" else "ascending"
        state = (flipped if kept["richting"] == "omgekeerd" else natural) if current else "none"
        links[column] = {"href": base + "?" + urlencode({k: v for k, v in query.items() if v}), "state": state}
    return links


@router.get("/werkvoorraad.csv")
async def queue_csv(request: Request, runtime: RuntimeDep, settings: SettingsDep, worker: Caseworker) -> Response:
    """The list as the queue shows it (filters and order), all pages; audited. The queue shows no personal data,
    nor does its download."""
    selection, kept = await _selection(runtime, worker, _params(request))
    code = selection.municipality or ""
    weights = (await setting_for(runtime.db, settings, code)).queue_weights
    now = datetime.now(UTC)
    cases, total = await worklist(runtime.db, selection, weights, PageRequest(1, MAX_EXPORT_ROWS), now)
    if total > MAX_EXPORT_ROWS:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"De lijst telt {total} casussen, meer dan {MAX_EXPORT_ROWS} per download; verfijn de filters.",
        )
    described = ", ".join(f"{name}={value}" for name, value in kept.items() if value)
    await audit(
        runtime.db, request, worker, "cases.exported", f"cases:{code}", reason=f"{len(cases)} casussen; {described}"
    )
    body = csv_of(cases, municipalities(), await team_names(runtime.db, [code]), weights, now, date.today())
    filename = f"werkvoorraad-{code}-{date.today().isoformat()}.csv"
    return Response(
        "\ufeff" + body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/werkvoorraad/toewijzen")
async def bulk_assign(
    request: Request,
    runtime: RuntimeDep,
    worker: Caseworker,
    casussen: Annotated[list[str] | None, Form()] = None,
    behandelaar: Annotated[str, Form()] = "",
    terug: Annotated[str, Form()] = "/",
) -> Response:
    back = terug if terug.startswith("/") and not terug.startswith("//") else "/"
    if not casussen or not behandelaar:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "Kies een of meer casussen (vinkje) en een behandelaar om ze aan toe te wijzen.",
        )
    try:
        async with runtime.unit_of_work(request, worker) as work:
            done = await assign_cases(work, worker, casussen[:200], behandelaar)
    except CaseNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Een van de gekozen casussen bestaat niet.") from error
    except NotYourTeam as error:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Een van de gekozen casussen hoort bij een ander team; u kunt hem niet toewijzen.",
        ) from error
    except AssigneeUnfit as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "Deze behandelaar kan niet alle gekozen casussen werken (ander team of andere gemeente).",
        ) from error
    separator = "&" if "?" in back else "?"
    return RedirectResponse(
        f"{back}{separator}toegewezen=1"
        if not done.changed
        else f"{back}{separator}toegewezen=1&gewijzigd={len(done.changed)}",
        status_code=status.HTTP_303_SEE_OTHER,
    )


def _assigned_notice(request: Request) -> str:
    if request.query_params.get("toegewezen") != "1":
        return ""
    changed = request.query_params.get("gewijzigd", "")
    if changed.isdigit():
        return f"De casussen zijn toegewezen, behalve {changed} die intussen waren gewijzigd of afgesloten."
    return "De casussen zijn toegewezen."
