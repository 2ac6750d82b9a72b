"""MongoDB access with PyMongo's async client. Works on MongoDB and on FerretDB v1 (no transactions)."""

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from plumbing.settings import PlatformSettings

Document = dict[str, object]


def connect(settings: PlatformSettings) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(settings.mongo_uri, serverSelectionTimeoutMS=5000, tz_aware=True)


def database(client: AsyncMongoClient[Document], settings: PlatformSettings) -> AsyncDatabase[Document]:
    return client[settings.database_name]


async def ping(client: AsyncMongoClient[Document]) -> None:
    await client.admin.command("ping")


__all__ = ["DuplicateKeyError", "connect", "database", "ping"]
