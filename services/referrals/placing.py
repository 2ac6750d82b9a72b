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
from services.referrals.events import EVENTS_TOPIC, HOUSEHOLD_MATCHED, REFERRAL_MOVED, HouseholdMatched, ReferralMoved
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
            offer_name=best.name,
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


def rematch_step(fields: dict[str, Any], at: datetime, why: str = "") -> dict[str, Any]:
    reason = f"opnieuw gekoppeld aan {fields['offer_name']}" if fields["offer_id"] else "wacht op passend aanbod"
    return {"state": ReferralState.REQUESTED.value, "at": at, "by": "system", "reason": f"{why}{reason}"}


def takes_referrals(offer: OfferCreate) -> bool:
    return offer.status is OfferStatus.ACTIVE and offer.kind is not OfferKind.OUTREACH


async def rematch_saved(work: UnitOfWork, settings: PlatformSettings, offer_ids: list[str]) -> list[str]:
    """After offers were saved or imported: the referrals still requested at one that takes no referrals any more
    (closed, or outreach) go to their next best offer or wait unmet, and unmet referrals are matched to the offers
    with places. Returns the ids of the referrals it moved."""
    offers = await offers_with_ids(work.db, offer_ids)
    closed = [offer for offer in offers if not takes_referrals(offer)]
    moved = await _move_from_closed(work, settings, closed) if closed else []
    open_ = [offer for offer in offers if takes_referrals(offer) and offer.capacity_available > 0]
    return moved + (await _match_waiting(work, settings, open_) if open_ else [])


async def rematch_waiting(work: UnitOfWork, settings: PlatformSettings, offer_ids: list[str]) -> list[str]:
    """Matches the oldest unmet referrals that the offers `offer_ids` (changed now) could serve, each to its best
    offer, as many as the free places allow; returns the ids of the referrals it wrote a match for."""
    changed = [
        offer
        for offer in await offers_with_ids(work.db, offer_ids)
        if takes_referrals(offer) and offer.capacity_available > 0
    ]
    return await _match_waiting(work, settings, changed) if changed else []


async def _match_waiting(work: UnitOfWork, settings: PlatformSettings, changed: list[OfferCreate]) -> list[str]:
    db = work.db
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
    offers = await offers_in(db, sorted({r["municipality"] for r in waiting}))
    return await _place(work, settings, waiting, offers, unmet_too=False)


async def _move_from_closed(work: UnitOfWork, settings: PlatformSettings, closed: list[OfferCreate]) -> list[str]:
    """Referrals requested at offers that take none any more, a bounded batch at a time."""
    query = {"state": ReferralState.REQUESTED.value, "offer_id": {"$in": [offer.id for offer in closed]}}
    moved: list[str] = []
    while True:
        stranded = (
            await work.db.referrals.find(query, {"outbox": 0, "history": 0})
            .sort("created_at", 1)
            .limit(REMATCH_READ)
            .to_list()
        )
        if not stranded:
            return moved
        offers = await offers_in(work.db, sorted({r["municipality"] for r in stranded}))
        placed = await _place(work, settings, stranded, offers, unmet_too=True)
        moved += placed
        if len(placed) < len(stranded) or len(stranded) < REMATCH_READ:
            return moved


async def _place(
    work: UnitOfWork,
    settings: PlatformSettings,
    referrals: list[dict[str, Any]],
    offers: list[OfferCreate],
    unmet_too: bool,
) -> list[str]:
    """Each referral, oldest first, to its best offer not yet tried, counting down the places of this batch; one
    without a fitting offer is written unmet when `unmet_too`, else left as it is. The offer a referral leaves
    because it closed did not refuse the household: it may take it again when it reopens. One bulk write, each
    referral guarded by its version."""
    free = {offer.id: offer for offer in offers}
    writes, placed, now = [], [], datetime.now(UTC)
    for referral in referrals:
        fields, entries = placement(
            settings,
            referral["_id"],
            referral["household_ref"],
            request_of(referral),
            [*free.values()],
            tried_of(referral) - {referral.get("offer_id")},
        )
        if not entries and not unmet_too:
            continue
        if entries:  # a place for this batch: the next referral sees one fewer
            best = free[fields["offer_id"]]
            free[best.id] = best.model_copy(update={"capacity_available": best.capacity_available - 1})
        why = f"{referral['offer_name']} neemt geen verwijzingen meer aan; " if referral.get("offer_id") else ""
        if referral.get("offer_id"):  # its partner hears that it left (partner_topics), before where it went
            entries = [_moved(settings, referral), *entries]
        update = change_with_events({**fields, "updated_at": now}, *entries)
        update["$push"] = {"history": rematch_step(fields, now, why)}
        writes.append(UpdateOne({"_id": referral["_id"], "version": referral["version"]}, update))
        placed.append(referral["_id"])
    if writes:
        await work.db.referrals.bulk_write(writes, ordered=False)
        work.announced("referrals", *placed)
    return placed


def _moved(settings: PlatformSettings, referral: dict[str, Any]) -> dict[str, Any]:
    moved = ReferralMoved(
        referral_id=referral["_id"],
        household_ref=referral["household_ref"],
        municipality=referral["municipality"],
        offer_id=referral["offer_id"],
    )
    event = new_event(type=REFERRAL_MOVED, source=SOURCE, subject=referral["household_ref"], data=moved)
    return outbox_entry(settings.topic(EVENTS_TOPIC), event)
