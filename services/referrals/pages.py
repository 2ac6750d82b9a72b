"""Staff pages of the referrals service."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from plumbing.web import RuntimeDep, render_page
from services.referrals.api import recent_referrals
from services.referrals.matching import offer_from_document

router = APIRouter(include_in_schema=False)


@router.get("/")
async def overview(request: Request, runtime: RuntimeDep) -> Response:
    offers = [offer_from_document(doc) async for doc in runtime.db.offers.find().sort("name", 1)]
    return render_page(
        request,
        "overview.html",
        "Hulpaanbod en verwijzingen",
        offers=offers,
        referrals=await recent_referrals(runtime),
        offer_names={offer.id: offer.name for offer in offers},
    )
