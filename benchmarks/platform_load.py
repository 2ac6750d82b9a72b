"""Load benchmark of the whole platform on one machine: one command, figures for the README.

Starts the local Kafka and MongoDB server if needed (deploy/local/infra.sh up) and the four services, registers a
creditor, and pushes a sustained mix of signals through the HTTP API and the partner's Kafka topic. Reports:

- intake throughput (signals accepted per second, HTTP and Kafka);
- end-to-end latency from a signal sent to it being counted by the reporting service (median, p99);
- the rebuild speed of the reporting projection from the Kafka log;
- the peak memory (VmHWM) of each service process;
- the same run with two replicas of the signals and the reporting service in one consumer group each, and whether
  the counters are still exact.

    .venv/bin/python benchmarks/platform_load.py [--rate 8] [--seconds 30] [--cluster]

With --cluster the same runs go to the local three-node Kafka cluster (deploy/local/infra.sh up --cluster), the
services creating their topics with replication factor 3 and min.insync.replicas 2, and the largest consumer lag
of each replica of the signals and reporting services is reported too.
"""

import argparse
import asyncio
import contextlib
import functools
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import KafkaError
from pymongo import AsyncMongoClient

from plumbing.events import CloudEvent, encode
from services.reporting.rebuild import rebuild
from services.reporting.settings import ReportingSettings

print = functools.partial(print, flush=True)  # progress shows while it runs
REPO = Path(__file__).resolve().parents[1]
KAFKA, MONGO = "127.0.0.1:9092", "mongodb://127.0.0.1:27017/"
CLUSTER = "127.0.0.1:9192,127.0.0.1:9292,127.0.0.1:9392"
CLUSTER_ENVIRONMENT = {"REDZAAM_TOPIC_REPLICATION_FACTOR": "3", "REDZAAM_TOPIC_MIN_INSYNC_REPLICAS": "2"}
ADMIN_PASSWORD = "bench-admin-password-0123456789"
WORKER_PASSWORD = "bench-worker-password-0123456789"
PORTS = {"signals": 18301, "referrals": 18302, "volunteers": 18303, "reporting": 18304}
REPLICA_PORTS = {"signals": 18311, "reporting": 18314}


