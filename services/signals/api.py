"""HTTP API of the signals service: partner intake and the case queue."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from plumbing.web import RuntimeDep
from services.signals.domain import MUNICIPALITIES, SignalSubmission
from services.signals.intake import accept_signal
from services.signals.settings import SignalsSettings

router = APIRouter(prefix="/api/v1", tags=["signals"])


def authenticated_partner(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> str:
    settings: SignalsSettings = request.app.state.settings
    if x_api_key:
        for partner, key in settings.partner_keys.items():
            if key.get_secret_value() == x_api_key:
                return partner
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED, "missing or unknown X-Api-Key", headers={"WWW-Authenticate": "ApiKey"}
    )


PartnerDep = Annotated[str, Depends(authenticated_partner)]


class SignalAccepted(BaseModel):
    signal_id: str
    case_id: str
    duplicate: bool = Field(description="True when this idempotency key was seen before; nothing new was stored.")


class CasePublic(BaseModel):
    id: str
    household_ref: str
    municipality: str
    postcode_area: str
    creditor_count: int
    creditor_types: list[str]
    total_arrears_cents: int
    crisis: bool
    status: str


@router.post(
    "/signals", status_code=status.HTTP_202_ACCEPTED, response_model=SignalAccepted, summary="Submit one early signal"
)
async def submit_signal(
    submission: SignalSubmission,
    partner: PartnerDep,
    runtime: RuntimeDep,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> SignalAccepted:
    accepted = await accept_signal(runtime.db, request.app.state.settings, partner, submission, idempotency_key)
    runtime.wake_relay()
    return SignalAccepted(signal_id=accepted.signal_id, case_id=accepted.case_id, duplicate=accepted.duplicate)


@router.get("/cases", response_model=list[CasePublic], summary="Open cases of a municipality, oldest first")
async def list_cases(
    runtime: RuntimeDep,
    municipality: Annotated[str, Query(pattern=r"^GM\d{4}$")],
) -> list[CasePublic]:
    if municipality not in MUNICIPALITIES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"municipality: unknown code {municipality}")
    return [case_public(case) for case in await open_cases(runtime, municipality)]


async def open_cases(runtime: RuntimeDep, municipality: str | None = None) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"status": "open"}
    if municipality:
        query["municipality"] = municipality
    return await runtime.db.cases.find(query).sort("first_signal_at", 1).limit(500).to_list()


def case_public(case: dict[str, Any]) -> CasePublic:
    return CasePublic(
        id=case["_id"],
        household_ref=case["household_ref"],
        municipality=case["municipality"],
        postcode_area=case["postcode_area"],
        creditor_count=len(case["creditors"]),
        creditor_types=case["creditor_types"],
        total_arrears_cents=case["total_arrears_cents"],
        crisis=case["crisis"],
        status=case["status"],
    )
