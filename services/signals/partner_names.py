"""The names of member organisations from the partner registry, so that pages name a partner, not its client id."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase


async def partner_names(db: AsyncDatabase[Any], partner_ids: list[str]) -> dict[str, str]:
    """Name by client id, read at once; an id the registry does not know is its own name."""
    wanted = sorted(set(partner_ids))
    known = {doc["_id"]: doc["name"] async for doc in db.partners.find({"_id": {"$in": wanted}}, {"name": 1})}
    return {partner_id: known.get(partner_id, partner_id) for partner_id in wanted}
