"""Use cases of the catalogue: keep offers, and import and export them in the shape of Open Referral HSDS."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.referrals.domain import OfferCreate

MAX_ROUNDS = 20


async def save_offer(db: AsyncDatabase[Any], offer: OfferCreate) -> bool:
    """Creates or replaces the offer, keeping the places its referrals hold: free places are the maximum less the
    held ones, whatever the publisher sent as free, so that `0 <= free <= maximum` holds under any interleaving
    with referrals taking and giving back places. True when it was new."""
    for _ in range(MAX_ROUNDS):
        current = await db.offers.find_one({"_id": offer.id}, {"capacity_held": 1})
        held = current.get("capacity_held", 0) if current else 0
        document = {
            **offer_document(offer),
            "capacity_held": held,
            "capacity_available": max(0, offer.capacity_maximum - held),
        }
        # guarded by the held places read: a referral that took or gave one back meanwhile makes it retry
        guard = {"$exists": False} if current is not None and "capacity_held" not in current else held
        try:
            result = await db.offers.replace_one({"_id": offer.id, "capacity_held": guard}, document, upsert=True)
        except DuplicateKeyError:
            continue
        if result.matched_count == 1 or result.upserted_id is not None:
            return result.upserted_id is not None
    raise RuntimeError(f"offer {offer.id}: its places kept changing while it was saved")


async def take_place(db: AsyncDatabase[Any], offer_id: str, count: int = 1) -> bool:
    """Holds `count` free places of an active offer, all or none; False when fewer are free."""
    taken = await db.offers.update_one(
        {"_id": offer_id, "status": "active", "capacity_available": {"$gte": count}},
        {"$inc": {"capacity_available": -count, "capacity_held": count}},
    )
    return taken.modified_count == 1


async def give_back_place(db: AsyncDatabase[Any], offer_id: str, count: int = 1) -> None:
    """Frees `count` held places; free places never pass the maximum, also when it was lowered meanwhile. Guarded
    by the maximum and held places read, as `save_offer` is by the held places, so neither undoes the other."""
    for _ in range(MAX_ROUNDS):
        offer = await db.offers.find_one({"_id": offer_id}, {"capacity_maximum": 1, "capacity_held": 1})
        held = offer.get("capacity_held", 0) if offer else 0
        if offer is None or held <= 0:
            return
        given = min(count, held)
        freed = given - min(given, max(0, held - offer["capacity_maximum"]))  # held beyond the maximum frees none
        change = {"capacity_held": -given, "capacity_available": freed} if freed else {"capacity_held": -given}
        done = await db.offers.update_one(
            {"_id": offer_id, "capacity_held": held, "capacity_maximum": offer["capacity_maximum"]}, {"$inc": change}
        )
        if done.modified_count == 1:
            return
    raise RuntimeError(f"offer {offer_id}: its places kept changing while one was given back")


async def all_offers(db: AsyncDatabase[Any], municipality: str | None = None) -> list[OfferCreate]:
    query = {"municipalities": municipality} if municipality else {}
    return [offer_from_document(document) async for document in db.offers.find(query).sort("_id", 1)]


async def offers_with_ids(db: AsyncDatabase[Any], offer_ids: list[str]) -> list[OfferCreate]:
    return [offer_from_document(document) async for document in db.offers.find({"_id": {"$in": offer_ids}})]


async def offers_in(db: AsyncDatabase[Any], municipalities: list[str]) -> list[OfferCreate]:
    query = {"municipalities": {"$in": municipalities}}
    return [offer_from_document(document) async for document in db.offers.find(query).sort("_id", 1)]


def offer_document(offer: OfferCreate) -> dict[str, Any]:
    document = offer.model_dump(mode="json")
    document["_id"] = document.pop("id")
    return document


def offer_from_document(document: dict[str, Any]) -> OfferCreate:
    fields = {key: value for key, value in document.items() if key not in ("_id", "capacity_held")}
    return OfferCreate.model_validate({**fields, "id": document["_id"]})


def to_hsds(offers: list[OfferCreate]) -> dict[str, Any]:
    """Organisations and services with HSDS field names (3.x), plus capacity, which HSDS has no field for."""
    organisations = {offer.organisation_id or offer.organisation: offer.organisation for offer in offers}
    return {
        "organizations": [{"id": key, "name": name} for key, name in sorted(organisations.items())],
        "services": [
            {
                "id": offer.id,
                "organization_id": offer.organisation_id or offer.organisation,
                "name": offer.name,
                "description": offer.description,
                "status": offer.status.value,
                "eligibility_description": offer.eligibility,
                "minimum_age": offer.age_minimum,
                "maximum_age": offer.age_maximum,
                "languages": [{"code": code} for code in offer.languages],
                "service_areas": [{"extent_type": "cbs_gemeentecode", "extent": code} for code in offer.municipalities],
                "email": offer.contact,
                "attributes": [
                    {"taxonomy": "redzaam:debt_phase", "value": offer.phase.value},
                    {"taxonomy": "redzaam:offer_kind", "value": offer.kind.value},
                ]
                + [{"taxonomy": "redzaam:need", "value": need.value} for need in offer.needs],
                "capacity": {
                    "available": offer.capacity_available,
                    "maximum": offer.capacity_maximum,
                    "unit": offer.capacity_unit,
                },
                "volunteer_role": offer.volunteer_role.value if offer.volunteer_role else None,
            }
            for offer in offers
        ],
    }


def from_hsds(document: dict[str, Any]) -> list[tuple[int, OfferCreate | Exception]]:
    """Each HSDS service as an offer, or the error that keeps it out; the index is its place in `services`."""
    names = {organisation.get("id"): organisation.get("name", "") for organisation in document.get("organizations", [])}
    parsed: list[tuple[int, OfferCreate | Exception]] = []
    for index, service in enumerate(document.get("services", [])):
        try:
            attributes = service.get("attributes", [])
            capacity = service.get("capacity", {})
            parsed.append(
                (
                    index,
                    OfferCreate.model_validate(
                        {
                            "id": service.get("id"),
                            "name": service.get("name"),
                            "organisation": names.get(service.get("organization_id"), service.get("organization_id")),
                            "organisation_id": service.get("organization_id", ""),
                            "description": service.get("description", ""),
                            "status": service.get("status", "active"),
                            "phase": next(
                                (a["value"] for a in attributes if a.get("taxonomy") == "redzaam:debt_phase"), None
                            ),
                            "kind": next(
                                (a["value"] for a in attributes if a.get("taxonomy") == "redzaam:offer_kind"), None
                            ),
                            "needs": [a["value"] for a in attributes if a.get("taxonomy") == "redzaam:need"]
                            or ["debt_help"],
                            "municipalities": [area.get("extent") for area in service.get("service_areas", [])],
                            "age_minimum": service.get("minimum_age"),
                            "age_maximum": service.get("maximum_age"),
                            "eligibility": service.get("eligibility_description", ""),
                            "languages": [language.get("code") for language in service.get("languages", [])] or ["nl"],
                            "contact": service.get("email", ""),
                            "capacity_available": capacity.get("available"),
                            "capacity_maximum": capacity.get("maximum"),
                            "capacity_unit": capacity.get("unit", "households"),
                            "volunteer_role": service.get("volunteer_role"),
                        }
                    ),
                )
            )
        except Exception as error:
            parsed.append((index, error))
    return parsed
