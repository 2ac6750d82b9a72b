"""Which generation of the counters is read and written: a rebuild writes a fresh one, then switches to it."""

import time
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

POINTER = "projection"
FIRST = "counters"


@dataclass(frozen=True)
class Projection:
    """The counters, the event ids seen with where they were first read, and each partition's applied spans."""

    name: str
    counters: AsyncCollection[Any]
    seen: AsyncCollection[Any]
    progress: AsyncCollection[Any]


def projection_named(db: AsyncDatabase[Any], name: str) -> Projection:
    return Projection(name, db[name], db[f"{name}_seen"], db[f"{name}_progress"])


async def active_projection(db: AsyncDatabase[Any]) -> Projection:
    pointer = await db.meta.find_one({"_id": POINTER})
    return projection_named(db, pointer["collection"] if pointer else FIRST)


async def switch_projection(db: AsyncDatabase[Any], name: str) -> None:
    await db.meta.update_one({"_id": POINTER}, {"$set": {"collection": name}}, upsert=True)


async def ensure_indexes(projection: Projection) -> None:
    """For MongoDB proper; the local server keeps counters few enough to read without one."""
    await projection.counters.create_index([("metric", 1), ("month", 1)])


class ProjectionCache:
    """The live consumer's view of the active projection, read again at most every `seconds`, so that counting a
    batch costs no extra read. A rebuild reads on longer than that after switching, so nothing is missed."""

    def __init__(self, db: AsyncDatabase[Any], seconds: float = 1.0) -> None:
        self._db = db
        self._seconds = seconds
        self._projection: Projection | None = None
        self._read_at = 0.0

    async def current(self) -> Projection:
        if self._projection is None or time.monotonic() - self._read_at > self._seconds:
            self._projection, self._read_at = await active_projection(self._db), time.monotonic()
        return self._projection
