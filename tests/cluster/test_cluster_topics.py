"""A service that starts while one broker of the cluster is down still gets through its topic check: the admin
client asks a random broker it knows of, and until the cluster fences the dead one (seconds) that may be it."""

import asyncio
import time
import uuid

import pytest

from plumbing.kafka import ensure_topics
from tests.cluster.conftest import infra
from tests.conftest import Servers, delete_topics

pytestmark = pytest.mark.cluster


def test_a_service_starting_while_a_broker_is_down_checks_its_topics(cluster: Servers) -> None:
    prefix = f"cl{uuid.uuid4().hex[:10]}"
    topics = [f"{prefix}.events", f"{prefix}.deadletter"]
    asyncio.run(ensure_topics(cluster.kafka_bootstrap, topics, replication_factor=3, min_insync_replicas=2))
    time.sleep(3)  # the topics reach every broker's metadata, as they have long before a replica restarts
    infra("kill-broker", "1")
    try:

        async def restarts() -> None:  # as replicas restarting in the seconds after the broker died
            for _ in range(10):
                await ensure_topics(cluster.kafka_bootstrap, topics, replication_factor=3, min_insync_replicas=2)

        asyncio.run(restarts())
    finally:
        infra("start-broker", "1")
        infra("wait", "--cluster")
        asyncio.run(delete_topics(cluster.kafka_bootstrap, prefix))
