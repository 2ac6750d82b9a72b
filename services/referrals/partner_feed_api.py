"""HTTP for help-offer partners that poll rather than consume their topic: the same feed, followed by cursor.

`GET /api/v1/referral-updates` answers the events of the partner's topic (`partner_topics.py`) in the order they
were written, oldest first, from `since` (default: the last 30 days, as long as the feed keeps them), then from
the answer's `next` as `cursor`: a partner following `next` never misses or repeats one, also while referrals come
in between its pages (`plumbing.cursor`; the last 30 s come once settled).
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from plumbing.access import Principal, Role, Scope, staff_or_partner
from plumbing.cursor import Position, read_on
from plumbing.paging import PerPage
from plumbing.web import RuntimeDep
from services.referrals.handling import partner_organisation
from services.referrals.partner_topics import FEED_KEPT_DAYS, PartnerReferral

router = APIRouter(prefix="/api/v1", tags=["referrals"])
HelpOffer = Annotated[Principal, staff_or_partner(Scope.HANDLE_REFERRALS, Role.PARTNER_EMPLOYEE)]


class ReferralUpdate(BaseModel):
    id: str = Field(description="The event's id, as on the partner's topic.")
    type: str = Field(examples=["nl.redzaam.partner.referral_offered", "nl.redzaam.partner.referral_changed"])
    time: datetime
    data: PartnerReferral


class ReferralUpdates(BaseModel):
    items: list[ReferralUpdate]
    next: str | None = Field(description="Pass as `cursor` to read on; null only when nothing was read yet.")
    remaining: int = Field(description="Settled updates after this page.")


@router.get(
    "/referral-updates",
    response_model=ReferralUpdates,
    summary="New referrals to this partner's offers and their changes, oldest first, followed by cursor",
)
async def referral_updates(
    runtime: RuntimeDep,
    caller: HelpOffer,
    since: Annotated[datetime | None, Query(description=f"Default: the last {FEED_KEPT_DAYS} days.")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="The `next` of the page before.")] = None,
    per_page: PerPage = 50,
) -> ReferralUpdates:
    organisation = partner_organisation(caller)
    if not organisation:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only a help-offer partner has referral updates")
    after = Position.decode(cursor) if cursor else None
    start = since or datetime.now(UTC) - timedelta(days=FEED_KEPT_DAYS)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    page = await read_on(
        runtime.db.partner_feed,
        {"partner": organisation},
        "created_at",
        after,
        start,
        per_page,
        {"event": 1, "created_at": 1},
    )
    items = [update(document["event"]) for document in page.documents if "event" in document]
    return ReferralUpdates(items=items, next=page.next, remaining=page.remaining)


def update(event: dict[str, Any]) -> ReferralUpdate:
    return ReferralUpdate(id=event["id"], type=event["type"], time=event["time"], data=event["data"])
