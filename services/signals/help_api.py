"""The residents' public API for a help request ("Hulp vragen" from another front end, such as a partner's site):
the same use case as the page, the same limits (plumbing.public_forms), no account."""

from datetime import date

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, Field

from plumbing import public_forms
from plumbing.web import RuntimeDep
from services.signals.help_requests import request_help
from services.signals.self_test import HelpRequestCreate
from services.signals.settings import SettingsDep

router = APIRouter(prefix="/api/v1", tags=["help requests"])


class HelpRequestAccepted(BaseModel):
    """What the resident is told: who reaches out and by when; never a case id (it names the household)."""

    request_id: str = Field(examples=["hr-4f1a2b3c4d5e"])
    municipality: str = Field(examples=["GM0141"])
    deadline: date = Field(description="The municipality reaches out on or before this working day.")
    working_days: int = Field(ge=0, description="Working days from today to the deadline.", examples=[10])
    crisis: bool
    advice: str = Field(description="self_help, volunteer, municipality or urgent", examples=["municipality"])
    confirmation_queued: bool = Field(description="A confirmation e-mail was queued.")
    duplicate: bool = Field(description="The same request came before within the duplicate window: stored once.")


@router.post(
    "/help-requests",
    status_code=status.HTTP_201_CREATED,
    summary="Ask for help as a resident (public; consent required; 200 for the same request again)",
    responses={429: {"description": "Too many requests from this address; see Retry-After"}},
    dependencies=[Depends(public_forms.guard)],
)
async def post_help_request(
    body: HelpRequestCreate, request: Request, response: Response, runtime: RuntimeDep, settings: SettingsDep
) -> HelpRequestAccepted:
    async with runtime.unit_of_work() as work:  # a resident, no member of staff: nothing to audit
        received = await request_help(work, settings, body)
    if received.duplicate:
        response.status_code = status.HTTP_200_OK
    return HelpRequestAccepted(
        request_id=received.request_id,
        municipality=received.municipality,
        deadline=received.deadline,
        working_days=received.working_days,
        crisis=received.crisis,
        advice=received.advice.value,
        confirmation_queued=received.confirmation_queued,
        duplicate=received.duplicate,
    )
