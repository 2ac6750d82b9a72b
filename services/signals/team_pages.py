"""The administrator's page for a municipality's neighbourhood teams and the order of its queue: /beheer/teams."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import CASEWORKERS, Principal, Role, staff
from plumbing.forms import GENERAL, messages_beside_fields
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.signals.municipality_settings import QueueWeights, VersionConflict, change_settings, setting_for
from services.signals.settings import SettingsDep
from services.signals.teams import (
    TeamChange,
    TeamCreate,
    TeamNotFound,
    TeamRefused,
    TeamVersionConflict,
    change_team,
    create_team,
    get_team,
    teams_by_municipality,
)

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]
Text = Annotated[str, Form()]
Many = Annotated[list[str] | None, Form()]
FIELD_NAMES = {"name": "naam", "postcode_areas": "wijken", "mailbox": "mailbox", "members": "leden"}
MESSAGES = {
    "naam": "Vul een naam in van 2 tot 80 tekens.",
    "wijken": "Vul postcodegebieden in van vier cijfers (1000–9999), gescheiden door spaties of komma's.",
    "mailbox": "Vul een geldig e-mailadres in, of laat het leeg.",
    "leden": "Kies outreachmedewerkers of schuldhulpverleners van deze gemeente.",
}
WEIGHT_FIELDS = {"crisis": "Crisis", "creditors": "Per schuldeiser", "amount": "Per EUR 100", "age": "Per dag oud"}


@router.get("/beheer/teams")
async def teams_page(
    request: Request, runtime: RuntimeDep, admin: Administrator, gemeente: Annotated[str | None, Query()] = None
) -> Response:
    return await _render(request, runtime, _municipality(gemeente))


@router.post("/beheer/teams")
async def team_created(
    request: Request,
    runtime: RuntimeDep,
    admin: Administrator,
    gemeente: Text = "",
    naam: Text = "",
    wijken: Text = "",
    mailbox: Text = "",
    leden: Many = None,
) -> Response:
    code = _municipality(gemeente)
    form = {"naam": naam, "wijken": wijken, "mailbox": mailbox, "leden": leden or []}
    try:
        created = TeamCreate.model_validate({"municipality": code, **_team_fields(naam, wijken, mailbox, leden)})
        async with runtime.unit_of_work(request, admin) as work:
            await create_team(work, created)
    except ValidationError as error:
        return await _render(request, runtime, code, {"nieuw": _errors(error)}, {"nieuw": form})
    except TeamRefused as error:
        return await _render(request, runtime, code, {"nieuw": {_field(error): _refusal(error)}}, {"nieuw": form})
    return RedirectResponse(f"/beheer/teams?gemeente={code}&opgeslagen=1", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/beheer/teams/{team_id}")
async def team_changed(
    request: Request,
    runtime: RuntimeDep,
    admin: Administrator,
    team_id: str,
    versie: Text = "",
    naam: Text = "",
    wijken: Text = "",
    mailbox: Text = "",
    leden: Many = None,
) -> Response:
    try:
        team = await get_team(runtime.db, team_id)
    except TeamNotFound:
        return render_page(request, "not_found.html", "Team niet gevonden", status_code=404)
    code = team["municipality"]
    form = {"naam": naam, "wijken": wijken, "mailbox": mailbox, "leden": leden or []}
    try:
        change = TeamChange.model_validate(_team_fields(naam, wijken, mailbox, leden))
        async with runtime.unit_of_work(request, admin) as work:
            await change_team(work, team_id, change, int(versie) if versie.isdigit() else -1)
    except ValidationError as error:
        return await _render(request, runtime, code, {team_id: _errors(error)}, {team_id: form})
    except TeamRefused as error:
        return await _render(request, runtime, code, {team_id: {_field(error): _refusal(error)}}, {team_id: form})
    except TeamVersionConflict:
        message = "Iemand anders heeft dit team intussen gewijzigd. Hieronder staat de nieuwe stand; pas opnieuw aan."
        return await _render(request, runtime, code, {team_id: {"": message}}, status_code=409)
    return RedirectResponse(f"/beheer/teams?gemeente={code}&opgeslagen=1", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/beheer/teams-volgorde")
async def weights_changed(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    admin: Administrator,
    gemeente: Text = "",
    versie: Text = "",
    gewogen: Text = "",
    crisis: Text = "",
    creditors: Text = "",
    amount: Text = "",
    age: Text = "",
) -> Response:
    code = _municipality(gemeente)
    form = {"gewogen": gewogen, "crisis": crisis, "creditors": creditors, "amount": amount, "age": age}
    try:
        weights = (
            QueueWeights.model_validate({"crisis": crisis, "creditors": creditors, "amount": amount, "age": age})
            if gewogen == "ja"
            else None
        )
        async with runtime.unit_of_work(request, admin) as work:
            version = int(versie) if versie.isdigit() else None
            await change_settings(work, settings, code, {"queue_weights": weights}, version)
    except ValidationError as error:
        wrong = {str(problem["loc"][0]): "Vul een heel getal in van 0 tot en met 1000." for problem in error.errors()}
        return await _render(request, runtime, code, {"volgorde": wrong}, {"volgorde": form})
    except VersionConflict:
        message = "De volgorde is intussen door iemand anders gewijzigd. Hieronder staat de nieuwe stand."
        return await _render(request, runtime, code, {"volgorde": {"": message}}, status_code=409)
    return RedirectResponse(f"/beheer/teams?gemeente={code}&opgeslagen=1", status_code=status.HTTP_303_SEE_OTHER)


def _municipality(code: str | None) -> str:
    known = municipalities()
    return code if code in known else next(iter(known))


def _team_fields(name: str, areas: str, mailbox: str, members: list[str] | None) -> dict[str, Any]:
    return {
        "name": name,
        "postcode_areas": [area for area in re.split(r"[\s,;]+", areas) if area],
        "mailbox": mailbox.strip() or None,
        "members": members or [],
    }


def _errors(error: ValidationError) -> dict[str, str]:
    fields = {name: (field, MESSAGES.get(field, GENERAL[1])) for name, field in FIELD_NAMES.items()}
    return messages_beside_fields(error, fields, fallback=("", MESSAGES.get("", GENERAL[1])))


def _field(error: TeamRefused) -> str:
    return FIELD_NAMES.get(error.field, "")


def _refusal(error: TeamRefused) -> str:
    detail = str(error).split(": ", 1)[1]
    if error.field == "postcode_areas":
        areas, _, team = detail.partition(" already belong to ")
        return f"{areas} horen al bij {team}: een postcodegebied hoort bij één team."
    return MESSAGES["leden"] + f" ({detail.split(':')[0]})"


async def _render(
    request: Request,
    runtime: RuntimeDep,
    code: str,
    errors: dict[str, dict[str, str]] | None = None,
    forms: dict[str, dict[str, Any]] | None = None,
    status_code: int | None = None,
) -> Response:
    teams = (await teams_by_municipality(runtime.db, [code]))[code]
    workers = (
        await runtime.db.accounts.find(
            {"active": True, "role": {"$in": [role.value for role in CASEWORKERS]}, "municipalities": code},
            {"name": 1, "role": 1},
        )
        .sort("_id", 1)
        .to_list()
    )
    current = await setting_for(runtime.db, request.app.state.settings, code)
    weights = current.queue_weights
    forms = {
        **{
            team["_id"]: {
                "naam": team["name"],
                "wijken": " ".join(team["postcode_areas"]),
                "mailbox": team.get("mailbox") or "",
                "leden": team["members"],
            }
            for team in teams
        },
        "nieuw": {"naam": "", "wijken": "", "mailbox": "", "leden": []},
        "volgorde": {"gewogen": "ja" if weights else "", **(weights or QueueWeights()).model_dump()},
        **(forms or {}),
    }
    return render_page(
        request,
        "teams.html",
        "Beheer: wijkteams",
        status_code=status_code or (422 if errors else 200),
        municipality=code,
        municipalities=municipalities(),
        teams=teams,
        workers=workers,
        forms=forms,
        errors=errors or {},
        settings_version=current.version,
        weight_fields=WEIGHT_FIELDS,
        saved=request.query_params.get("opgeslagen") == "1",
    )