@dataclass
class Running:
    namespace: str
    token_key: str = field(default_factory=lambda: f"bench-token-{uuid.uuid4().hex}")
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    bootstrap: str = KAFKA
    settings: dict[str, str] = field(default_factory=dict)

    def environment(self, service: str) -> dict[str, str]:
        return {
            **os.environ,
            **self.settings,
            "REDZAAM_KAFKA_BOOTSTRAP": self.bootstrap,
            "REDZAAM_MONGO_URI": MONGO,
            "REDZAAM_MONGO_DATABASE": f"{self.namespace}_{service}",
            "REDZAAM_TOPIC_PREFIX": self.namespace,
            "REDZAAM_PSEUDONYM_KEY": "bench-pseudonym-key-0123456789",
            "REDZAAM_DATA_KEY": "bench-data-key-0123456789",
            "REDZAAM_TOKEN_KEY": self.token_key,
            "REDZAAM_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "REDZAAM_REQUIRE_ADMIN_TOTP": "false",
            "REDZAAM_PARTNER_REQUESTS_PER_MINUTE": "100000",
            "REDZAAM_LOG_LEVEL": "WARNING",
        }

    def start(self, name: str, service: str, port: int) -> None:
        command = [sys.executable, "-m", "uvicorn", "--factory", f"services.{service}.app:create_app"]
        command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
        self.processes[name] = subprocess.Popen(command, cwd=REPO, env=self.environment(service))

    async def wait_ready(self, ports: dict[str, int]) -> None:
        async with httpx.AsyncClient() as client:
            for port in ports.values():
                for _ in range(300):
                    try:
                        if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.2)
                else:
                    raise SystemExit(f"service on port {port} did not become ready")

    def peak_memory_mb(self) -> dict[str, float]:
        peaks = {}
        for name, process in self.processes.items():
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[name] = int(line.split()[1]) / 1024
        return peaks

    def stop(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def submission(number: int, run: str) -> dict[str, Any]:
    return {
        "creditor_type": "rent",  # the benchmark's creditor is a housing corporation, which sends rent arrears only
        "municipality": "GM0141",
        "person": {"name": f"Huishouden {run}-{number}"},
        "address": {"postcode": "7609 AA", "house_number": number + 1, "addition": run},
        "arrears_cents": 25_000 + number,
        "arrears_since": (date.today() - timedelta(days=40)).isoformat(),
        "contract_reference": f"{run}-{number}",
    }


async def token(client: httpx.AsyncClient, base: str, form: dict[str, str]) -> dict[str, str]:
    response = await client.post(f"{base}/api/v1/oauth/token", data=form)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def set_up(client: httpx.AsyncClient, base: str) -> tuple[dict[str, str], dict[str, str]]:
    """An administrator registers the creditor and a programme lead; returns their tokens."""
    admin = await token(client, base, {"grant_type": "password", "username": "beheerder", "password": ADMIN_PASSWORD})
    member = {"id": "bench", "name": "Benchmark", "type": "housing", "municipalities": ["GM0141"]}
    registered = await client.post(f"{base}/api/v1/partners", json=member, headers=admin)
    registered.raise_for_status()
    lead = {"username": "lead", "name": "Lead", "role": "programme_lead", "password": WORKER_PASSWORD}
    (await client.post(f"{base}/api/v1/accounts", json=lead, headers=admin)).raise_for_status()
    secret = registered.json()["client_secret"]
    creditor = await token(
        client, base, {"grant_type": "client_credentials", "client_id": "bench", "client_secret": secret}
    )
    reader = await token(client, base, {"grant_type": "password", "username": "lead", "password": WORKER_PASSWORD})
    return creditor, reader


async def counted(client: httpx.AsyncClient, reporting: str, reader: dict[str, str]) -> int:
    rows = (
        await client.get(
            f"{reporting}/api/v1/counters", params={"metric": "signals_raised"}, headers=reader, timeout=120
        )
    ).json()
    return sum(row["total"] for row in rows)


@dataclass
class Result:
    http_per_second: float
    kafka_per_second: float
    latencies: list[float]
    counted: int
    sent: int
    seconds_to_drain: float
    lag: dict[str, list[int]] = field(default_factory=dict)  # consumer group: largest lag of each replica


async def lag_per_replica(bootstrap: str, groups: list[str], done: asyncio.Event) -> dict[str, list[int]]:
    """Samples each group's lag (end offset minus committed offset) per member every half second, until `done`;
    returns the largest lag each member had, one entry per replica in the order they were first seen."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    ends = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await admin.start()
    await ends.start()
    largest: dict[str, dict[str, int]] = {group: {} for group in groups}
    try:
        while not done.is_set():
            for group in groups:
                with contextlib.suppress(KafkaError):
                    [response] = await admin.describe_consumer_groups([group])
                    members = {
                        member[0]: ConsumerProtocolMemberAssignment.decode(member[-1]).partitions()
                        for entry in response.groups
                        for member in entry[5]
                        if member[-1]
                    }
                    committed = await admin.list_consumer_group_offsets(group)
                    assigned = [partition for partitions in members.values() for partition in partitions]
                    end = await ends.end_offsets(assigned) if assigned else {}
                    for member, partitions in members.items():
                        lag = sum(
                            end[p] - (committed[p].offset if p in committed and committed[p].offset >= 0 else 0)
                            for p in partitions
                        )
                        largest[group][member] = max(largest[group].get(member, 0), lag)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.5)
    finally:
        await ends.stop()
        await admin.close()
    return {group: list(members.values()) for group, members in largest.items()}


async def push(running: Running, rate: float, seconds: float, signals_ports: list[int], reporting: str) -> Result:
    """Half the signals over HTTP (spread over the signals replicas), half on the partner's Kafka topic."""
    run = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(timeout=60) as client:
        creditor, reader = await set_up(client, f"http://127.0.0.1:{signals_ports[0]}")
        topic = f"{running.namespace}.signals.intake.bench"
        producer = AIOKafkaProducer(bootstrap_servers=running.bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        sent_at: list[float] = []
        http_ok = kafka_ok = 0
        tasks: list[asyncio.Task[None]] = []

        async def over_http(number: int) -> None:
            nonlocal http_ok
            base = f"http://127.0.0.1:{signals_ports[number % len(signals_ports)]}"
            response = await client.post(f"{base}/api/v1/signals", json=submission(number, run), headers=creditor)
            http_ok += response.status_code == 202

        async def over_kafka(number: int) -> None:
            nonlocal kafka_ok
            event = CloudEvent(
                id=str(uuid.uuid4()),
                source="/partners/bench",
                type="nl.redzaam.signal.submitted",
                subject=f"{run}-{number}",
                time=datetime.now(UTC),
                data=submission(number, run),
            )
            await producer.send_and_wait(topic, encode(event), key=str(number).encode())
            kafka_ok += 1

        samples: list[tuple[float, int]] = []  # (when, signals counted), read all along
        total = int(rate * seconds)

        async def poll() -> None:
            while not samples or samples[-1][1] < total:
                samples.append((time.perf_counter(), await counted(client, reporting, reader)))
                await asyncio.sleep(0.5)

        poller = asyncio.create_task(poll())
        counted_all = asyncio.Event()
        groups = [f"{running.namespace}.signals", f"{running.namespace}.reporting"]
        lags = asyncio.create_task(lag_per_replica(running.bootstrap, groups, counted_all))
        begin = time.perf_counter()
        for number in range(total):
            await asyncio.sleep(max(0.0, begin + number / rate - time.perf_counter()))
            sent_at.append(time.perf_counter())
            tasks.append(asyncio.create_task(over_http(number) if number % 2 else over_kafka(number)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - begin
        await producer.stop()
        drained_at = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(poller, 600)
        counted_all.set()
        lag = await lags
        # the n-th signal sent counts as visible once n signals are counted (a close estimate: counting is in order
        # per household, and every signal here is another household)
        latencies = []
        for index, sent in enumerate(sent_at):
            seen = next((when for when, count in samples if count > index and when >= sent), None)
            if seen is not None:
                latencies.append(seen - sent)
        await asyncio.sleep(3)
        final = await counted(client, reporting, reader)
    drained = time.perf_counter() - drained_at
    return Result(http_ok / elapsed, kafka_ok / elapsed, latencies, final, total, drained, lag)


def report(title: str, result: Result, peaks: dict[str, float]) -> None:
    ordered = sorted(result.latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("nan")
    print(f"\n{title}")
    print(f"  intake accepted: {result.http_per_second:.1f}/s over HTTP, {result.kafka_per_second:.1f}/s over Kafka")
    print(
        f"  intake to counter: median {statistics.median(result.latencies):.2f} s, p99 {p99:.2f} s"
        if result.latencies
        else "  intake to counter: nothing counted"
    )
    exact = "exact" if result.counted == result.sent else "NOT EXACT"
    print(f"  counted {result.counted} of {result.sent} signals ({exact}); drained in {result.seconds_to_drain:.0f} s")
    print("  peak memory: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in sorted(peaks.items())))
    lags = ", ".join(f"{group.split('.')[-1]} {lag}" for group, lag in result.lag.items())
    print(f"  largest consumer lag per replica (records): {lags}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=8, help="signals per second, half HTTP, half Kafka")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--smoke", action="store_true", help="a small run that checks its counts (make test)")
    parser.add_argument("--cluster", action="store_true", help="on the local three-node Kafka cluster")
    args = parser.parse_args()
    bootstrap, cluster_settings = (CLUSTER, CLUSTER_ENVIRONMENT) if args.cluster else (KAFKA, {})
    if args.smoke:
        args.rate, args.seconds = 10, 3
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}; "
        + ("a three-node Kafka cluster (RF 3, min.insync.replicas 2)" if args.cluster else "Kafka")
        + ", mongo-java-server (H2) and the services on this one machine"
    )

    for replicas in (1,) if args.smoke else (1, 2):
        running = Running(f"load{uuid.uuid4().hex[:6]}", bootstrap=bootstrap, settings=cluster_settings)
        try:
            for service, port in PORTS.items():
                running.start(service, service, port)
            await running.wait_ready(PORTS)
            signals_ports = [PORTS["signals"]]
            if replicas == 2:
                for service, port in REPLICA_PORTS.items():
                    running.start(f"{service}-2", service, port)
                await running.wait_ready(REPLICA_PORTS)
                signals_ports.append(REPLICA_PORTS["signals"])
            result = await push(
                running, args.rate, args.seconds, signals_ports, f"http://127.0.0.1:{PORTS['reporting']}"
            )
            report(
                f"{replicas} replica(s) of signals and reporting, {args.rate:.0f} signals/s for {args.seconds:.0f} s",
                result,
                running.peak_memory_mb(),
            )
            assert result.counted == result.sent, f"counted {result.counted} of {result.sent} signals"
            if replicas == 1:
                settings = ReportingSettings(
                    kafka_bootstrap=bootstrap,
                    mongo_uri=MONGO,
                    mongo_database=f"{running.namespace}_reporting",
                    topic_prefix=running.namespace,
                )
                mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO)
                rebuilt = await rebuild(settings, mongo[f"{running.namespace}_reporting"])
                await mongo.close()
                print(
                    f"  rebuild: {rebuilt.events} events in {rebuilt.seconds:.1f} s "
                    f"({rebuilt.events / rebuilt.seconds:.0f} events/s, including 2 s of reading on after the switch)"
                )
        finally:
            running.stop()
            cleanup = AsyncMongoClient(MONGO)
            for service in PORTS:
                await cleanup.drop_database(f"{running.namespace}_{service}")
            await cleanup.close()


if __name__ == "__main__":
    infra_up = ["up", "--cluster"] if "--cluster" in sys.argv else ["up"]
    subprocess.run(["bash", str(REPO / "deploy/local/infra.sh"), *infra_up], check=True)
    asyncio.run(main())
