"""The three-node local Kafka cluster (deploy/local/infra.sh up --cluster) and the platform on it, two replicas of
each service. These tests run with `make test-cluster` (REDZAAM_CLUSTER_TESTS=1); elsewhere they are skipped, as
the cluster takes three more JVMs than the rest of the suite needs."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient

from tests.conftest import LOCAL_MONGO, Servers, delete_topics
from tests.e2e.platform import REPO, SERVICES, Platform

CLUSTER_BOOTSTRAP = "127.0.0.1:9192,127.0.0.1:9292,127.0.0.1:9392"
INFRA = REPO / "deploy/local/infra.sh"
# two replicas of each service, on ports of their own (the e2e tests use 18001-18004, the benchmarks 181xx/183xx)
REPLICAS = {
    **{service: 18401 + number for number, service in enumerate(SERVICES)},
    **{f"{service}-b": 18411 + number for number, service in enumerate(SERVICES)},
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cluster: needs the local three-node Kafka cluster (make test-cluster)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("REDZAAM_CLUSTER_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="runs on the three-node Kafka cluster: make test-cluster")
    for item in items:
        if "cluster" in item.keywords:
            item.add_marker(skip)


def infra(*arguments: str) -> None:
    subprocess.run(["bash", str(INFRA), *arguments], check=True, timeout=240)


class ClusterPlatform(Platform):
    """The four services twice over, in one consumer group per service, on the cluster with RF 3."""

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{REPLICAS[service]}"

    def environment(self, servers: Servers, service: str) -> dict[str, str]:
        env = super().environment(servers, service)
        env.update(
            {
                "REDZAAM_TOPIC_REPLICATION_FACTOR": "3",
                "REDZAAM_TOPIC_MIN_INSYNC_REPLICAS": "2",
                "REDZAAM_LOG_LEVEL": "WARNING",
                "REDZAAM_PARTNER_REQUESTS_PER_MINUTE": "100000",
            }
        )
        return env

    def start(self, servers: Servers) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.servers = servers
        # the second replicas once the first are ready: two signals processes starting at the same moment both
        # create the first administrator, and the one that loses the race exits (compose would restart it)
        for service in SERVICES:
            self.start_one(service)
        self.wait_ready(services=list(SERVICES))
        for replica in REPLICAS:
            if replica not in SERVICES:
                self.start_one(replica)

    def start_one(self, service: str) -> None:
        name = service.removesuffix("-b")
        command = [sys.executable, "-m", "uvicorn", "--factory", f"services.{name}.app:create_app"]
        command += ["--host", "127.0.0.1", "--port", str(REPLICAS[service]), "--no-access-log"]
        assert self.servers is not None
        with (self.logs / f"{service}.log").open("ab") as log:
            self.processes[service] = subprocess.Popen(
                command, cwd=REPO, env=self.environment(self.servers, name), stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 120, services: list[str] | None = None) -> None:
        super().wait_ready(timeout, services or list(REPLICAS))


@pytest.fixture(scope="session")
def cluster() -> Iterator[Servers]:
    infra("up", "--cluster")
    yield Servers(CLUSTER_BOOTSTRAP, os.environ.get("REDZAAM_TEST_MONGO_URI", LOCAL_MONGO), "local-cluster")
    for node in ("1", "2", "3"):  # whatever a test left down
        infra("start-broker", node)


@pytest.fixture(scope="module")
def cluster_platform(cluster: Servers) -> Iterator[ClusterPlatform]:
    namespace = f"cl{uuid.uuid4().hex[:10]}"
    running = ClusterPlatform(namespace, logs=REPO / "test-artifacts" / namespace)
    try:
        running.start(cluster)
        running.wait_ready()
        running.set_up_access()
        yield running
    finally:
        codes = running.stop()
        with MongoClient(cluster.mongo_uri) as client:
            for service in SERVICES:
                client.drop_database(f"{namespace}_{service}")
        asyncio.run(delete_topics(cluster.kafka_bootstrap, namespace))
        assert all(code in (0, -signal.SIGTERM) for code in codes.values()), f"unclean exit: {codes}"


def leaders(description: list[Any]) -> dict[int, int]:
    """How many partitions each node leads."""
    counts: dict[int, int] = {}
    for topic in description:
        for partition in topic["partitions"]:
            counts[partition["leader"]] = counts.get(partition["leader"], 0) + 1
    return counts
