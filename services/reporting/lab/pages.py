"""Pages of the Schuldenlab: the portfolio board by phase, a project's page (plan, budget, steering group,
decisions, MKBA, KPI charts) and the forms behind every action, calling the same use cases as the API."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import COOPERATIVE_ROLES, Principal, Role, staff
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.reporting.events import EVENTS_TOPIC
from services.reporting.facts import METRICS
from services.reporting.lab import store
from services.reporting.lab.kpis import Kpi, Measured, measure
from services.reporting.lab.mkba import Analysis, Price, analyse, split_incentive
from services.reporting.lab.portfolio import (
    ENDED,
    NEXT_PHASE,
    PHASE_WORK,
    Gate,
    NewProject,
    Phase,
    Project,
    ProjectFields,
    Refused,
    budget_total,
    by_phase,
    may_edit,
    summary,
)
from services.reporting.labels import DEBT_PHASES, PHASES, PROJECT_KINDS, STAKEHOLDERS
from services.reporting.projection import active_projection
from services.reporting.settings import SettingsDep
from services.reporting.target_store import current_targets
from services.reporting.targets import progress

router = APIRouter(include_in_schema=False, dependencies=[staff(*COOPERATIVE_ROLES)])
Staff = Annotated[Principal, staff(*COOPERATIVE_ROLES)]
ProgrammeLead = Annotated[Principal, staff(Role.PROGRAMME_LEAD)]
BUDGET_ROWS, EFFECT_ROWS, INVESTMENT_ROWS = 4, 4, 2
SHORT_MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]

# what a person reads when the lab refuses, per field the rule or the form names
MESSAGES = {
    "leader": "Een project start pas met een projectleider, van de gemeente of van een partner.",
    "steering_group": "Een project start pas met een stuurgroep van de partijen die belang hebben bij het project.",
    "plan.budget": "Een project start pas met een projectplan met begroting: kosten per jaar en wie betaalt.",
    "financing_model": "Opschalen kan pas met een duurzaam financieringsmodel: het project verlaat dan de "
    "innovatiefinanciering.",
    "lessons": "Een No-Go beëindigt het project: leg vast wat de coöperatie ervan leert.",
    "phase": "Dit kan niet in de fase waarin het project nu is.",
    "why": "Vul in waarom zo besloten is.",
    "evidence": "Vul in op welk bewijs het besluit rust (cijfers, MKBA, monitoring).",
    "decision": "Kies Go of No-Go.",
    "id": "Vul een code in van kleine letters, cijfers en streepjes (2 tot 63 tekens), die nog niet bestaat.",
    "title": "Vul een titel in.",
    "theme": "Vul het innovatiethema in.",
    "theme_year": "Vul het jaar van het thema in.",
    "debt_phases": "Kies minstens één schuldfase.",
    "kind": "Kies het soort project.",
    "municipality": "Kies een gemeente van de regio, of de hele regio.",
    "budget": "Vul per begrotingsregel een jaar, een bedrag in euro's groter dan 0 en wie betaalt in.",
    "quarters": "Kies per kwartaal een fase.",
    "horizon_years": "Vul een looptijd in van 1 tot en met 30 jaar.",
    "discount_percent": "Vul een discontovoet in van 0 tot en met 15 procent.",
    "effects": "Vul per effect een belanghebbende, omschrijving, prijs, soort en aantallen per jaar in (getallen, "
    "gescheiden door puntkomma's, niet langer dan de looptijd).",
    "investments": "Vul per investering wie betaalt en de bedragen per jaar in euro's in (gescheiden door "
    "puntkomma's, niet langer dan de looptijd).",
    "label": "Vul een naam voor de KPI in.",
    "metric": "Kies een teller.",
    "baseline": "Vul de nulmeting per maand in: een geheel getal van 0 of meer.",
    "target": "Vul het doel per maand in: een geheel getal van 0 of meer.",
    "start": "Vul de eerste maand in als JJJJ-MM.",
    "kpis": "Elke KPI van een project heeft een eigen code.",
}


def message(field: str) -> str:
    return MESSAGES.get(field) or MESSAGES.get(field.split(".")[0]) or "Controleer dit veld."


def _first_field(error: ValidationError) -> str:
    location = error.errors()[0]["loc"]
    return ".".join(str(part) for part in location if not isinstance(part, int)) or "id"


def euros(text: str) -> int:
    """Euro cents from what a Dutch person types: '25.000', '25000,50', '€ 1.250'."""
    cleaned = text.replace("€", "").replace(" ", "").replace(".", "").replace(",", ".")
    return round(float(cleaned) * 100)


def numbers(text: str) -> list[float]:
    return [float(part.replace(",", ".")) for part in text.replace(" ", "").split(";") if part]


def quarters_ahead(today: date, count: int = 8) -> list[str]:
    year, quarter = today.year, 1
    shown = []
    for _ in range(count):
        shown.append(f"{year}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return shown


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _labels() -> dict[str, Any]:
    return {
        "phase_labels": PHASES,
        "phase_work": PHASE_WORK,
        "debt_phase_labels": DEBT_PHASES,
        "kind_labels": PROJECT_KINDS,
        "stakeholder_labels": STAKEHOLDERS,
        "municipalities": municipalities(),
        "metrics": METRICS,
    }


@router.get("/lab")
async def board(request: Request, runtime: RuntimeDep, settings: SettingsDep, viewer: Staff) -> Response:
    projects = await store.all_projects(runtime.db)
    targets = await current_targets(runtime.db, [item for item in settings.targets if item.id == "members"])
    members = await progress(await active_projection(runtime.db), targets)
    return render_page(
        request,
        "lab/board.html",
        "Schuldenlab: innovatieportfolio",
        board=by_phase(projects),
        phases=list(Phase),
        summary=summary(projects, date.today().year),
        members=members[0] if members else None,
        may_register=viewer.role is Role.PROGRAMME_LEAD,
        budget_total=budget_total,
        **_labels(),
    )


PRICE_FIELDS = ("code", "omschrijving", "eenheid", "laag", "verwacht", "hoog")


def _price_rows(prices: list[Price]) -> list[dict[str, str]]:
    def shown(cents: int) -> str:
        return f"{cents / 100:.2f}".replace(".", ",").removesuffix(",00")

    rows = [
        {
            "code": price.key,
            "omschrijving": price.label,
            "eenheid": price.unit,
            "laag": shown(price.low),
            "verwacht": shown(price.expected),
            "hoog": shown(price.high),
        }
        for price in prices
    ]
    return [*rows, dict.fromkeys(PRICE_FIELDS, "")]


def _render_prices(
    request: Request, viewer: Principal, rows: list[dict[str, str]], error: str = "", error_row: int = -1
) -> Response:
    return render_page(
        request,
        "lab/prices.html",
        "Prijslijst voor de MKBA",
        rows=rows,
        may_set=viewer.role is Role.PROGRAMME_LEAD,
        error=error,
        error_row=error_row,
        saved=request.query_params.get("opgeslagen") == "1",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if error else status.HTTP_200_OK,
    )


@router.get("/lab/prijzen")
async def prices_page(request: Request, runtime: RuntimeDep, viewer: Staff) -> Response:
    return _render_prices(request, viewer, _price_rows(await store.current_prices(runtime.db)))


@router.post("/lab/prijzen")
async def prices_form(request: Request, runtime: RuntimeDep, lead: ProgrammeLead) -> Response:
    sent = await request.form()
    rows = []
    for number in range(200):
        if f"code_{number}" not in sent:
            break
        rows.append({name: str(sent.get(f"{name}_{number}", "")).strip() for name in PRICE_FIELDS})
    prices = []
    for number, row in enumerate(rows):
        if not any(row.values()):
            continue
        try:
            prices.append(
                Price.model_validate(
                    {
                        "key": row["code"],
                        "label": row["omschrijving"],
                        "unit": row["eenheid"],
                        "low": euros(row["laag"]),
                        "expected": euros(row["verwacht"]),
                        "high": euros(row["hoog"]),
                    }
                )
            )
        except (ValueError, ValidationError):
            problem = (
                f"regel {number + 1}: vul een code (kleine letters, cijfers, liggend streepje), omschrijving, "
                "eenheid en drie bedragen in, laag niet boven verwacht en verwacht niet boven hoog."
            )
            return _render_prices(request, lead, rows, problem, number)
    try:
        async with runtime.unit_of_work(request, lead) as work:
            await store.set_prices(work, _topic(request), prices)
    except Refused:
        return _render_prices(request, lead, rows, "Elke prijs heeft een eigen code.")
    return RedirectResponse("/lab/prijzen?opgeslagen=1", status_code=status.HTTP_303_SEE_OTHER)


def _project_form(project: Project | None) -> dict[str, Any]:
    if project is None:
        return {"themajaar": str(date.today().year), "soort": "own_development"}
    form: dict[str, Any] = {
        "code": project.id,
        "titel": project.title,
        "thema": project.theme,
        "themajaar": str(project.theme_year),
        "schuldfasen": [phase.value for phase in project.debt_phases],
        "soort": project.kind.value,
        "cooperatiecase": project.cooperation_case,
        "gemeente": project.municipality or "",
        "partners": "\n".join(project.partners),
        "leider_naam": project.leader.name if project.leader else "",
        "leider_organisatie": project.leader.organisation if project.leader else "",
        "leider_account": project.leader.account if project.leader else "",
        "stuurgroep": "\n".join(project.steering_group),
        "samenvatting": project.plan.summary,
        "financiering": project.plan.financing_model,
        "kwartalen": {quarter: phase.value for quarter, phase in project.quarters.items()},
    }
    for number, line in enumerate(project.plan.budget):
        form[f"jaar_{number}"] = str(line.year)
        form[f"bedrag_{number}"] = f"{line.amount_cents / 100:.2f}".replace(".", ",")
        form[f"betaler_{number}"] = line.payer
    return form


async def _fields_from(request: Request) -> tuple[dict[str, Any], ProjectFields]:
    """The project form as sent, and the fields it makes; ValidationError or a budget error names the field."""
    sent = await request.form()
    form: dict[str, Any] = {key: str(value) for key, value in sent.items() if key not in ("schuldfasen", "csrf")}
    form["schuldfasen"] = [str(value) for value in sent.getlist("schuldfasen")]
    form["cooperatiecase"] = "cooperatiecase" in sent
    form["kwartalen"] = {key[9:]: str(value) for key, value in sent.items() if key.startswith("kwartaal_") and value}
    budget = []
    for number in range(BUDGET_ROWS):
        year, amount, payer = (form.get(f"{name}_{number}", "").strip() for name in ("jaar", "bedrag", "betaler"))
        if year or amount or payer:
            try:
                budget.append({"year": int(year), "amount_cents": euros(amount), "payer": payer})
            except ValueError as error:
                raise Refused("budget", "not a year and an amount") from error
    name, organisation = form.get("leider_naam", "").strip(), form.get("leider_organisatie", "").strip()
    leader = {"name": name, "organisation": organisation, "account": form.get("leider_account", "").strip()}
    fields = ProjectFields.model_validate(
        {
            "title": form.get("titel", ""),
            "theme": form.get("thema", ""),
            "theme_year": form.get("themajaar") or None,
            "debt_phases": form["schuldfasen"],
            "kind": form.get("soort") or None,
            "cooperation_case": form["cooperatiecase"],
            "municipality": form.get("gemeente") or None,
            "partners": lines(form.get("partners", "")),
            "leader": leader if name or organisation else None,
            "steering_group": lines(form.get("stuurgroep", "")),
            "plan": {
                "summary": form.get("samenvatting", ""),
                "budget": budget,
                "financing_model": form.get("financiering", ""),
            },
            "quarters": form["kwartalen"],
        }
    )
    return form, fields


def _render_form(
    request: Request, project: Project | None, form: dict[str, Any], error: str = "", field: str = ""
) -> Response:
    return render_page(
        request,
        "lab/project_form.html",
        f"{project.title} wijzigen" if project else "Nieuw project",
        project=project,
        form=form,
        error=error,
        error_field=field.split(".")[-1] if field else "",
        quarters=quarters_ahead(date.today()),
        budget_rows=range(BUDGET_ROWS),
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if error else status.HTTP_200_OK,
        **_labels(),
    )


@router.get("/lab/nieuw")
async def new_project_page(request: Request, lead: ProgrammeLead) -> Response:
    return _render_form(request, None, _project_form(None))


@router.post("/lab/nieuw")
async def new_project(request: Request, runtime: RuntimeDep, lead: ProgrammeLead) -> Response:
    form: dict[str, Any] = {}
    try:
        form, fields = await _fields_from(request)
        code = form.get("code", "").strip()
        NewProject.model_validate({"id": code, **fields.model_dump()})  # the code, checked as the API checks it
        async with runtime.unit_of_work(request, lead) as work:
            await store.register(work, _topic(request), code, fields)
    except ValidationError as error:
        field = _first_field(error)
        return _render_form(request, None, form or _project_form(None), message(field), field)
    except (Refused, store.ProjectExists) as error:
        field = error.field if isinstance(error, Refused) else "id"
        return _render_form(request, None, form, message(field), field)
    return RedirectResponse(f"/lab/{code}?geregistreerd=1", status_code=status.HTTP_303_SEE_OTHER)


def _topic(request: Request) -> str:
    topic: str = request.app.state.settings.topic(EVENTS_TOPIC)
    return topic


async def _project_or_404(request: Request, runtime: RuntimeDep, project_id: str) -> Project | Response:
    try:
        return await store.get_project(runtime.db, project_id)
    except store.ProjectNotFound:
        return render_page(request, "lab/not_found.html", "Project niet gevonden", status_code=404)


async def _editable_or_refusal(
    request: Request, runtime: RuntimeDep, viewer: Principal, project_id: str
) -> Project | Response:
    """The project, when the viewer may change it; else the Dutch page that says why not."""
    found = await _project_or_404(request, runtime, project_id)
    if isinstance(found, Project) and not may_edit(viewer, found):
        return render_page(request, "lab/forbidden.html", "Geen toegang", status_code=403)
    return found


@router.get("/lab/{project_id}")
async def project_page(request: Request, runtime: RuntimeDep, viewer: Staff, project_id: str) -> Response:
    found = await _project_or_404(request, runtime, project_id)
    if isinstance(found, Response):
        return found
    return await _render_project(request, runtime, viewer, found)


async def _render_project(
    request: Request,
    runtime: RuntimeDep,
    viewer: Principal,
    project: Project,
    error: str = "",
    field: str = "",
    gate_form: dict[str, str] | None = None,
    kpi_form: dict[str, str] | None = None,
) -> Response:
    prices = await store.current_prices(runtime.db)
    result = analyse(project.analysis, prices) if project.analysis else None
    measured = await measure(await active_projection(runtime.db), project.kpis)
    return render_page(
        request,
        "lab/project.html",
        project.title,
        project=project,
        result=result,
        split=split_incentive(result) if result else [],
        prices={price.key: price for price in prices},
        kpis=[(item, kpi_chart(item)) for item in measured],
        may_edit=may_edit(viewer, project),
        may_decide=viewer.role is Role.PROGRAMME_LEAD and project.phase in NEXT_PHASE,
        may_start=viewer.role is Role.PROGRAMME_LEAD and project.phase is Phase.IDEA,
        ended=project.phase in ENDED,
        next_phase=NEXT_PHASE.get(project.phase),
        budget_total=budget_total(project),
        error=error,
        error_field=field,
        gate_form=gate_form or {},
        kpi_form=kpi_form or {"start": date.today().strftime("%Y-%m")},
        notice=request.query_params.get("gelukt", ""),
        registered=request.query_params.get("geregistreerd") == "1",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if error else status.HTTP_200_OK,
        **_labels(),
    )


def kpi_chart(measured: Measured, width: int = 560, height: int = 150) -> dict[str, Any]:
    """The last twelve months as bars, with the target as a line, for an inline SVG."""
    months = measured.months[-12:]
    scale = max([measured.values[month] for month in months] + [measured.kpi.target, 1])
    slot = width / max(1, len(months))
    usable = height - 30
    bars = []
    for index, month in enumerate(months):
        value = measured.values[month]
        bar_height = round(usable * value / scale)
        bars.append(
            {
                "x": round(index * slot + slot * 0.15),
                "width": round(slot * 0.7),
                "height": bar_height,
                "y": height - 20 - bar_height,
                "value": value,
                "month": month,
                "short": SHORT_MONTHS[int(month[5:]) - 1],
                "label_x": round(index * slot + slot / 2),
            }
        )
    target_y = round(height - 20 - usable * measured.kpi.target / scale)
    return {"width": width, "height": height, "bars": bars, "target_y": target_y}


@router.post("/lab/{project_id}/start")
async def start_page(request: Request, runtime: RuntimeDep, lead: ProgrammeLead, project_id: str) -> Response:
    found = await _project_or_404(request, runtime, project_id)
    if isinstance(found, Response):
        return found
    try:
        async with runtime.unit_of_work(request, lead) as work:
            await store.start_project(work, _topic(request), project_id)
    except Refused as error:
        return await _render_project(request, runtime, lead, found, message(error.field), error.field)
    except store.Conflict:
        return await _render_project(
            request, runtime, lead, found, "Het project is intussen gewijzigd; probeer opnieuw."
        )
    return RedirectResponse(f"/lab/{project_id}?gelukt=gestart", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/lab/{project_id}/besluit")
async def decide_page(
    request: Request,
    runtime: RuntimeDep,
    lead: ProgrammeLead,
    project_id: str,
    besluit: Annotated[str, Form()] = "",
    waarom: Annotated[str, Form()] = "",
    bewijs: Annotated[str, Form()] = "",
    lessen: Annotated[str, Form()] = "",
    financiering: Annotated[str, Form()] = "",
) -> Response:
    found = await _project_or_404(request, runtime, project_id)
    if isinstance(found, Response):
        return found
    form = {"besluit": besluit, "waarom": waarom, "bewijs": bewijs, "lessen": lessen, "financiering": financiering}
    try:
        gate = Gate.model_validate(
            {
                "decision": besluit or None,
                "why": waarom,
                "evidence": bewijs,
                "lessons": lessen,
                "financing_model": financiering,
            }
        )
        async with runtime.unit_of_work(request, lead) as work:
            decided = await store.decide_gate(work, _topic(request), project_id, gate)
    except ValidationError as error:
        field = _first_field(error)
        return await _render_project(request, runtime, lead, found, message(field), field, gate_form=form)
    except Refused as error:
        return await _render_project(request, runtime, lead, found, message(error.field), error.field, gate_form=form)
    except store.Conflict:
        return await _render_project(
            request, runtime, lead, found, "Het project is intussen gewijzigd.", gate_form=form
        )
    return RedirectResponse(f"/lab/{project_id}?gelukt={decided.phase.value}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/lab/{project_id}/wijzigen")
async def change_page(request: Request, runtime: RuntimeDep, viewer: Staff, project_id: str) -> Response:
    found = await _editable_or_refusal(request, runtime, viewer, project_id)
    if isinstance(found, Response):
        return found
    return _render_form(request, found, _project_form(found))


@router.post("/lab/{project_id}/wijzigen")
async def change_form(request: Request, runtime: RuntimeDep, viewer: Staff, project_id: str) -> Response:
    found = await _editable_or_refusal(request, runtime, viewer, project_id)
    if isinstance(found, Response):
        return found
    form: dict[str, Any] = {}
    try:
        form, fields = await _fields_from(request)
        async with runtime.unit_of_work(request, viewer) as work:
            await store.change_project(work, _topic(request), project_id, fields)
    except ValidationError as error:
        field = _first_field(error)
        return _render_form(request, found, form or _project_form(found), message(field), field)
    except Refused as error:
        return _render_form(request, found, form, message(error.field), error.field)
    except store.Conflict:
        return _render_form(request, found, form, "Het project is intussen gewijzigd; probeer opnieuw.")
    return RedirectResponse(f"/lab/{project_id}?gelukt=gewijzigd", status_code=status.HTTP_303_SEE_OTHER)


def _analysis_form(analysis: Analysis | None) -> dict[str, str]:
    if analysis is None:
        return {"looptijd": "5", "discontovoet": "4"}
    form = {"looptijd": str(analysis.horizon_years), "discontovoet": f"{analysis.discount_percent:g}".replace(".", ",")}
    for number, effect in enumerate(analysis.effects):
        form |= {
            f"belanghebbende_{number}": effect.stakeholder.value,
            f"omschrijving_{number}": effect.description,
            f"prijs_{number}": effect.price_key,
            f"soort_{number}": effect.direction,
            f"zonder_{number}": "; ".join(f"{value:g}" for value in effect.null_per_year),
            f"met_{number}": "; ".join(f"{value:g}" for value in effect.project_per_year),
            f"onzekerheid_{number}": str(effect.uncertainty_percent),
        }
    for number, investment in enumerate(analysis.investments):
        form |= {
            f"betaler_{number}": investment.payer.value,
            f"bedragen_{number}": "; ".join(f"{value / 100:g}".replace(".", ",") for value in investment.per_year),
        }
    return form


@router.get("/lab/{project_id}/mkba")
async def analysis_page(request: Request, runtime: RuntimeDep, viewer: Staff, project_id: str) -> Response:
    found = await _editable_or_refusal(request, runtime, viewer, project_id)
    if isinstance(found, Response):
        return found
    return await _render_analysis(request, runtime, found, _analysis_form(found.analysis))


async def _render_analysis(
    request: Request, runtime: RuntimeDep, project: Project, form: dict[str, str], field: str = ""
) -> Response:
    return render_page(
        request,
        "lab/analysis_form.html",
        f"MKBA: {project.title}",
        project=project,
        form=form,
        error=message(field) if field else "",
        error_field=field,
        prices=await store.current_prices(runtime.db),
        effect_rows=range(EFFECT_ROWS),
        investment_rows=range(INVESTMENT_ROWS),
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if field else status.HTTP_200_OK,
        **_labels(),
    )


@router.post("/lab/{project_id}/mkba")
async def analysis_form(request: Request, runtime: RuntimeDep, viewer: Staff, project_id: str) -> Response:
    found = await _editable_or_refusal(request, runtime, viewer, project_id)
    if isinstance(found, Response):
        return found
    form = {key: str(value) for key, value in (await request.form()).items() if key != "csrf"}
    try:
        analysis = _analysis_from(form)
        async with runtime.unit_of_work(request, viewer) as work:
            await store.set_analysis(work, _topic(request), project_id, analysis)
    except ValidationError as error:
        return await _render_analysis(request, runtime, found, form, _first_field(error))
    except Refused as error:
        return await _render_analysis(request, runtime, found, form, error.field)
    return RedirectResponse(f"/lab/{project_id}?gelukt=mkba#mkba", status_code=status.HTTP_303_SEE_OTHER)


def _analysis_from(form: dict[str, str]) -> Analysis:
    effects, investments = [], []
    for number in range(EFFECT_ROWS):
        if not form.get(f"omschrijving_{number}", "").strip():
            continue
        try:
            null, project = numbers(form.get(f"zonder_{number}", "")), numbers(form.get(f"met_{number}", ""))
        except ValueError as error:
            raise Refused("effects", "not numbers") from error
        effects.append(
            {
                "stakeholder": form.get(f"belanghebbende_{number}") or None,
                "description": form[f"omschrijving_{number}"].strip(),
                "price_key": form.get(f"prijs_{number}", ""),
                "direction": form.get(f"soort_{number}") or None,
                "null_per_year": null,
                "project_per_year": project,
                "uncertainty_percent": form.get(f"onzekerheid_{number}") or 0,
            }
        )
    for number in range(INVESTMENT_ROWS):
        amounts = form.get(f"bedragen_{number}", "").strip()
        if not amounts:
            continue
        try:
            per_year = [euros(part) for part in amounts.split(";") if part.strip()]
        except ValueError as error:
            raise Refused("investments", "not amounts") from error
        investments.append({"payer": form.get(f"betaler_{number}") or None, "per_year": per_year})
    return Analysis.model_validate(
        {
            "horizon_years": form.get("looptijd") or None,
            "discount_percent": (form.get("discontovoet") or "").replace(",", ".") or None,
            "effects": effects,
            "investments": investments,
        }
    )


@router.post("/lab/{project_id}/kpis")
async def add_kpi(
    request: Request,
    runtime: RuntimeDep,
    viewer: Staff,
    project_id: str,
    naam: Annotated[str, Form()] = "",
    teller: Annotated[str, Form()] = "",
    gemeente: Annotated[str, Form()] = "",
    dimensie: Annotated[str, Form()] = "",
    soort: Annotated[str, Form()] = "",
    nulmeting: Annotated[str, Form()] = "",
    doel: Annotated[str, Form()] = "",
    vanaf: Annotated[str, Form()] = "",
) -> Response:
    found = await _editable_or_refusal(request, runtime, viewer, project_id)
    if isinstance(found, Response):
        return found
    form = {"naam": naam, "teller": teller, "gemeente": gemeente, "dimensie": dimensie, "soort": soort}
    form |= {"nulmeting": nulmeting, "doel": doel, "start": vanaf}
    try:
        kpi = Kpi.model_validate(
            {
                "id": f"kpi-{len(found.kpis) + 1}",
                "label": naam,
                "metric": teller,
                "municipality": gemeente or None,
                "dimension": dimensie,
                "kind": soort or "reach",
                "baseline": nulmeting or None,
                "target": doel or None,
                "start": vanaf,
            }
        )
        taken = {item.id for item in found.kpis}
        kpi = kpi.model_copy(update={"id": next(f"kpi-{n}" for n in range(1, 100) if f"kpi-{n}" not in taken)})
        async with runtime.unit_of_work(request, viewer) as work:
            await store.set_kpis(work, _topic(request), project_id, [*found.kpis, kpi])
    except ValidationError as error:
        field = _first_field(error)
        field = "metric" if field == "id" else field
        return await _render_project(request, runtime, viewer, found, message(field), field, kpi_form=form)
    except Refused as error:
        return await _render_project(request, runtime, viewer, found, message(error.field), error.field, kpi_form=form)
    return RedirectResponse(f"/lab/{project_id}?gelukt=kpi#kpis", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/lab/{project_id}/kpis/{kpi_id}/verwijderen")
async def remove_kpi(request: Request, runtime: RuntimeDep, viewer: Staff, project_id: str, kpi_id: str) -> Response:
    found = await _editable_or_refusal(request, runtime, viewer, project_id)
    if isinstance(found, Response):
        return found
    try:
        async with runtime.unit_of_work(request, viewer) as work:
            await store.set_kpis(work, _topic(request), project_id, [kpi for kpi in found.kpis if kpi.id != kpi_id])
    except Refused as error:
        return await _render_project(request, runtime, viewer, found, message(error.field), error.field)
    return RedirectResponse(f"/lab/{project_id}?gelukt=kpi#kpis", status_code=status.HTTP_303_SEE_OTHER)
