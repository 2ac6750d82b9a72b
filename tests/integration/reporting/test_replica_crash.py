"""Two reporting replicas share one consumer group; one is killed with SIGKILL in the middle of its work and
started again. Every event still counts exactly once: facts stored before the crash but not yet committed are
delivered again and ignored, and the other replica takes over the partitions meanwhile."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from plumbing.access import Role
from plumbing.events import CloudEvent, encode
from plumbing.kafka import ensure_topics
from services.reporting.settings import ReportingSettings
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually

REPO = Path(__file__).resolve().parents[3]
EVENTS = 3000
HOUSEHOLDS = 300
MUNICIPALITIES = ("GM0141", "GM0150", "GM0193")


def start_replica(servers: Servers, namespace: str, port: int, token_key: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REDZAAM_KAFKA_BOOTSTRAP": servers.kafka_bootstrap,
        "REDZAAM_MONGO_URI": servers.mongo_uri,
        "REDZAAM_MONGO_DATABASE": namespace,
        "REDZAAM_TOPIC_PREFIX": namespace,
        "REDZAAM_TOKEN_KEY": token_key,
        "REDZAAM_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "services.reporting.app:create_app", "--port", str(port)]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def consumed(client: httpx.AsyncClient) -> float:
    try:
        text = (await client.get("/metrics")).text
    except httpx.TransportError:
        return 0.0
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("redzaam_events_consumed_total{") and "signal.raised" in line
    )


async def eventually_or_show(logs: list[Path], check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    """As `eventually`, but a failure shows the end of each replica's log: the replicas run apart from pytest."""
    try:
        await eventually(check, within=within, what=what)
    except AssertionError as failure:
        tails = "\n".join(f"--- {log.name}\n" + "\n".join(log.read_text().splitlines()[-40:]) for log in logs)
        raise AssertionError(f"{failure}\n{tails}") from None


async def test_a_replica_killed_mid_batch_loses_and_doubles_nothing(
    servers: Servers,
    namespace: str,
    mongo: Any,
    tmp_path: Path,  # mongo: drops the database afterwards
) -> None:
    token_key = f"replica-test-token-key-{uuid.uuid4().hex}"
    settings = ReportingSettings(mongo_database=namespace, topic_prefix=namespace, token_key=token_key)
    topic = settings.topic("signals.events")
    await ensure_topics(servers.kafka_bootstrap, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for number in range(EVENTS):
            household = f"hh-{number % HOUSEHOLDS:012x}"
            event = CloudEvent(
                id=str(uuid.uuid4()),
                source="/tests",
                type="nl.redzaam.signal.raised",
                subject=household,
                time=datetime.now(UTC),
                data={
                    "household_ref": household,
                    "municipality": MUNICIPALITIES[number % HOUSEHOLDS % 3],
                    "creditor_type": "rent",
                },
            )
            await producer.send(topic, encode(event), key=household.encode())
        await producer.flush()
    finally:
        await producer.stop()

    ports = (18211, 18212)
    logs = [tmp_path / f"{port}.log" for port in ports]
    replicas = [start_replica(servers, namespace, port, token_key, log) for port, log in zip(ports, logs, strict=True)]
    headers = staff_headers(settings, Role.PROGRAMME_LEAD)
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) for port in ports]
    try:

        async def one_is_busy() -> bool:
            return max([await consumed(client) for client in clients]) >= 100

        await eventually_or_show(logs, one_is_busy, within=120, what="a replica counting")
        # The replica that has done the most is surely in the middle of its partitions: kill that one.
        counts = [await consumed(client) for client in clients]
        victim = counts.index(max(counts))
        survivor = clients[1 - victim]
        replicas[victim].send_signal(signal.SIGKILL)  # no shutdown, no commit of what it stored last
        replicas[victim].wait(timeout=10)
        replicas[victim] = start_replica(servers, namespace, ports[victim], token_key, logs[victim])

        async def all_counted() -> bool:
            try:
                rows = (await survivor.get("/api/v1/counters", params={"metric": "signals_raised"})).json()
            except httpx.TransportError:
                return False
            return sum(row["total"] for row in rows) >= EVENTS

        await eventually_or_show(logs, all_counted, within=240, what=f"{EVENTS} signals counted")
        await asyncio.sleep(2)  # redeliveries after the restart, if any, would land now
        rows = (await survivor.get("/api/v1/counters", params={"metric": "signals_raised"})).json()
        per_municipality = {row["municipality"]: (row["total"], row["distinct"]) for row in rows}
        assert per_municipality == {code: (EVENTS // 3, HOUSEHOLDS // 3) for code in MUNICIPALITIES}
    finally:
        for replica in replicas:
            if replica.poll() is None:
                replica.send_signal(signal.SIGTERM)
                replica.wait(timeout=30)
        for client in clients:
            await client.aclose()
