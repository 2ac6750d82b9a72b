"""Every MongoDB feature the services use, tried on the server the tests run against (the local mongo-java-server
in CI, MongoDB under compose). The README lists the same subset; code that needs something else adds a test here."""

import asyncio
import uuid
from typing import Any

import pytest
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, InsertOne, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from tests.conftest import Servers

pytestmark = pytest.mark.integration


async def test_insert_many_unordered_stores_the_new_and_names_the_duplicates(mongo: Any) -> None:
    await mongo.items.insert_many([{"_id": "a"}, {"_id": "b"}])
    with pytest.raises(BulkWriteError) as raised:
        await mongo.items.insert_many([{"_id": "a"}, {"_id": "c"}, {"_id": "b"}, {"_id": "d"}], ordered=False)
    # mongo-java-server 1.47 reports nInserted 4 here (MongoDB: 2), so the code counts the new documents as the
    # documents sent less the duplicates named in writeErrors, which both servers report alike
    assert sorted(problem["code"] for problem in raised.value.details["writeErrors"]) == [11000, 11000]
    assert sorted(await mongo.items.distinct("_id")) == ["a", "b", "c", "d"]


async def test_unique_compound_index_refuses_a_second_document_with_the_same_key(mongo: Any) -> None:
    await mongo.items.create_index([("partner", ASCENDING), ("key", ASCENDING)], unique=True)
    await mongo.items.insert_one({"_id": 1, "partner": "p", "key": "k"})
    with pytest.raises(DuplicateKeyError):
        await mongo.items.insert_one({"_id": 2, "partner": "p", "key": "k"})
    await mongo.items.insert_one({"_id": 3, "partner": "q", "key": "k"})
    assert await mongo.items.count_documents({}) == 2


async def test_find_by_in_with_sort_limit_and_projection(mongo: Any) -> None:
    await mongo.items.insert_many([{"_id": f"x{n:02}", "n": n, "other": "y"} for n in range(20)])
    wanted = [f"x{n:02}" for n in range(0, 20, 2)]
    found = await mongo.items.find({"_id": {"$in": wanted}}, {"n": 1}).sort("n", DESCENDING).limit(3).to_list()
    assert found == [{"_id": "x18", "n": 18}, {"_id": "x16", "n": 16}, {"_id": "x14", "n": 14}]
    ranged = await mongo.items.find({"n": {"$gte": 5, "$lt": 8}, "_id": {"$nin": ["x06"]}}).sort("n").to_list()
    assert [item["n"] for item in ranged] == [5, 7]
    either = await mongo.items.count_documents({"$or": [{"n": 1}, {"n": {"$gt": 18}}], "other": {"$ne": "z"}})
    assert either == 2


async def test_update_operators_on_nested_keys(mongo: Any) -> None:
    await mongo.items.insert_one({"_id": "doc", "version": 1, "outbox": {}, "tags": ["a"], "list": []})
    result = await mongo.items.update_one(
        {"_id": "doc", "version": 1},
        {
            "$set": {"outbox.e1": {"state": "pending"}, "flag": True},
            "$inc": {"version": 1},
            "$push": {"list": {"at": 1}},
            "$addToSet": {"tags": "b"},
        },
    )
    assert result.modified_count == 1
    stale = await mongo.items.update_one({"_id": "doc", "version": 1}, {"$set": {"flag": False}})
    assert stale.modified_count == 0  # the version guard refuses a writer that read an older version
    await mongo.items.update_one(
        {"_id": "doc"}, {"$set": {"outbox.e1.state": "published"}, "$unset": {"flag": ""}, "$pull": {"tags": "a"}}
    )
    stored = await mongo.items.find_one({"_id": "doc"})
    assert stored == {
        "_id": "doc",
        "version": 2,
        "outbox": {"e1": {"state": "published"}},
        "tags": ["b"],
        "list": [{"at": 1}],
    }
    assert await mongo.items.count_documents({"flag": {"$exists": True}}) == 0


