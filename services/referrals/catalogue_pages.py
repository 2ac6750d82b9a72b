"""Pages of the catalogue for its publishers: a partner employee publishes and edits its own organisation's
offers (capacity included); an administrator any offer. The same use case as `PUT /api/v1/offers/{id}`."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from plumbing.access import Principal, Role, staff
from plumbing.forms import messages_beside_fields
from plumbing.reference import municipalities
from plumbing.web import RuntimeDep, render_page
from services.referrals.domain import OfferCreate, OfferStatus, VolunteerRole
from services.referrals.labels import KINDS, NEEDS, OFFER_STATUSES, PHASES, VOLUNTEER_ROLES
from services.referrals.partner_names import partner_names
from services.referrals.publishing import NotOwnOffer, editable_offer, offers_of, publish_offer
from services.referrals.settings import SettingsDep

router = APIRouter(include_in_schema=False)
Publisher = Annotated[Principal, staff(Role.ADMINISTRATOR, Role.PARTNER_EMPLOYEE)]
LABELS = {
    "kinds": KINDS,
    "needs": NEEDS,
    "phases": PHASES,
    "offer_statuses": OFFER_STATUSES,
    "volunteer_roles": VOLUNTEER_ROLES,
}
# the model's field, the form's field and the Dutch message beside it
FIELDS = {
    "id": ("code", "Gebruik 2 tot 63 kleine letters, cijfers en streepjes, beginnend met een letter of cijfer."),
    "name": ("naam", "Vul de naam van het aanbod in (hoogstens 200 tekens)."),
    "organisation": ("organisatie", "Vul de naam van de organisatie in (hoogstens 200 tekens)."),
    "organisation_id": ("organisatie_code", "Gebruik kleine letters, cijfers en streepjes."),
    "description": ("omschrijving", "De omschrijving mag hoogstens 2000 tekens zijn."),
    "status": ("status", "Kies een status."),
    "kind": ("soort", "Kies de soort hulp."),
    "phase": ("fase", "Kies een fase."),
    "municipalities": ("gemeenten", "Kies minstens één gemeente."),
    "needs": ("behoeften", "Kies minstens één hulpvraag."),
    "age_minimum": ("leeftijd_vanaf", "Vul een leeftijd in hele jaren in (0 tot en met 150), of laat het leeg."),
    "age_maximum": ("leeftijd_tot", "Vul een leeftijd in hele jaren in (0 tot en met 150), of laat het leeg."),
    "eligibility": ("voorwaarden", "De voorwaarden mogen hoogstens 1000 tekens zijn."),
    "languages": ("talen", "Noem de talen met hun code, gescheiden door komma's (bijvoorbeeld nl, en)."),
    "contact": ("contact", "Het contact mag hoogstens 300 tekens zijn."),
    "notify_email": ("meldadres", "Vul een geldig e-mailadres in, of laat het leeg."),
    "capacity_maximum": ("plekken", "Vul het aantal plekken in als heel getal, 0 of meer."),
    "capacity_unit": ("eenheid", "De eenheid mag hoogstens 40 tekens zijn."),
    "volunteer_role": ("vrijwilliger", "Kies een rol uit de lijst, of geen."),
}


@router.get("/aanbod")
async def offers_page(request: Request, runtime: RuntimeDep, publisher: Publisher) -> Response:
    offers = await offers_of(runtime.db, publisher)
    return render_page(
        request,
        "offers.html",
        "Mijn hulpaanbod" if publisher.role is Role.PARTNER_EMPLOYEE else "Hulpaanbod beheren",
        offers=offers,
        saved=request.query_params.get("opgeslagen", ""),
        **LABELS,
    )


@router.get("/aanbod/nieuw")
async def new_offer_page(request: Request, runtime: RuntimeDep, publisher: Publisher) -> Response:
    own = publisher.organisation if publisher.role is Role.PARTNER_EMPLOYEE else ""
    names = await partner_names(runtime.db, [own]) if own else {}
    form: dict[str, Any] = {"organisatie": names.get(own, ""), "organisatie_code": own, "status": "active"}
    form |= {"talen": "nl", "eenheid": "households", "behoeften": ["debt_help"]}
    return await _render(request, publisher, form, new=True)


@router.get("/aanbod/{offer_id}")
async def edit_offer_page(request: Request, runtime: RuntimeDep, publisher: Publisher, offer_id: str) -> Response:
    try:
        found = await editable_offer(runtime.db, publisher, offer_id)
    except NotOwnOffer as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "dit aanbod is van een andere organisatie") from error
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dit aanbod bestaat niet")
    offer, held = found
    return await _render(request, publisher, _form_of(offer), new=False, held=held, free=offer.capacity_available)


@router.post("/aanbod")
async def save_offer_form(
    request: Request, runtime: RuntimeDep, settings: SettingsDep, publisher: Publisher
) -> Response:
    received = await request.form()
    form: dict[str, Any] = {name: str(received.get(name, "")).strip() for name, _ in FIELDS.values()}
    form["gemeenten"] = [str(value) for value in received.getlist("gemeenten")]
    form["behoeften"] = [str(value) for value in received.getlist("behoeften")]
    new = received.get("nieuw") == "1"
    if publisher.role is Role.PARTNER_EMPLOYEE:
        form["organisatie_code"] = publisher.organisation  # a partner publishes as itself
    try:
        offer = OfferCreate.model_validate(_offer_fields(form))
    except ValidationError as error:
        return await _render(request, publisher, form, new=new, errors=_errors(error))
    try:
        async with runtime.unit_of_work(request, publisher) as work:
            await publish_offer(work, settings, publisher, offer)
    except NotOwnOffer as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "dit aanbod is van een andere organisatie") from error
    return RedirectResponse(f"/aanbod?opgeslagen={offer.id}", status_code=status.HTTP_303_SEE_OTHER)


def _offer_fields(form: dict[str, Any]) -> dict[str, Any]:
    def whole(value: str) -> Any:
        return int(value) if value.isdigit() else (value or None)

    maximum = whole(form["plekken"])
    return {
        "id": form["code"],
        "name": form["naam"],
        "organisation": form["organisatie"],
        "organisation_id": form["organisatie_code"],
        "description": form["omschrijving"],
        "status": form["status"] or None,
        "kind": form["soort"] or None,
        "phase": form["fase"] or None,
        "municipalities": form["gemeenten"],
        "needs": form["behoeften"],
        "age_minimum": whole(form["leeftijd_vanaf"]),
        "age_maximum": whole(form["leeftijd_tot"]),
        "eligibility": form["voorwaarden"],
        "languages": [code.strip() for code in form["talen"].split(",") if code.strip()] or ["nl"],
        "contact": form["contact"],
        "notify_email": form["meldadres"] or None,
        # free places are the maximum less the held ones, whatever is sent (catalogue.save_offer)
        "capacity_available": maximum if isinstance(maximum, int) else 0,
        "capacity_maximum": maximum,
        "capacity_unit": form["eenheid"] or "households",
        "volunteer_role": form["vrijwilliger"] or None,
    }


def _errors(error: ValidationError) -> dict[str, str]:
    def ages(problem: ErrorDetails) -> tuple[str, str] | None:
        if not problem["loc"] and "age_minimum" in problem["msg"]:
            return "leeftijd_tot", "De leeftijd tot en met mag niet lager zijn dan de leeftijd vanaf."
        return None

    return messages_beside_fields(error, FIELDS, special=ages)


def _form_of(offer: OfferCreate) -> dict[str, Any]:
    return {
        "code": offer.id,
        "naam": offer.name,
        "organisatie": offer.organisation,
        "organisatie_code": offer.organisation_id,
        "omschrijving": offer.description,
        "status": offer.status.value,
        "soort": offer.kind.value,
        "fase": offer.phase.value,
        "gemeenten": list(offer.municipalities),
        "behoeften": [need.value for need in offer.needs],
        "leeftijd_vanaf": "" if offer.age_minimum is None else str(offer.age_minimum),
        "leeftijd_tot": "" if offer.age_maximum is None else str(offer.age_maximum),
        "voorwaarden": offer.eligibility,
        "talen": ", ".join(offer.languages),
        "contact": offer.contact,
        "meldadres": offer.notify_email or "",
        "plekken": str(offer.capacity_maximum),
        "eenheid": offer.capacity_unit,
        "vrijwilliger": offer.volunteer_role.value if offer.volunteer_role else "",
    }


async def _render(
    request: Request,
    publisher: Principal,
    form: dict[str, Any],
    new: bool,
    errors: dict[str, str] | None = None,
    held: int | None = None,
    free: int | None = None,
) -> Response:
    return render_page(
        request,
        "offer.html",
        "Nieuw hulpaanbod" if new else f"Aanbod {form.get('naam') or form.get('code')}",
        form=form,
        new=new,
        errors=errors or {},
        held=held,
        free=free,
        partner=publisher.role is Role.PARTNER_EMPLOYEE,
        municipalities=municipalities(),
        statuses=[choice.value for choice in OfferStatus],
        roles=[role.value for role in VolunteerRole],
        status_code=422 if errors else 200,
        **LABELS,
    )
