"""HTTP API of the catalogue of help offers, with HSDS-shaped import and export."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Response, status
from pydantic import BaseModel, ValidationError

from plumbing.events import describe_validation_error
from plumbing.web import RuntimeDep
from services.referrals.catalogue import all_offers, from_hsds, save_offer, to_hsds
from services.referrals.domain import OfferCreate

router = APIRouter(prefix="/api/v1", tags=["catalogue"])


class ImportResult(BaseModel):
    imported: list[str]
    rejected: list[dict[str, Any]]


@router.put("/offers/{offer_id}", response_model=OfferCreate, summary="Create or replace a help offer")
async def put_offer(offer_id: str, offer: OfferCreate, runtime: RuntimeDep, response: Response) -> OfferCreate:
    if offer.id != offer_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "id: must equal the offer id in the path")
    created = await save_offer(runtime.db, offer)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return offer


@router.get("/offers", response_model=list[OfferCreate], summary="The catalogue of help offers")
async def list_offers(runtime: RuntimeDep) -> list[OfferCreate]:
    return await all_offers(runtime.db)


@router.get("/catalogue/hsds", summary="The catalogue as Open Referral HSDS organizations and services")
async def export_hsds(runtime: RuntimeDep) -> dict[str, Any]:
    return to_hsds(await all_offers(runtime.db))


@router.post("/catalogue/hsds", response_model=ImportResult, summary="Import HSDS services; each is checked apart")
async def import_hsds(runtime: RuntimeDep, document: Annotated[dict[str, Any], Body()]) -> ImportResult:
    result = ImportResult(imported=[], rejected=[])
    for index, parsed in from_hsds(document):
        if isinstance(parsed, OfferCreate):
            await save_offer(runtime.db, parsed)
            result.imported.append(parsed.id)
        else:
            message = describe_validation_error(parsed) if isinstance(parsed, ValidationError) else str(parsed)
            result.rejected.append({"index": index, "field": f"services.{index}", "error": message})
    return result
