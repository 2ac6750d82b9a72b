"""Placing referrals with offers: the best offer when a referral is made or declined, and the referrals that wait
for an offer (unmet) when places free up or offers are published.

An unmet referral is one that is requested without an offer (`WAITING`). A place given back, an offer saved with
more places and a new offer each re-match the oldest waiting referrals that the changed offers could serve: one
read of the waiting referrals, one of the offers in their municipalities and one bulk write per change, each
referral guarded by its version so that a referral changed meanwhile is left to that change.
"""

from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne

from plumbing.events import new_event
from plumbing.outbox import change_with_events, outbox_entry
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import UnitOfWork
from services.referrals.catalogue import offers_in, offers_with_ids
from services.referrals.domain import MatchRequest, OfferCreate, OfferKind, OfferStatus, ReferralState
from services.referrals.events import EVENTS_TOPIC, HOUSEHOLD_MATCHED, HouseholdMatched
from services.referrals.matching import exclusion, prepare, rank, reasons

SOURCE = "/redzaam/referrals"
WAITING: dict[str, Any] = {"state": ReferralState.REQUESTED.value, "offer_id": None}
REMATCH_READ = 500  # waiting referrals read per change, oldest first
READ_PER_PLACE = 10  # waiting referrals read per free place: some will not fit the changed offers


def request_of(referral: dict[str, Any]) -> MatchRequest:
    return MatchRequest(
        municipality=referral["municipality"],
        needs=referral["needs"],
        age_band=None if referral.get("age") is not None else referral.get("age_band"),
        age=referral.get("age"),
        phase=referral.get("phase"),
    )


def tried_of(referral: dict[str, Any]) -> frozenset[str]:
    """Offers this referral went to before; a referral stored before this was kept went to its offer at most."""
    tried = referral.get("tried_offers")
    if tried is None:
        tried = [referral["offer_id"]] if referral.get("offer_id") else []
    return frozenset(tried)


def placement(
    settings: PlatformSettings,
    referral_id: str,
    household_ref: str,
    request: MatchRequest,
    offers: list[OfferCreate],
    tried: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The referral's fields for its best offer not yet tried, and the outbox entry announcing the match; without
    a fitting offer, the fields of an unmet referral saying why each offer does not fit, and no entry."""
    ranked = rank(offers, request, tried)
    if not ranked:
        wanted = prepare(request, tried)
        return {
            "offer_id": None,
            "offer_name": None,
            "organisation": None,
            "organisation_id": None,
            "explanation": ["nog geen passend aanbod", *sorted({f"{o.name}: {exclusion(o, wanted)}" for o in offers})],
            "tried_offers": sorted(tried),
        }, []
    best = ranked[0].offer
    matched = new_event(
        type=HOUSEHOLD_MATCHED,
        source=SOURCE,
        subject=household_ref,
        data=HouseholdMatched(
            referral_id=referral_id,
            household_ref=household_ref,
            municipality=request.municipality,
            offer_id=best.id,
            organisation=best.organisation,
            phase=best.phase,
            needs=[need.value for need in request.needs],
            volunteer_role=best.volunteer_role,
        ),
    )
    return {
        "offer_id": best.id,
        "offer_name": best.name,
        "organisation": best.organisation,
        "organisation_id": best.organisation_id,
        "explanation": reasons(ranked[0], request),
        "tried_offers": sorted(tried | {best.id}),
    }, [outbox_entry(settings.topic(EVENTS_TOPIC), matched)]


def rematch_step(fields: dict[str, Any], at: datetime) -> dict[str, Any]:
    reason = f"opnieuw gekoppeld aan {fields['offer_name']}" if fields["offer_id"] else "wacht op passend aanbod"
    return {"state": ReferralState.REQUESTED.value, "at": at, "by": "system", "reason": reason}


async def rematch_waiting(work: UnitOfWork, settings: PlatformSettings, offer_ids: list[str]) -> list[str]:
    """Matches the oldest unmet referrals that the offers `offer_ids` (changed now) could serve, each to its best
    offer, as many as the free places allow; returns the ids of the referrals it wrote a match for."""
    db = work.db
    changed = [
        offer
        for offer in await offers_with_ids(db, offer_ids)
        if offer.status is OfferStatus.ACTIVE and offer.kind is not OfferKind.OUTREACH and offer.capacity_available > 0
    ]
    if not changed:
        return []
    places = sum(offer.capacity_available for offer in changed)
    waiting = (
        await db.referrals.find(
            {
                **WAITING,
                "municipality": {"$in": sorted({code for offer in changed for code in offer.municipalities})},
                "needs": {"$in": sorted({need.value for offer in changed for need in offer.needs})},
            },
            {"outbox": 0, "history": 0},
        )
        .sort("created_at", 1)
        .limit(min(REMATCH_READ, places * READ_PER_PLACE))
        .to_list()
    )
    if not waiting:
        return []
    free = {offer.id: offer for offer in await offers_in(db, sorted({r["municipality"] for r in waiting}))}
    writes, matched, now = [], [], datetime.now(UTC)
    for referral in waiting:
        fields, entries = placement(
            settings,
            referral["_id"],
            referral["household_ref"],
            request_of(referral),
            [*free.values()],
            tried_of(referral),
        )
        if not entries:
            continue
        best = free[fields["offer_id"]]  # a place for this batch: the next referral sees one fewer
        free[best.id] = best.model_copy(update={"capacity_available": best.capacity_available - 1})
        update = change_with_events({**fields, "updated_at": now}, *entries)
        update["$push"] = {"history": rematch_step(fields, now)}
        writes.append(UpdateOne({"_id": referral["_id"], "version": referral["version"], **WAITING}, update))
        matched.append(referral["_id"])
    if not writes:
        return []
    await db.referrals.bulk_write(writes, ordered=False)
    work.announced("referrals", *matched)
    return matched
