"""Partner API of the signals service: submit signals (one or a batch) and read back the feedback."""

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plumbing.access import Principal, Scope, partner
from plumbing.coalescer import Coalescer
from plumbing.cursor import Position
from plumbing.paging import Page, PageNumber, PageRequest
from plumbing.web import RuntimeDep
from services.signals.access.partners import creditor_type_refusal
from services.signals.domain import CreditorType, SignalSubmission
from services.signals.evictions import EvictionReport, report_eviction
from services.signals.figures import creditor_feedback, creditor_feedback_after
from services.signals.intake import Accepted, Submitted, accept_signals
from services.signals.settings import SettingsDep

MAX_BATCH_BYTES = 4 * 1024 * 1024
MAX_FEEDBACK_PER_PAGE = 1000  # a creditor's system reads its feedback in bulk

router = APIRouter(prefix="/api/v1", tags=["partner intake"])


Creditor = Annotated[Principal, partner(Scope.SUBMIT_SIGNALS)]
HousingPartner = Annotated[Principal, partner(Scope.REPORT_EVICTIONS)]


def serves(creditor: Principal, municipality: str, field: str = "municipality") -> None:
    """A partner submits only for the municipalities it works in."""
    if not creditor.serves(municipality):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"{field}: {creditor.subject} is not registered for {municipality}"
        )


def typed(creditor: Principal) -> None:
    """The token names the partner's type, which decides the creditor types it may send."""
    if not creditor.partner_type:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "token: issued before tokens named the partner's type; get a new token",
            headers={"WWW-Authenticate": "Bearer"},
        )


def sends(creditor: Principal, creditor_type: CreditorType) -> None:
    """A partner sends signals only of the kind of debt it holds (`partners.CREDITOR_TYPES_OF`)."""
    typed(creditor)
    if refusal := creditor_type_refusal(creditor.partner_type, creditor_type):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"creditor_type: {refusal}")


IdempotencyKey = Annotated[
    str | None, Header(max_length=128, description="Retries with the same key store nothing new.")
]


class SignalAccepted(BaseModel):
    signal_id: str
    case_id: str
    repeat: bool = Field(description="Same creditor, arrears not grown: registered, not counted as new.")
    duplicate: bool = Field(description="This idempotency key was seen before; nothing new was stored.")


class BatchItem(SignalSubmission):
    model_config = ConfigDict(extra="forbid")

    idempotency_key: str | None = Field(default=None, max_length=128)


class BatchRequest(BaseModel):
    signals: list[BatchItem] = Field(max_length=1000)


class FieldError(BaseModel):
    field: str = Field(examples=["signals.3.arrears_cents"])
    message: str


class Rejected(BaseModel):
    index: int
    errors: list[FieldError]


class BatchAccepted(SignalAccepted):
    index: int


class BatchResult(BaseModel):
    accepted: list[BatchAccepted]
    rejected: list[Rejected]


class FeedbackItem(BaseModel):
    signal_id: str
    contract_reference: str
    received_at: datetime
    feedback: str = Field(description="pending, picked_up or not_picked_up; never the reason.")


