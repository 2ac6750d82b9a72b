"""Finds the real Kafka and MongoDB servers for tests that need them.

Order: endpoints from REDZAAM_TEST_KAFKA_BOOTSTRAP and REDZAAM_TEST_MONGO_URI; testcontainers when a Docker
engine answers; otherwise the local servers of deploy/local/infra.sh. A missing server fails the run.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

# the project's own local servers (deploy/local/infra.sh), on the ports it was told to use
LOCAL_KAFKA = f"127.0.0.1:{os.environ.get('REDZAAM_LOCAL_KAFKA_PORT', '9092')}"
LOCAL_MONGO = f"mongodb://127.0.0.1:{os.environ.get('REDZAAM_LOCAL_MONGO_PORT', '27017')}/"


@dataclass(frozen=True)
class Servers:
    kafka_bootstrap: str
    mongo_uri: str
    origin: str


def docker_engine_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    kafka = os.environ.get("REDZAAM_TEST_KAFKA_BOOTSTRAP")
    mongo = os.environ.get("REDZAAM_TEST_MONGO_URI")
    if kafka and mongo:
        yield Servers(kafka, mongo, "environment")
        return
    if docker_engine_answers():
        from testcontainers.kafka import KafkaContainer  # type: ignore[import-untyped]
        from testcontainers.mongodb import MongoDbContainer  # type: ignore[import-untyped]

        with KafkaContainer("apache/kafka:4.1.0").with_kraft() as kafka_box, MongoDbContainer("mongo:8.0") as mongo_box:
            yield Servers(kafka_box.get_bootstrap_server(), mongo_box.get_connection_url(), "testcontainers")
        return
    yield Servers(LOCAL_KAFKA, LOCAL_MONGO, "local")


@pytest.fixture
def namespace(servers: Servers) -> Iterator[str]:
    """A fresh topic prefix and database name for one test, so tests never see each other's events. Its topics are
    deleted afterwards: every partition keeps files open on the broker, and thousands add up."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    yield prefix
    asyncio.run(delete_topics(servers.kafka_bootstrap, prefix))


async def delete_topics(bootstrap: str, prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        doomed = [topic for topic in await admin.list_topics() if topic.startswith(prefix + ".")]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


@pytest.fixture
async def mongo(servers: Servers, namespace: str) -> AsyncIterator[Any]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri, serverSelectionTimeoutMS=5000, tz_aware=True)
    try:
        await client.admin.command("ping")
    except Exception as error:
        pytest.fail(
            f"MongoDB at {servers.mongo_uri} ({servers.origin}) is not reachable: {error}. "
            "Start it with deploy/local/infra.sh up, or run the tests with `make test`."
        )
    yield client[namespace]
    await client.drop_database(namespace)
    await client.close()
