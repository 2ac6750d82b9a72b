"""Following a list by cursor: a partner's system reads on from where it was, and never misses or repeats an item.

The order is a time field and `_id` (a total order); the cursor is the last item's (time, id), opaque to the caller
(`next` in the answer, `cursor` in the next request). Pages stop at a horizon a little in the past (`SETTLE`): a
write stamped at one moment may become visible a little later (a batch, a slow request), and a reader that had
already passed its time would never see it. Items younger than the horizon come on a later poll, once settled.
Two operations per page (the page, and how many are left after it), whatever the position.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from plumbing.errors import Invalid

SETTLE = timedelta(seconds=30)  # longer than any write of an item may take between its stamp and its commit


class BadCursor(Invalid, ValueError):
    """The cursor is not one this list gave out."""

    def __init__(self) -> None:
        super().__init__("cursor", "not a cursor this list gave out; start again without one")


@dataclass(frozen=True)
class Position:
    at: datetime
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "Position":
        try:
            at, item = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            moment = datetime.fromisoformat(at)
        except (binascii.Error, ValueError, TypeError) as error:
            raise BadCursor() from error
        if not isinstance(item, str):
            raise BadCursor()
        return cls(moment if moment.tzinfo else moment.replace(tzinfo=UTC), item)


@dataclass(frozen=True)
class Following:
    """One page read by cursor: the documents, the cursor to read on from, and how many settled items follow."""

    documents: list[dict[str, Any]]
    next: str | None
    remaining: int


async def read_on(
    collection: AsyncCollection[Any],
    query: dict[str, Any],
    field: str,
    after: Position | None,
    since: datetime | None,
    per_page: int,
    projection: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Following:
    """The next `per_page` documents matching `query` after `after` (or from `since`), in (`field`, `_id`) order,
    up to the settled horizon. `next` is the last one's position, or the one given when there was nothing new, so a
    reader at the end keeps its place."""
    horizon = (now or datetime.now(UTC)) - SETTLE
    window: dict[str, Any] = {"$lte": horizon}
    if since is not None and after is None:
        window["$gte"] = since
    selected: dict[str, Any] = {**query, field: window}
    if after is not None:
        selected = {
            **query,
            "$and": [
                {field: window},
                {"$or": [{field: {"$gt": after.at}}, {field: after.at, "_id": {"$gt": after.id}}]},
            ],
        }
    documents = await collection.find(selected, projection).sort([(field, 1), ("_id", 1)]).limit(per_page).to_list()
    last = Position(documents[-1][field], str(documents[-1]["_id"])) if documents else after
    if last is None:
        return Following(documents, None, 0)
    tail = {
        **query,
        "$and": [{field: window}, {"$or": [{field: {"$gt": last.at}}, {field: last.at, "_id": {"$gt": last.id}}]}],
    }
    return Following(documents, last.encode(), await collection.count_documents(tail))
