"""HTTP API of the referrals service."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel

from plumbing.web import RuntimeDep
from services.referrals.domain import OfferCreate
from services.referrals.matching import offer_from_document, save_offer

router = APIRouter(prefix="/api/v1", tags=["referrals"])


class ReferralPublic(BaseModel):
    id: str
    household_ref: str
    municipality: str
    state: str
    offer_id: str | None


@router.put("/offers/{offer_id}", response_model=OfferCreate, summary="Create or replace a help offer")
async def put_offer(offer_id: str, offer: OfferCreate, runtime: RuntimeDep, response: Response) -> OfferCreate:
    if offer.id != offer_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "id: must equal the offer id in the path")
    created = await save_offer(runtime.db, offer)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return offer


@router.get("/offers", response_model=list[OfferCreate], summary="The catalogue of help offers")
async def list_offers(runtime: RuntimeDep) -> list[OfferCreate]:
    return [offer_from_document(doc) async for doc in runtime.db.offers.find().sort("_id", 1)]


@router.get("/referrals", response_model=list[ReferralPublic], summary="Referrals, newest first")
async def list_referrals(
    runtime: RuntimeDep,
    municipality: Annotated[str | None, Query(pattern=r"^GM\d{4}$")] = None,
) -> list[ReferralPublic]:
    return [referral_public(doc) for doc in await recent_referrals(runtime, municipality)]


async def recent_referrals(runtime: RuntimeDep, municipality: str | None = None) -> list[dict[str, Any]]:
    query = {"municipality": municipality} if municipality else {}
    return await runtime.db.referrals.find(query).sort("created_at", -1).limit(200).to_list()


def referral_public(doc: dict[str, Any]) -> ReferralPublic:
    return ReferralPublic(
        id=doc["_id"],
        household_ref=doc["household_ref"],
        municipality=doc["municipality"],
        state=doc["state"],
        offer_id=doc.get("offer_id"),
    )
