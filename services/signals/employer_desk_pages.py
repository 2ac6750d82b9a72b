"""The employer desk's page (`/werkgeversloket`), for an employer's HR contact: ask help for an employee who
consents (the same help request as the resident's form, through the same use case, with the employer attached),
hand the employee the link to the resident's form with the employer's desk code, and see the desk's anonymous
figures. Only its own employer's: the page takes the employer from the signed-in account, never from the request."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from plumbing.access import Principal, Role, staff
from plumbing.forms import messages_beside_fields
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.signals import desk_figures, employer_desk
from services.signals.employer_requests import ask_help_for_employee
from services.signals.self_test import ARREARS, CONTACT_CHOICES, INCOMES, WORRIES, HelpRequestCreate
from services.signals.settings import SettingsDep, SignalsSettings

router = APIRouter(include_in_schema=False)
HrContact = Annotated[Principal, staff(Role.EMPLOYER_HR)]
Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]
Text = Annotated[str, Form()]
Choices = Annotated[list[str] | None, Form()]
TITLE = "Werkgeversloket schuldhulp"

# the form's field for each field of the request, and what to tell the HR contact when it is wrong
FIELD_OF = {"name": "naam", "contact_by": "contact", "phone": "telefoon", "email": "email", "postcode": "postcode",
            "house_number": "huisnummer", "addition": "toevoeging", "street": "straat", "city": "plaats",
            "municipality": "gemeente", "income": "inkomen", "arrears": "achterstanden", "worries": "zorgen",
            "consent": "toestemming", "confirmation_email": "bevestiging"}  # fmt: skip
MESSAGES = {
    "naam": "Vul de naam van de werknemer in.",
    "contact": "Kies hoe de gemeente contact opneemt: bellen, e-mail of brief.",
    "telefoon": "Vul een telefoonnummer in, zoals 06 12345678 (nodig om te bellen).",
    "email": "Vul een geldig e-mailadres in (nodig voor contact of een bevestiging per e-mail).",
    "postcode": "Vul een postcode in zoals 7607 AB.",
    "huisnummer": "Vul het huisnummer in, een getal.",
    "toevoeging": "Een toevoeging heeft hoogstens 10 letters, cijfers of streepjes.",
    "straat": "Vul de straat in (nodig voor contact per brief).",
    "plaats": "Vul de woonplaats in (nodig voor contact per brief).",
    "gemeente": "Kies de gemeente waar de werknemer woont.",
    "inkomen": "Kies wat het best past bij het inkomen van de werknemer.",
    "achterstanden": "Kies alleen uit de genoemde achterstanden.",
    "zorgen": "Kies alleen uit de genoemde zorgen.",
    "toestemming": "Zonder uitdrukkelijke toestemming van de werknemer slaan we niets op. Vraag het de werknemer en "
    "vink het vakje aan.",
    "bevestiging": "Een bevestiging per e-mail vraagt om een e-mailadres.",
}


def dutch_errors(error: ValidationError) -> dict[str, str]:
    """One Dutch message beside each form field at fault."""

    def innermost_known(problem: ErrorDetails) -> str:
        names = [str(part) for part in problem["loc"] if str(part) in FIELD_OF]
        return names[-1] if names else ""

    fields = {name: (field, MESSAGES.get(field, "Controleer dit gegeven.")) for name, field in FIELD_OF.items()}
    return messages_beside_fields(
        error, fields, locate=innermost_known, fallback=("", MESSAGES.get("", "Controleer dit gegeven."))
    )


async def _render(
    request: Request,
    runtime: RuntimeDep,
    who: Principal,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    notice: str = "",
) -> Response:
    settings: SignalsSettings = request.app.state.settings
    employer = await employer_desk.active_employer(runtime.db, who.organisation)
    code = employer_desk.shown(employer["desk_code"]) if employer and employer.get("desk_code") else ""
    return render_page(
        request,
        "employer_desk.html",
        TITLE,
        status_code=422 if errors else 200,
        employer=employer,
        code=code,
        link=f"{settings.signals_url}/hulp-vragen?werkgever={code}" if code else "",
        figures=await desk_figures.desk_figures(runtime.db, who.organisation) if employer else [],
        below=desk_figures.SUPPRESS_BELOW,
        municipalities=municipalities(),
        incomes=INCOMES,
        arrears=ARREARS,
        worries=WORRIES,
        contact_choices=CONTACT_CHOICES,
        errors=errors or {},
        form=form or {},
        notice=notice,
    )


@router.get("/werkgeversloket")
async def desk_page(request: Request, runtime: RuntimeDep, who: HrContact, gevraagd: str = "") -> Response:
    notice = "De hulpvraag is verstuurd. De gemeente neemt contact op met de werknemer, niet met u." if gevraagd else ""
    return await _render(request, runtime, who, notice=notice)


@router.post("/werkgeversloket/hulpvraag")
async def ask_help(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    who: HrContact,
    naam: Text = "",
    contact: Text = "",
    telefoon: Text = "",
    email: Text = "",
    postcode: Text = "",
    huisnummer: Text = "",
    toevoeging: Text = "",
    straat: Text = "",
    plaats: Text = "",
    gemeente: Text = "",
    inkomen: Text = "",
    achterstanden: Choices = None,
    zorgen: Choices = None,
    toestemming: Text = "",
    bevestiging: Text = "",
) -> Response:
    form = {"naam": naam, "contact": contact, "telefoon": telefoon, "email": email, "postcode": postcode,
            "huisnummer": huisnummer, "toevoeging": toevoeging, "straat": straat, "plaats": plaats,
            "gemeente": gemeente, "inkomen": inkomen, "achterstanden": achterstanden or [], "zorgen": zorgen or [],
            "toestemming": toestemming == "ja", "bevestiging": bevestiging == "ja"}  # fmt: skip
    try:
        details = HelpRequestCreate.model_validate(
            {
                "test": {
                    "income": inkomen or None,
                    "arrears": achterstanden or [],
                    "worries": zorgen or [],
                    "municipality": gemeente or None,
                },
                "consent": toestemming == "ja",
                "name": naam,
                "contact_by": contact or None,
                "phone": telefoon,
                "email": email or None,
                "postcode": postcode,
                "house_number": huisnummer or None,
                "addition": toevoeging,
                "street": straat,
                "city": plaats,
                "confirmation_email": bevestiging == "ja",
            }
        )
    except ValidationError as error:
        return await _render(request, runtime, who, errors=dutch_errors(error), form=form)
    async with runtime.unit_of_work(request, who) as work:
        await ask_help_for_employee(work, settings, details, who.organisation)
    return RedirectResponse("/werkgeversloket?gevraagd=1", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/werkgeversloket/code")
async def new_code(request: Request, runtime: RuntimeDep, who: HrContact) -> Response:
    async with runtime.unit_of_work(request, who) as work:
        await employer_desk.issue_desk_code(work, who.organisation)
    return RedirectResponse("/werkgeversloket", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/beheer/leden/{partner_id}/loketcode")
async def member_desk_code(request: Request, runtime: RuntimeDep, admin: Administrator, partner_id: str) -> Response:
    """The administrator gives an employer member its (first or a new) desk code, on `/beheer`."""
    async with runtime.unit_of_work(request, admin) as work:
        await employer_desk.issue_desk_code(work, partner_id)
    return RedirectResponse("/beheer", status_code=status.HTTP_303_SEE_OTHER)