async def test_upserts_by_update_find_and_bulk_write(mongo: Any) -> None:
    await mongo.items.update_one({"_id": "u"}, {"$setOnInsert": {"first": 1}, "$inc": {"n": 1}}, upsert=True)
    await mongo.items.update_one({"_id": "u"}, {"$setOnInsert": {"first": 2}, "$inc": {"n": 1}}, upsert=True)
    after = await mongo.items.find_one_and_update(
        {"_id": "f"}, {"$inc": {"n": 5}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    assert after == {"_id": "f", "n": 5}
    result = await mongo.items.bulk_write(
        [
            UpdateOne({"_id": "u"}, {"$inc": {"n": 10}}),
            UpdateOne({"_id": "new"}, {"$inc": {"n": 3}}, upsert=True),
            InsertOne({"_id": "ins", "n": 0}),
        ],
        ordered=False,
    )
    assert (result.modified_count, result.upserted_count, result.inserted_count) == (1, 1, 1)
    assert await mongo.items.find_one({"_id": "u"}) == {"_id": "u", "first": 1, "n": 12}
    await mongo.items.replace_one({"_id": "ins"}, {"n": 9})
    await mongo.items.update_many({"n": {"$gte": 5}}, {"$set": {"big": True}})
    assert sorted(await mongo.items.distinct("_id", {"big": True})) == ["f", "ins", "u"]


async def test_aggregate_match_and_group_with_sum(mongo: Any) -> None:
    rows = [{"m": m, "k": k, "v": v} for m, k, v in [("a", "x", 1), ("a", "x", 2), ("a", "y", 3), ("b", "x", 4)]]
    await mongo.items.insert_many(rows)
    pipeline = [{"$match": {"m": "a"}}, {"$group": {"_id": {"m": "$m", "k": "$k"}, "total": {"$sum": "$v"}}}]
    grouped = await (await mongo.items.aggregate(pipeline)).to_list()
    assert sorted((row["_id"]["k"], row["total"]) for row in grouped) == [("x", 3), ("y", 3)]


async def test_concurrent_increments_over_two_connections_are_all_kept(servers: Servers, mongo: Any) -> None:
    """Each single-document update is atomic: the services use an ordinary pool, many connections at once."""
    await mongo.items.insert_one({"_id": "c", "n": 0})
    clients: list[AsyncMongoClient[Any]] = [AsyncMongoClient(servers.mongo_uri) for _ in range(2)]
    try:
        collections = [client[mongo.name].items for client in clients]
        await asyncio.gather(*(collections[n % 2].update_one({"_id": "c"}, {"$inc": {"n": 1}}) for n in range(100)))
    finally:
        for client in clients:
            await client.close()
    assert (await mongo.items.find_one({"_id": "c"}))["n"] == 100


async def test_conditional_updates_race_and_exactly_one_wins(servers: Servers, mongo: Any) -> None:
    """Optimistic concurrency by a version field: of many writers that read version 1, one changes it."""
    await mongo.items.insert_one({"_id": "v", "version": 1, "by": None})
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri)
    try:
        other = client[mongo.name].items
        results = await asyncio.gather(
            *(
                (mongo.items if n % 2 else other).update_one(
                    {"_id": "v", "version": 1}, {"$set": {"by": n}, "$inc": {"version": 1}}
                )
                for n in range(40)
            )
        )
    finally:
        await client.close()
    assert sum(result.modified_count for result in results) == 1


async def test_drop_database_after_indexes_were_made(servers: Servers) -> None:
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri)
    name = f"t{uuid.uuid4().hex[:12]}"
    try:
        await client[name].items.create_index([("a", ASCENDING)])
        await client[name].items.create_index([("b", ASCENDING)], unique=True)
        await client[name].items.insert_many([{"a": n, "b": n} for n in range(10)])
        await client.drop_database(name)
        assert name not in await client.list_database_names()
    finally:
        await client.close()


async def test_filters_on_ids_and_other_fields_match_exactly(mongo: Any) -> None:
    """The local server reads such filters by _id first (deploy/local/mongo): the rest of the filter still holds."""
    await mongo.items.insert_many([{"_id": f"d{n}", "version": n % 3, "flag": n % 2 == 0} for n in range(30)])
    wanted = ["d1", "d2", "d3", "d2", "missing", "d4"]
    found = await mongo.items.find({"_id": {"$in": wanted}, "flag": True}).sort("_id").to_list()
    assert [item["_id"] for item in found] == ["d2", "d4"]
    assert await mongo.items.find_one({"_id": "d5", "version": 2}) == {"_id": "d5", "version": 2, "flag": False}
    assert await mongo.items.find_one({"_id": "d5", "version": 1}) is None
    deleted = await mongo.items.delete_many({"_id": {"$in": ["d6", "d7", "d8"]}, "flag": True})
    assert deleted.deleted_count == 2
    assert await mongo.items.count_documents({"_id": {"$in": [1, 2]}}) == 0  # non-string ids: the stock path


async def test_delete_many_by_list_size_range_and_flag(mongo: Any) -> None:
    """What the volunteers' retention deletes: stale sign-ups with no requests, not waiting for the relay."""
    await mongo.items.insert_many(
        [
            {"_id": "stale", "requests": [], "seen": 1},
            {"_id": "busy", "requests": ["r"], "seen": 1},
            {"_id": "recent", "requests": [], "seen": 5},
            {"_id": "unpublished", "requests": [], "seen": 1, "outbox_pending": True},
        ]
    )
    query = {"requests": {"$size": 0}, "seen": {"$lte": 2}, "outbox_pending": {"$ne": True}}
    assert (await mongo.items.delete_many(query)).deleted_count == 1
    assert sorted(await mongo.items.distinct("_id")) == ["busy", "recent", "unpublished"]
