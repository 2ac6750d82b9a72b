"""Benchmark of the signals intake, on this machine's local Kafka and MongoDB server (deploy/local/infra.sh up).

Starts the signals service pinned to one core and reports:
  1. sustained intake over HTTP batches (signals/second),
  2. sustained intake over the Kafka intake topic (signals/second),
  3. intake-to-queue latency at a paced rate (median, p99): over HTTP the case must be readable from the queue
     API once the request returns; over Kafka from publish until the case holds the signal.

Each figure is the median of `--runs` runs, beside a raw baseline measured in the same run: the same number of
signal documents written straight to MongoDB with `insert_many` in batches of 1,000 (what any intake that stores
its signals costs at least).

    .venv/bin/python benchmarks/signals_intake.py [--signals 20000] [--runs 3] [--paced-rate 200]
    .venv/bin/python benchmarks/signals_intake.py --smoke   # a small run that checks the counts, for make test
"""

import argparse
import asyncio
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient
from service_metrics import metric

from plumbing.events import CloudEvent, encode

print = functools.partial(print, flush=True)  # progress shows while it runs
REPO = Path(__file__).resolve().parents[1]
PORT = 18101
ADMIN_PASSWORD = "bench-admin-password-0123456789"
WORKER: dict[str, str] = {}  # an outreach worker's token, to read the cases back


def signal(number: int, run: str) -> dict[str, object]:
    # every signal a household of its own, spread over postcodes: the worst case for bundling
    return {
        "creditor_type": "rent",
        "municipality": "GM0141",
        "person": {"name": f"Bench {number}"},
        "address": {"postcode": f"{7600 + number % 100} AB", "house_number": 1 + number // 100, "addition": run[:4]},
        "arrears_cents": 20_000 + number % 5_000,
        "arrears_since": "2026-09-01",
        "contract_reference": f"B-{run}-{number}",
    }


def start_service(namespace: str, kafka: str, mongo: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REDZAAM_DEV_MODE": "true",
        "REDZAAM_KAFKA_BOOTSTRAP": kafka,
        "REDZAAM_MONGO_URI": mongo,
        "REDZAAM_MONGO_DATABASE": namespace,
        "REDZAAM_TOPIC_PREFIX": namespace,
        "REDZAAM_PSEUDONYM_KEY": "bench-pseudonym-key-0123456789",
        "REDZAAM_DATA_KEY": "bench-data-key-0123456789",
        "REDZAAM_LOG_LEVEL": "WARNING",
        "REDZAAM_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "REDZAAM_REQUIRE_ADMIN_TOTP": "false",
        # one partner sends the whole paced load one signal per request: above the default budget of 600 a minute
        "REDZAAM_PARTNER_REQUESTS_PER_MINUTE": "1000000",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "services.signals.app:create_app",
        "--port",
        str(PORT),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(["taskset", "-c", "0", *command], cwd=REPO, env=env)


async def sign_in_as_partner(client: httpx.AsyncClient) -> None:
    """Registers the benchmark's creditor as a member, as an administrator would, and uses its token from then on."""
    form = {"grant_type": "password", "username": "beheerder", "password": ADMIN_PASSWORD}
    admin = {"Authorization": f"Bearer {(await client.post('/api/v1/oauth/token', data=form)).json()['access_token']}"}
    member = {"id": "bench", "name": "Benchmark", "type": "housing", "municipalities": ["GM0141"]}
    registered = await client.post("/api/v1/partners", json=member, headers=admin)
    registered.raise_for_status()
    form = {
        "grant_type": "client_credentials",
        "client_id": "bench",
        "client_secret": registered.json()["client_secret"],
    }
    token = (await client.post("/api/v1/oauth/token", data=form)).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    worker = {"username": "bench-worker", "name": "Benchmark", "role": "outreach_worker", "municipalities": ["GM0141"]}
    created = await client.post("/api/v1/accounts", json={**worker, "password": ADMIN_PASSWORD}, headers=admin)
    created.raise_for_status()
    form = {"grant_type": "password", "username": "bench-worker", "password": ADMIN_PASSWORD}
    WORKER["Authorization"] = f"Bearer {(await client.post('/api/v1/oauth/token', data=form)).json()['access_token']}"


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(200):
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("signals service did not become ready")


async def http_batches(client: httpx.AsyncClient, total: int, run: str) -> float:
    started = time.perf_counter()
    accepted = 0
    for offset in range(0, total, 1000):
        batch = [signal(n, run) for n in range(offset, min(offset + 1000, total))]
        result = (await client.post("/api/v1/signals/batch", json={"signals": batch}, timeout=300)).json()
        accepted += len(result["accepted"])
    elapsed = time.perf_counter() - started
    assert accepted == total, f"only {accepted} of {total} accepted"
    return total / elapsed


def submitted(number: int, run: str) -> CloudEvent:
    return CloudEvent(
        id=f"{run}-{number}",
        source="/partners/bench",
        type="nl.redzaam.signal.submitted",
        subject=f"{run}-{number}",
        time=datetime.now(UTC),
        data=signal(number, run),
    )


async def consumed_intake(client: httpx.AsyncClient) -> float:
    return await metric(client, "redzaam_events_consumed_total", "nl.redzaam.signal.submitted")


async def drain(client: httpx.AsyncClient, raised: int) -> None:
    """Waits until the outbox relay has published `raised` signal.raised events, so phases do not overlap."""
    while await metric(client, "redzaam_events_produced_total", "nl.redzaam.signal.raised") < raised:  # noqa: ASYNC110
        await asyncio.sleep(0.2)


async def kafka_intake(
    client: httpx.AsyncClient, producer: AIOKafkaProducer, topic: str, total: int, run: str
) -> float:
    before = await consumed_intake(client)
    started = time.perf_counter()
    for number in range(total):
        await producer.send(topic, encode(submitted(number, run)), key=f"{run}-{number}".encode())
    await producer.flush()
    while await consumed_intake(client) < before + total:  # noqa: ASYNC110 (polling another process)
        await asyncio.sleep(0.1)
    return total / (time.perf_counter() - started)


async def paced_http(client: httpx.AsyncClient, rate: float, seconds: float, run: str) -> list[float]:
    """From sending a signal until its case is readable through the queue API."""
    latencies: list[float] = []

    async def one(number: int) -> None:
        started = time.perf_counter()
        response = await client.post("/api/v1/signals", json=signal(number, run))
        assert response.status_code == 202, response.text
        case = await client.get(f"/api/v1/cases/{response.json()['case_id']}", headers=WORKER)
        assert case.status_code == 200
        latencies.append(time.perf_counter() - started)

    tasks = []
    begin = time.perf_counter()
    for number in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, begin + number / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(number)))
    await asyncio.gather(*tasks)
    return latencies


