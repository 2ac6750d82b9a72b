"""The local MongoDB server keeps every acknowledged write across a SIGKILL: what it answered "ok" to is on disk
before the answer leaves, so a crash loses nothing the services were told was stored."""

import asyncio
import subprocess
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.errors import DuplicateKeyError

from tests.conftest import Servers
from tests.e2e.platform import REPO

pytestmark = pytest.mark.e2e

DOCUMENTS = 500
INCREMENTS = 50
UPSERTS = 200
# the server stores documents and keys in its own encoding: every kind of value the code stores, as id and in fields
MIXED = [
    {"_id": ObjectId(), "kind": "object id", "at": datetime(2026, 12, 2, 9, 30, tzinfo=UTC)},
    {"_id": 42, "kind": "number", "nested": {"list": [1, "two", None, {"three": 3.0}]}},
    {"_id": "hh-ë€😀", "kind": "text beyond ASCII", "blob": b"\x00\x01\xff"},
    {"_id": "no-kind-field"},
]


async def write_acknowledged(uri: str, name: str) -> None:
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri)
    try:
        db = client[name]
        await db.docs.create_index("number", unique=True)
        await db.docs.insert_many([{"_id": n, "number": n} for n in range(DOCUMENTS)])
        await asyncio.gather(
            *(db.counters.update_one({"_id": "c"}, {"$inc": {"n": 1}}, upsert=True) for _ in range(INCREMENTS))
        )
        await db.counters.bulk_write(
            [UpdateOne({"_id": f"u{n}"}, {"$inc": {"n": n}}, upsert=True) for n in range(UPSERTS)], ordered=False
        )
        await db.counters.find_one_and_update({"_id": "last"}, {"$set": {"written": True}}, upsert=True)
        await db.mixed.create_index([("kind", 1), ("_id", 1)], unique=True)
        await db.mixed.insert_many([dict(document) for document in MIXED])
    finally:
        await client.close()


async def read_back(uri: str, name: str) -> tuple[int, int, int, bool, list[str]]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri, serverSelectionTimeoutMS=30000, tz_aware=True)
    try:
        db = client[name]
        counter = await db.counters.find_one({"_id": "c"})
        upserted = sum(item["n"] for item in await db.counters.find({"_id": {"$regex": "^u"}}).to_list())
        last = await db.counters.find_one({"_id": "last"})
        indexes = sorted((await db.docs.index_information()).keys())
        for document in MIXED:
            assert await db.mixed.find_one({"_id": document["_id"]}) == document
        with pytest.raises(DuplicateKeyError):
            await db.docs.insert_one({"_id": "another", "number": 7})  # the unique index holds after the restart
        result = (await db.docs.count_documents({}), counter["n"] if counter else 0, upserted, bool(last), indexes)
        await client.drop_database(name)
        return result
    finally:
        await client.close()


def test_acknowledged_writes_survive_a_sigkill_of_the_server(servers: Servers) -> None:
    if servers.origin != "local":
        pytest.skip("killing the database needs the project's own local server (deploy/local/infra.sh)")
    name = f"t{uuid.uuid4().hex[:12]}"
    asyncio.run(write_acknowledged(servers.mongo_uri, name))
    subprocess.run(["bash", str(REPO / "deploy/local/infra.sh"), "kill", "mongo"], check=True, timeout=180)
    documents, increments, upserted, last, indexes = asyncio.run(read_back(servers.mongo_uri, name))
    assert (documents, increments, upserted, last) == (DOCUMENTS, INCREMENTS, sum(range(UPSERTS)), True)
    assert indexes == ["_id_", "number_1"]