@router.post(
    "/signals", status_code=status.HTTP_202_ACCEPTED, response_model=SignalAccepted, summary="Submit one early signal"
)
async def submit_signal(
    submission: SignalSubmission,
    creditor: Creditor,
    runtime: RuntimeDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> SignalAccepted:
    serves(creditor, submission.municipality)
    sends(creditor, submission.creditor_type)
    intake: Coalescer[str, Submitted, Accepted] = request.app.state.single_signals
    accepted = await intake.submit(creditor.subject, Submitted(submission, idempotency_key))
    return SignalAccepted(**vars(accepted))


@router.post(
    "/signals/batch",
    response_model=BatchResult,
    summary="Submit up to 1,000 signals",
    description="Valid items are accepted and invalid ones reported with the fields at fault; never all-or-nothing.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}},
        }
    },
)
async def submit_batch(request: Request, creditor: Creditor, runtime: RuntimeDep, settings: SettingsDep) -> BatchResult:
    raw = await _bounded_body(request)
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"body: not JSON ({error})") from error
    items = body.get("signals") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "signals: must be a list of signals")
    typed(creditor)
    if len(items) > settings.batch_max_signals:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"signals: at most {settings.batch_max_signals} per batch, got {len(items)}",
        )
    result = BatchResult(accepted=[], rejected=[])
    valid: list[tuple[int, Submitted]] = []
    for index, item in enumerate(items):
        try:
            signal = BatchItem.model_validate(item)
        except ValidationError as error:
            result.rejected.append(
                Rejected(
                    index=index,
                    errors=[
                        FieldError(
                            field=".".join(["signals", str(index), *map(str, problem["loc"])]), message=problem["msg"]
                        )
                        for problem in error.errors()
                    ],
                )
            )
            continue
        if not creditor.serves(signal.municipality):
            message = f"{creditor.subject} is not registered for {signal.municipality}"
            field = f"signals.{index}.municipality"
            result.rejected.append(Rejected(index=index, errors=[FieldError(field=field, message=message)]))
            continue
        if refusal := creditor_type_refusal(creditor.partner_type, signal.creditor_type):
            field = f"signals.{index}.creditor_type"
            result.rejected.append(Rejected(index=index, errors=[FieldError(field=field, message=refusal)]))
            continue
        submission = SignalSubmission.model_validate(signal.model_dump(exclude={"idempotency_key"}))
        valid.append((index, Submitted(submission, signal.idempotency_key)))
    async with runtime.unit_of_work(request, creditor) as work:
        accepted = await accept_signals(work, settings, creditor.subject, [item for _, item in valid])
    for (index, _), outcome in zip(valid, accepted, strict=True):
        result.accepted.append(BatchAccepted(index=index, **vars(outcome)))
    return result


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BATCH_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body: larger than {MAX_BATCH_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BATCH_BYTES:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body: larger than {MAX_BATCH_BYTES} bytes")
    return bytes(body)


class FeedbackPage(Page[FeedbackItem]):
    next: str | None = Field(
        default=None,
        description="Followed by cursor (`follow=true` or `cursor`): pass it as `cursor` to read on; never misses or "
        "repeats a signal, also while signals come in. Signals of the last 30 s come once settled.",
    )


@router.get(
    "/feedback",
    response_model=FeedbackPage,
    summary="Feedback on this partner's own signals, oldest first: in pages numbered from 1 with the total, or "
    "followed by cursor (`follow=true`, then `cursor=<next>`)",
)
async def feedback(
    creditor: Creditor,
    runtime: RuntimeDep,
    since: Annotated[datetime | None, Query(description="Default: the last 90 days.")] = None,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_FEEDBACK_PER_PAGE)] = MAX_FEEDBACK_PER_PAGE,
    follow: Annotated[bool, Query(description="Follow by cursor from `since`: the answer's `next`.")] = False,
    cursor: Annotated[str | None, Query(max_length=200, description="The `next` of the page before.")] = None,
) -> FeedbackPage:
    since = since or datetime.now(UTC) - timedelta(days=90)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if follow or cursor:
        after = Position.decode(cursor) if cursor else None
        items, followed = await creditor_feedback_after(runtime.db, creditor.subject, after, since, per_page)
        total = len(items) + followed.remaining
        answer = PageRequest(1, per_page).answer([FeedbackItem.model_validate(item) for item in items], total)
        return FeedbackPage(**answer.model_dump(exclude={"items"}), items=answer.items, next=followed.next)
    asked = PageRequest(page, per_page)
    items, total = await creditor_feedback(runtime.db, creditor.subject, since, asked)
    answer = asked.answer([FeedbackItem.model_validate(item) for item in items], total)
    return FeedbackPage(**answer.model_dump(exclude={"items"}), items=answer.items)


@router.post("/evictions", status_code=status.HTTP_202_ACCEPTED, summary="Report how an announced eviction ended")
async def post_eviction(
    report: EvictionReport,
    housing: HousingPartner,
    runtime: RuntimeDep,
    settings: SettingsDep,
    request: Request,
    idempotency_key: Annotated[str, Header(min_length=1, max_length=128)],
) -> dict[str, Any]:
    serves(housing, report.municipality)
    async with runtime.unit_of_work(request, housing) as work:
        report_id, new = await report_eviction(work, settings, housing.subject, report, idempotency_key)
    return {"report_id": report_id, "duplicate": not new}