async def paced_kafka(
    producer: AIOKafkaProducer, kafka: str, namespace: str, rate: float, seconds: float, run: str
) -> list[float]:
    """From publishing a signal to its `signal.raised` event, which the service publishes after storing the case."""
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    total = int(rate * seconds)
    watcher = AIOKafkaConsumer(f"{namespace}.signals.events", bootstrap_servers=kafka, auto_offset_reset="latest")
    await watcher.start()
    await asyncio.sleep(1)  # let the watcher get its partitions before the first signal

    async def watch() -> None:
        while len(seen) < total:
            for records in (await watcher.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for record in records:
                    signal_id = json.loads(record.value)["data"].get("signal_id", "")
                    if signal_id in sent:
                        seen.setdefault(signal_id, now)

    watching = asyncio.create_task(watch())
    begin = time.perf_counter()
    for number in range(total):
        await asyncio.sleep(max(0.0, begin + number / rate - time.perf_counter()))
        await producer.send(topic_of(namespace), encode(submitted(number, run)), key=f"{run}-{number}".encode())
        sent[f"bench:kafka-{run}-{number}"] = time.perf_counter()
    await asyncio.wait_for(watching, timeout=120)
    await watcher.stop()
    return [seen[key] - sent[key] for key in sent]


def topic_of(namespace: str) -> str:
    return f"{namespace}.signals.intake"


def report(what: str, rate: float, latencies: list[float]) -> None:
    median, p99 = statistics.median(latencies) * 1000, percentile(latencies, 0.99) * 1000
    print(f"{what} at {rate:.0f}/s: median {median:.1f} ms, p99 {p99:.1f} ms ({len(latencies)} signals)")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def raw_baseline(mongo: AsyncMongoClient[Any], namespace: str, total: int, run: str) -> float:
    """The same number of signal-sized documents written straight to MongoDB in batches of 1,000."""
    collection = mongo[namespace]["raw_baseline"]
    started = time.perf_counter()
    for offset in range(0, total, 1000):
        await collection.insert_many(
            [{"_id": f"{run}-{n}", **signal(n, run)} for n in range(offset, min(offset + 1000, total))]
        )
    return total / (time.perf_counter() - started)


async def check_exact(mongo: AsyncMongoClient[Any], namespace: str, expected_cases: int) -> None:
    """Every signal in its own case, each case announced once: the benchmark measured real work."""
    db = mongo[namespace]
    cases = await db.cases.count_documents({})
    signals = await db.signals.count_documents({"case_id": {"$ne": None}})
    assert cases == expected_cases, f"{cases} cases, expected {expected_cases}"
    assert signals == expected_cases, f"{signals} recorded signals, expected {expected_cases}"


def machine() -> str:
    return (
        f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
        f", {datetime.now(UTC):%Y-%m-%d}; service on core 0; mongo-java-server (H2) and Kafka on the same machine"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signals", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--paced-rate", type=float, default=200)
    parser.add_argument("--paced-seconds", type=float, default=10)
    parser.add_argument("--kafka", default="127.0.0.1:9092")
    parser.add_argument("--mongo", default="mongodb://127.0.0.1:27017/")
    parser.add_argument("--smoke", action="store_true", help="a small run that checks its counts (make test)")
    args = parser.parse_args()
    if args.smoke:
        args.signals, args.runs, args.paced_rate, args.paced_seconds = 300, 1, 20, 2
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    service = start_service(namespace, args.kafka, args.mongo)
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(args.mongo)
    producer = AIOKafkaProducer(bootstrap_servers=args.kafka, acks="all", enable_idempotence=True, linger_ms=5)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{PORT}", timeout=30, limits=httpx.Limits(max_connections=64)
        ) as client:
            await wait_ready(client)
            await sign_in_as_partner(client)
            await producer.start()
            topic = topic_of(namespace)
            print(machine())
            raw, http, kafka = [], [], []
            stored = 0
            for number in range(args.runs):
                raw.append(await raw_baseline(mongo, namespace, args.signals, f"r{number}"))
                http.append(await http_batches(client, args.signals, f"h{number}"))
                kafka.append(await kafka_intake(client, producer, topic, args.signals, f"k{number}"))
                stored += 2 * args.signals
                await drain(client, stored)
                print(f"run {number + 1}: raw {raw[-1]:.0f}/s, HTTP {http[-1]:.0f}/s, Kafka {kafka[-1]:.0f}/s")
            baseline = statistics.median(raw)
            print(f"raw insert_many:    {baseline:8.0f} documents/s (median of {args.runs})")
            for name, rates in (("HTTP batch intake", http), ("Kafka intake", kafka)):
                rate = statistics.median(rates)
                print(
                    f"{name + ':':20}{rate:8.0f} signals/s (median of {args.runs}; ratio to raw {rate / baseline:.2f})"
                )
            http_latency = await paced_http(client, args.paced_rate, args.paced_seconds, "p")
            report("HTTP intake to queue", args.paced_rate, http_latency)
            stored += len(http_latency)
            await drain(client, stored)
            kafka_latency = await paced_kafka(producer, args.kafka, namespace, args.paced_rate, args.paced_seconds, "q")
            report("Kafka intake to case", args.paced_rate, kafka_latency)
            stored += len(kafka_latency)
            await check_exact(mongo, namespace, stored)
            print(f"checked: {stored} signals, each in its own case")
    finally:
        await producer.stop()
        service.terminate()
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
        await mongo.drop_database(namespace)
        await mongo.close()


if __name__ == "__main__":
    asyncio.run(main())
