"""The administrator's pages for a service's settings per municipality (`/beheer/gemeenten`), the same in every
service that keeps such settings: an overview of what is in effect per municipality, and a form per municipality.

A service describes its settings as `SettingField`s and gives its store; the pages parse the form, call the store's
change (the same use case its API calls), and show a Dutch message beside the field at fault. Only what the
administrator altered is changed: a field left as it was stays a default, and follows the environment's default.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plumbing.access import Principal, Role, staff
from plumbing.municipality_settings import (
    MunicipalitySettingsBase,
    MunicipalitySettingsStore,
    VersionConflict,
    dutch_errors,
)
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, format_euro, render_page

Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]
StoreOf = Callable[[Request], MunicipalitySettingsStore[Any]]
OVERVIEW = "/beheer/gemeenten"
# every service with settings per municipality, so that each overview links to the others
SETTINGS_PAGES = {
    "signals": ("signals_url", "Drempel en termijn voor contact, in Signalen"),
    "volunteers": ("volunteers_url", "Vrijwilligers handmatig of automatisch toewijzen, in Vrijwilligers"),
}
EURO = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$")  # 50 · 50,5 · 1.250,00 · 1250,00


@dataclass(frozen=True)
class SettingField:
    """One setting as the page shows and asks for it."""

    setting: str  # the model's field
    name: str  # the form's field
    label: str
    hint: str  # what a change does, shown under the field
    kind: Literal["amount", "number", "choice"] = "number"
    unit: str = ""  # after a number: "werkdagen"
    choices: tuple[tuple[bool, str], ...] = field(default_factory=tuple)  # kind "choice": value and label

    def shown(self, value: Any) -> str:
        if self.kind == "amount":
            return format_euro(value)
        if self.kind == "choice":
            return dict(self.choices).get(value, str(value))
        return f"{value} {self.unit}".strip()

    def in_form(self, value: Any) -> str:
        """The value as the form's field holds it."""
        if self.kind == "amount":
            return format_euro(value).removeprefix("€ ")
        if self.kind == "choice":
            return "ja" if value else "nee"
        return str(value)

    def parsed(self, text: str) -> tuple[Any, str]:
        """The value the form's text stands for, or an error (Dutch) when it stands for none."""
        text = text.strip()
        if not text:
            return None, "Vul dit in."
        if self.kind == "amount":
            plain = text.removeprefix("€").strip()
            if not EURO.match(plain):
                return None, "Vul een bedrag in euro in, bijvoorbeeld 50 of 1.250,00."
            euros, _, cents = plain.replace(".", "").partition(",")
            return int(euros) * 100 + int(cents.ljust(2, "0") or 0), ""
        if self.kind == "choice":
            if text not in ("ja", "nee"):
                return None, "Kies een van de mogelijkheden."
            return text == "ja", ""
        if not text.isdigit():
            return None, "Vul een heel getal in."
        return int(text), ""


def settings_pages(*, store_of: StoreOf, fields: Sequence[SettingField], explanation: str) -> APIRouter:
    """The overview and form pages of one service's municipality settings, for administrators."""
    router = APIRouter(include_in_schema=False)
    by_setting = {item.setting: item.name for item in fields}
    amounts = [item.setting for item in fields if item.kind == "amount"]

    @router.get(OVERVIEW)
    async def overview(request: Request, runtime: RuntimeDep, admin: Administrator, gewijzigd: str = "") -> Response:
        effective = await store_of(request).read(municipalities())
        settings = request.app.state.settings
        elsewhere = [
            (label, getattr(settings, url) + OVERVIEW)
            for service, (url, label) in SETTINGS_PAGES.items()
            if service != settings.service_name
        ]
        return render_page(
            request,
            "municipality_settings.html",
            "Beheer: instellingen per gemeente",
            rows=[effective[code] for code in municipalities()],
            fields=fields,
            explanation=explanation,
            changed=municipalities().get(gewijzigd, ""),
            elsewhere=elsewhere,
        )

    async def form_page(
        request: Request,
        current: MunicipalitySettingsBase,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        shown = values or {item.name: item.in_form(getattr(current, item.setting)) for item in fields}
        return render_page(
            request,
            "municipality_setting.html",
            f"Instellingen van {municipalities()[current.municipality]}",
            status_code=status_code,
            current=current,
            fields=fields,
            values=shown,
            errors=errors or {},
            explanation=explanation,
        )

    def known(code: str) -> str:
        if code not in municipalities():
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"{code} is not a municipality of the region")
        return code

    @router.get(OVERVIEW + "/{code}")
    async def setting_page(request: Request, runtime: RuntimeDep, admin: Administrator, code: str) -> Response:
        return await form_page(request, await store_of(request).one(known(code)))

    @router.post(OVERVIEW + "/{code}")
    async def change(request: Request, runtime: RuntimeDep, admin: Administrator, code: str) -> Response:
        store = store_of(request)
        current = await store.one(known(code))
        form = await request.form()
        values = {item.name: str(form.get(item.name, "")) for item in fields}
        changes: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for item in fields:
            value, error = item.parsed(values[item.name])
            if error:
                errors[item.name] = error
            elif value != getattr(current, item.setting):
                changes[item.setting] = value
        try:
            store.checked(current, changes)
        except ValidationError as error:
            errors = {**dutch_errors(error, by_setting, amounts), **errors}
        version_text = str(form.get("versie", ""))
        if not errors and changes:
            try:
                async with runtime.unit_of_work(request, admin) as work:
                    await store.change(work, code, changes, int(version_text) if version_text.isdigit() else None)
            except ValidationError as error:
                errors = dutch_errors(error, by_setting, amounts)
            except VersionConflict:
                message = "Iemand anders wijzigde deze instellingen intussen. Hieronder staan de nieuwe waarden."
                return await form_page(request, await store.one(code), errors={"": message}, status_code=409)
        if errors:
            return await form_page(request, current, values, errors, status.HTTP_422_UNPROCESSABLE_CONTENT)
        return RedirectResponse(f"{OVERVIEW}?gewijzigd={code}", status_code=status.HTTP_303_SEE_OTHER)

    return router
