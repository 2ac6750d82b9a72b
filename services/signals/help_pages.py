"""The residents' public pages ("Hulp vragen", no account): the self-test, its advice with the help request form,
and the confirmation of what happens next. Nothing is stored before the resident ticks their consent; every
submission passes the public forms' limits (plumbing.public_forms)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from plumbing.forms import messages_beside_fields
from plumbing.public_forms import HONEYPOT, PublicForm, PublicFormDep
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.signals.employer_desk import DeskCodeRefused
from services.signals.help_requests import HelpRequestReceived, preview, request_help
from services.signals.self_test import (
    ARREARS,
    CONTACT_CHOICES,
    INCOMES,
    WORRIES,
    HelpRequestCreate,
    SelfTest,
    advise,
)
from services.signals.settings import SettingsDep

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
FormList = Annotated[list[str] | None, Form()]
TITLE = "Hulp vragen bij geldzorgen"
CHOICES = {
    "incomes": INCOMES,
    "arrear_choices": ARREARS,
    "worry_choices": WORRIES,
    "contact_choices": CONTACT_CHOICES,
    "honeypot": HONEYPOT,
}
# each model field's form field, and what the page says beside it when it is wrong
MESSAGES = {
    "income": ("inkomen", "Kies wat het best bij uw inkomen past."),
    "arrears": ("achterstanden", "Kies alleen uit de genoemde achterstanden."),
    "worries": ("zorgen", "Kies alleen uit de genoemde zorgen."),
    "municipality": ("gemeente", "Kies de gemeente waar u woont."),
    "consent": ("toestemming", "Vink aan dat u toestemming geeft. Zonder uw toestemming bewaren wij niets."),
    "name": ("naam", "Vul uw naam in."),
    "contact_by": ("contact", "Kies hoe wij contact met u opnemen."),
    "phone": ("telefoon", "Vul een telefoonnummer in waarop wij u kunnen bellen, bijvoorbeeld 06 12345678."),
    "email": ("email", "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl."),
    "postcode": ("postcode", "Vul uw postcode in, bijvoorbeeld 7607 AB."),
    "house_number": ("huisnummer", "Vul uw huisnummer in, alleen de cijfers."),
    "addition": ("toevoeging", "Een toevoeging heeft hoogstens 10 letters of cijfers, bijvoorbeeld A."),
    "street": ("straat", "Vul uw straat in: die is nodig om u een brief te sturen."),
    "city": ("woonplaats", "Vul uw woonplaats in: die is nodig om u een brief te sturen."),
    "employer_code": (
        "werkgeverscode",
        "Deze code klopt niet. Neem de code over zoals uw werkgever die gaf (4 tot 16 letters, cijfers of "
        "streepjes), of laat het veld leeg.",
    ),
    "confirmation_email": ("bevestiging", "Vul uw e-mailadres in als u een bevestiging per e-mail wilt."),
}


def _errors(error: ValidationError) -> dict[str, str]:
    def question_or_field(problem: ErrorDetails) -> str:
        """The self-test's questions are nested under `test`; the request's own fields are not."""
        location = [str(part) for part in problem["loc"] if not isinstance(part, int)]
        return location[-1] if location and location[0] == "test" else (location[0] if location else "")

    return messages_beside_fields(error, MESSAGES, locate=question_or_field)


def _too_long(guarded: PublicForm) -> dict[str, str]:
    return {name: f"Dit is te lang: hoogstens {guarded.max_field_chars} tekens." for name in guarded.too_long}


@router.get("/hulp-vragen")
async def self_test_page(request: Request, werkgever: Annotated[str, Query(max_length=40)] = "") -> Response:
    form = {"werkgever": werkgever}
    return render_page(
        request, "help_test.html", TITLE, form=form, errors={}, municipalities=municipalities(), **CHOICES
    )


@router.post("/hulp-vragen/uitslag")
async def advice_page(
    request: Request,
    guarded: PublicFormDep,
    inkomen: FormText = "",
    achterstanden: FormList = None,
    zorgen: FormList = None,
    gemeente: FormText = "",
    werkgever: FormText = "",
) -> Response:
    """The advice at once; nothing is stored."""
    form: dict[str, Any] = {
        "inkomen": inkomen,
        "achterstanden": achterstanden or [],
        "zorgen": zorgen or [],
        "gemeente": gemeente,
        "werkgever": werkgever,
    }
    errors = _too_long(guarded)
    try:
        answers = SelfTest.model_validate(_test_of(form))
    except ValidationError as error:
        errors = {**_errors(error), **errors}
    if errors:
        return render_page(
            request, "help_test.html", TITLE, form=form, errors=errors, municipalities=municipalities(),
            status_code=422, **CHOICES,
        )  # fmt: skip
    return _advice(request, answers, form, {})


def _test_of(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "income": form["inkomen"],
        "arrears": form["achterstanden"],
        "worries": form["zorgen"],
        "municipality": form["gemeente"],
    }


def _advice(
    request: Request, answers: SelfTest, form: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> Response:
    return render_page(
        request,
        "help_advice.html",
        "Ons advies",
        advice=advise(answers),
        answers=answers,
        form=form,
        errors=errors,
        municipalities=municipalities(),
        status_code=status_code,
        **CHOICES,
    )


@router.post("/hulp-vragen/aanvraag")
async def request_form(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    guarded: PublicFormDep,
    inkomen: FormText = "",
    achterstanden: FormList = None,
    zorgen: FormList = None,
    gemeente: FormText = "",
    werkgever: FormText = "",
    toestemming: FormText = "",
    naam: FormText = "",
    contact: FormText = "",
    telefoon: FormText = "",
    email: FormText = "",
    postcode: FormText = "",
    huisnummer: FormText = "",
    toevoeging: FormText = "",
    straat: FormText = "",
    woonplaats: FormText = "",
    werkgeverscode: FormText = "",
    bevestiging: FormText = "",
) -> Response:
    form: dict[str, Any] = {
        "inkomen": inkomen,
        "achterstanden": achterstanden or [],
        "zorgen": zorgen or [],
        "gemeente": gemeente,
        "werkgever": werkgever,
        "toestemming": toestemming,
        "naam": naam,
        "contact": contact,
        "telefoon": telefoon,
        "email": email,
        "postcode": postcode,
        "huisnummer": huisnummer,
        "toevoeging": toevoeging,
        "straat": straat,
        "woonplaats": woonplaats,
        "werkgeverscode": werkgeverscode,
        "bevestiging": bevestiging,
    }
    try:
        answers = SelfTest.model_validate(_test_of(form))
    except ValidationError:  # the answers come from our own page: tampered with, or a bot; start again
        return render_page(
            request, "help_test.html", TITLE, form=form, errors={"": "Vul de vragen opnieuw in."},
            municipalities=municipalities(), status_code=422, **CHOICES,
        )  # fmt: skip
    errors = _too_long(guarded)
    try:
        help_request = HelpRequestCreate.model_validate(
            {
                "test": answers.model_dump(),
                "consent": toestemming == "ja",
                "name": naam,
                "contact_by": contact,
                "phone": telefoon,
                "email": email or None,
                "postcode": postcode,
                "house_number": huisnummer,
                "addition": toevoeging,
                "street": straat,
                "city": woonplaats,
                "employer_code": werkgeverscode or None,
                "confirmation_email": bevestiging == "ja",
            }
        )
    except ValidationError as error:
        if guarded.honeypot_filled:
            return _received(request, None)
        return _advice(request, answers, form, {**_errors(error), **errors}, status_code=422)
    if guarded.honeypot_filled:  # a bot: it sees what a person sees, and nothing is stored
        return _received(request, preview(settings, help_request, date.today()))
    if errors:
        return _advice(request, answers, form, errors, status_code=422)
    try:
        async with runtime.unit_of_work() as work:  # a resident, no member of staff: nothing to audit
            received = await request_help(work, settings, help_request)
    except DeskCodeRefused as refused:  # no employer has this code (any more): nothing was stored
        return _advice(request, answers, form, {"werkgeverscode": refused.dutch}, status_code=422)
    return _received(request, received, help_request)


def _received(
    request: Request, received: HelpRequestReceived | None, help_request: HelpRequestCreate | None = None
) -> Response:
    title = "Wij hadden uw hulpvraag al ontvangen" if received and received.duplicate else "Uw hulpvraag is ontvangen"
    return render_page(
        request,
        "help_received.html",
        title,
        received=received,
        contact_by=help_request.contact_by.value if help_request else "",
        **CHOICES,
    )
