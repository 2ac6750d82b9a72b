"""HTTP API of referrals: create (staff or partner), match with explanation, and the closed loop."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from plumbing.access import CASEWORKERS, Principal, Role, Scope, may_see_municipality, staff_or_partner
from plumbing.paging import PER_PAGE, Page, PageNumber, PageRequest, PerPage
from plumbing.reference import Municipality
from plumbing.register import PERSONAL
from plumbing.web import RuntimeDep
from services.referrals.catalogue import all_offers
from services.referrals.domain import DeclineCategory, MatchRequest, ReferralState, Result
from services.referrals.handling import (
    Selection,
    Step,
    passed_on,
    recent_referrals,
    take_step,
    visible_referral,
)
from services.referrals.lifecycle import create_referral, get_referral
from services.referrals.matching import rank, reasons
from services.referrals.settings import SettingsDep

router = APIRouter(prefix="/api/v1", tags=["referrals"])


Handler = Annotated[Principal, staff_or_partner(Scope.HANDLE_REFERRALS, *CASEWORKERS, Role.PARTNER_EMPLOYEE)]
Referrer = Annotated[Principal, staff_or_partner(Scope.HANDLE_REFERRALS, *CASEWORKERS)]


class ReferralCreate(MatchRequest):
    model_config = ConfigDict(extra="forbid")

    household_ref: str = Field(
        pattern=r"^hh-[0-9a-f]{8,64}$", description="Pseudonymous reference; never contact data."
    )
    offer_id: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
        description="An offer chosen by the caseworker: the referral goes there (409 when it does not fit or is full) "
        "instead of to the best offer that fits.",
    )


class ReferralPublic(BaseModel):
    id: str
    household_ref: str
    municipality: str
    needs: list[str]
    age_band: str | None
    age: int | None = None
    state: str
    offer_id: str | None
    offer_name: str | None
    organisation: str | None
    explanation: list[str]
    result: str | None = None


class Decline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, json_schema_extra=PERSONAL)
    category: DeclineCategory = Field(
        default=DeclineCategory.OTHER, description="Why, as a category: the outreach worker sees this, not the words."
    )


class Complete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: Result


class Cancel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, json_schema_extra=PERSONAL)


class RankedOffer(BaseModel):
    offer_id: str
    name: str
    organisation: str
    reasons: list[str]


def referral_public(document: dict[str, Any]) -> ReferralPublic:
    return ReferralPublic(
        id=document["_id"],
        household_ref=document["household_ref"],
        municipality=document["municipality"],
        needs=document["needs"],
        age_band=document.get("age_band"),
        age=document.get("age"),
        state=document["state"],
        offer_id=document.get("offer_id"),
        offer_name=document.get("offer_name"),
        organisation=document.get("organisation"),
        explanation=document.get("explanation", []),
        result=document.get("result"),
    )


@router.post(
    "/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralPublic,
    summary="Refer a household: matched at once to the best offer that fits and has room",
)
async def post_referral(
    body: ReferralCreate, runtime: RuntimeDep, settings: SettingsDep, request: Request, caller: Referrer
) -> ReferralPublic:
    may_see_municipality(caller, body.municipality)
    referral_id = f"ref-{uuid.uuid4().hex[:16]}"
    request_fields = MatchRequest.model_validate(body.model_dump(exclude={"household_ref", "offer_id"}))
    async with runtime.unit_of_work(request, caller) as work:
        await create_referral(
            work,
            settings,
            referral_id,
            body.household_ref,
            request_fields,
            source=f"partner:{caller.subject}" if caller.kind == "partner" else "staff",
            offer_id=body.offer_id,
        )
    return referral_public(await get_referral(runtime.db, referral_id))


@router.get(
    "/referrals",
    response_model=Page[ReferralPublic],
    summary="Referrals, newest first (unmet: oldest first), in pages numbered from 1, with the total",
)
async def list_referrals(
    runtime: RuntimeDep,
    caller: Handler,
    municipality: Annotated[Municipality | None, Query()] = None,
    state: ReferralState | None = None,
    unmet: Annotated[
        bool, Query(description="Only the referrals waiting for an offer (requested, none fits or all are full).")
    ] = False,
    page: PageNumber = 1,
    per_page: PerPage = PER_PAGE,
) -> Page[ReferralPublic]:
    asked = PageRequest(page, per_page)
    documents, total = await recent_referrals(runtime.db, caller, Selection(municipality, state, unmet, asked))
    return asked.answer([referral_public(doc) for doc in documents], total)


@router.get("/referrals/{referral_id}", response_model=ReferralPublic, summary="One referral")
async def read_referral(referral_id: str, runtime: RuntimeDep, caller: Handler) -> ReferralPublic:
    return referral_public(await visible_referral(runtime.db, referral_id, caller))


async def transition(
    runtime: RuntimeDep, request: Request, referral_id: str, caller: Principal, step: Step
) -> ReferralPublic:
    await visible_referral(runtime.db, referral_id, caller)
    async with runtime.unit_of_work(request, caller) as work:
        before, moved = await take_step(work, runtime.settings, referral_id, caller, step)
    if passed_on(moved, caller):  # the partner sees its own decline, not the offer the household went to next
        return referral_public({**before, "state": ReferralState.DECLINED.value, "explanation": []})
    return referral_public(moved)


@router.post("/referrals/{referral_id}/accept", response_model=ReferralPublic, summary="Accept: holds a place")
async def accept(referral_id: str, runtime: RuntimeDep, request: Request, caller: Handler) -> ReferralPublic:
    return await transition(runtime, request, referral_id, caller, Step(ReferralState.ACCEPTED))


@router.post("/referrals/{referral_id}/decline", response_model=ReferralPublic, summary="Decline, with a reason")
async def decline(
    referral_id: str, body: Decline, runtime: RuntimeDep, request: Request, caller: Handler
) -> ReferralPublic:
    return await transition(
        runtime, request, referral_id, caller, Step(ReferralState.DECLINED, reason=body.reason, category=body.category)
    )


@router.post("/referrals/{referral_id}/start", response_model=ReferralPublic, summary="Help has started")
async def start(referral_id: str, runtime: RuntimeDep, request: Request, caller: Handler) -> ReferralPublic:
    return await transition(runtime, request, referral_id, caller, Step(ReferralState.IN_PROGRESS))


@router.post(
    "/referrals/{referral_id}/complete",
    response_model=ReferralPublic,
    summary="Completed with a result: frees the place",
)
async def complete(
    referral_id: str, body: Complete, runtime: RuntimeDep, request: Request, caller: Handler
) -> ReferralPublic:
    return await transition(runtime, request, referral_id, caller, Step(ReferralState.COMPLETED, result=body.result))


@router.post("/referrals/{referral_id}/cancel", response_model=ReferralPublic, summary="Withdraw: frees a held place")
async def cancel(
    referral_id: str, body: Cancel, runtime: RuntimeDep, request: Request, caller: Handler
) -> ReferralPublic:
    return await transition(runtime, request, referral_id, caller, Step(ReferralState.CANCELLED, reason=body.reason))


@router.post("/match", response_model=list[RankedOffer], summary="Rank the offers for a need, with the reasons")
async def match(body: MatchRequest, runtime: RuntimeDep, caller: Referrer) -> list[RankedOffer]:
    ranked = rank(await all_offers(runtime.db, body.municipality), body)
    return [
        RankedOffer(
            offer_id=item.offer.id,
            name=item.offer.name,
            organisation=item.offer.organisation,
            reasons=reasons(item, body),
        )
        for item in ranked
    ]
