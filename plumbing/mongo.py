"""MongoDB access with PyMongo's async client. Works on MongoDB and on FerretDB v1 (no transactions).

FerretDB 1.24 with its SQLite backend applies an update as a separate read and write, so two updates of one
document on different connections can overwrite each other (measured: 50 concurrent `$inc` left 4). On FerretDB
each process therefore talks over a single connection, which makes every update, and every conditional update
such as a version check, atomic within the process. Across processes only inserts with unique ids are safe there;
MongoDB itself, as deployed with compose, needs none of this.
"""

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from plumbing.settings import PlatformSettings


async def connect(settings: PlatformSettings) -> AsyncMongoClient[Any]:
    """No operation waits forever on a server that went away: it fails, and the caller retries or answers 503."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        settings.mongo_uri, tz_aware=True, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000, socketTimeoutMS=30000
    )
    if await is_ferretdb(client):
        await client.close()
        client = AsyncMongoClient(
            settings.mongo_uri,
            tz_aware=True,
            serverSelectionTimeoutMS=5000,
            connectTimeoutMS=5000,
            socketTimeoutMS=30000,
            maxPoolSize=1,
            waitQueueTimeoutMS=30000,
        )
    return client


async def is_ferretdb(client: AsyncMongoClient[Any]) -> bool:
    return "ferretdbVersion" in await client.admin.command("buildInfo")


def database(client: AsyncMongoClient[Any], settings: PlatformSettings) -> AsyncDatabase[Any]:
    return client[settings.database_name]


async def ping(client: AsyncMongoClient[Any]) -> None:
    await client.admin.command("ping")
