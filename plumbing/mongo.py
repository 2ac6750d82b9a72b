"""MongoDB access with PyMongo's async client, in the subset that MongoDB and the local server share.

The local server (mongo-java-server with its H2 backend, `deploy/local/mongo`) and MongoDB both apply every
single-document update atomically, so each process uses an ordinary connection pool. The subset used is listed in
the README ("MongoDB features the code uses") and each feature is tested on the local server
(`tests/integration/test_mongo_features.py`): no multi-document transactions, change streams or TTL indexes.
"""

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.settings import PlatformSettings


async def connect(settings: PlatformSettings) -> AsyncMongoClient[Any]:
    """No operation waits forever on a server that went away: it fails, and the caller retries or answers 503."""
    return AsyncMongoClient(
        settings.mongo_uri, tz_aware=True, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000, socketTimeoutMS=30000
    )


def database(client: AsyncMongoClient[Any], settings: PlatformSettings) -> AsyncDatabase[Any]:
    return client[settings.database_name]


async def ping(client: AsyncMongoClient[Any]) -> None:
    await client.admin.command("ping")
