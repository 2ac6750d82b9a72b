"""HTTP API of the catalogue of help offers, with HSDS-shaped import and export."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request, Response, status
from pydantic import BaseModel, ValidationError

from plumbing.access import Principal, Role, Scope, signed_in, staff, staff_or_partner
from plumbing.events import describe_validation_error
from plumbing.web import RuntimeDep
from services.referrals.catalogue import all_offers, from_hsds, save_offer, to_hsds
from services.referrals.domain import OfferCreate
from services.referrals.placing import rematch_saved
from services.referrals.publishing import publish_offer
from services.referrals.settings import SettingsDep

router = APIRouter(prefix="/api/v1", tags=["catalogue"])
Publisher = Annotated[Principal, staff_or_partner(Scope.HANDLE_REFERRALS, Role.ADMINISTRATOR, Role.PARTNER_EMPLOYEE)]
Administrator = Annotated[Principal, staff(Role.ADMINISTRATOR)]
Anyone = Annotated[Principal, signed_in()]


class ImportResult(BaseModel):
    imported: list[str]
    rejected: list[dict[str, Any]]


@router.put("/offers/{offer_id}", response_model=OfferCreate, summary="Create or replace a help offer")
async def put_offer(
    offer_id: str,
    offer: OfferCreate,
    runtime: RuntimeDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    publisher: Publisher,
) -> OfferCreate:
    """Administrators publish any offer; a partner only its own organisation's. Referrals waiting for an offer
    that this one can take are matched to it (or to a better one) at once; when it takes no referrals any more
    (closed, or outreach), the ones still requested there go to their next best offer."""
    if offer.id != offer_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "id: must equal the offer id in the path")
    async with runtime.unit_of_work(request, publisher) as work:
        created = await publish_offer(work, settings, publisher, offer)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return offer


@router.get("/offers", response_model=list[OfferCreate], summary="The catalogue of help offers")
async def list_offers(runtime: RuntimeDep, caller: Anyone) -> list[OfferCreate]:
    return await all_offers(runtime.db)


@router.get("/catalogue/hsds", summary="The catalogue as Open Referral HSDS organizations and services")
async def export_hsds(runtime: RuntimeDep, caller: Anyone) -> dict[str, Any]:
    return to_hsds(await all_offers(runtime.db))


@router.post("/catalogue/hsds", response_model=ImportResult, summary="Import HSDS services; each is checked apart")
async def import_hsds(
    runtime: RuntimeDep,
    settings: SettingsDep,
    request: Request,
    admin: Administrator,
    document: Annotated[dict[str, Any], Body()],
) -> ImportResult:
    result = ImportResult(imported=[], rejected=[])
    async with runtime.unit_of_work(request, admin) as work:
        for index, parsed in from_hsds(document):
            if isinstance(parsed, OfferCreate):
                await save_offer(work.db, parsed)
                result.imported.append(parsed.id)
            else:
                message = describe_validation_error(parsed) if isinstance(parsed, ValidationError) else str(parsed)
                result.rejected.append({"index": index, "field": f"services.{index}", "error": message})
        await rematch_saved(work, settings, result.imported)
    return result
