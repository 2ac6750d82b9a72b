"""Benchmark of the reporting projection, on the local Kafka and MongoDB server (deploy/local/infra.sh up).

1. Publishes N `signal.raised` events to a fresh topic.
2. Reads them all with a bare aiokafka consumer that does nothing (the raw speed).
3. Rebuilds the counters from them (services.reporting.rebuild) and reports events/s and the ratio to 2.
4. Starts the reporting service on a fresh topic and measures event-published-to-counted latency at a paced rate
   (median, p99).

    .venv/bin/python benchmarks/reporting_rebuild.py [--events 1000000] [--paced-rate 100 --paced-seconds 10]
    .venv/bin/python benchmarks/reporting_rebuild.py --smoke   # a small run that checks the counts, for make test
"""

import argparse
import asyncio
import functools
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
from plumbing.kafka import ensure_topics
from services.reporting.projection import Projection, projection_named
from services.reporting.readings import counters
from services.reporting.rebuild import rebuild
from services.reporting.settings import ReportingSettings

print = functools.partial(print, flush=True)  # progress shows while it runs
REPO = Path(__file__).resolve().parents[1]
PORT = 18104
MUNICIPALITIES = ["GM0141", "GM0150", "GM0163", "GM0175", "GM0177", "GM0193", "GM1742"]


def raised(number: int) -> bytes:
    household = f"hh-{number % 50_000:012x}"
    return encode(
        CloudEvent(
            id=str(uuid.uuid4()),
            source="/bench",
            type="nl.redzaam.signal.raised",
            subject=household,
            time=datetime.now(UTC),
            data={
                "household_ref": household,
                "municipality": MUNICIPALITIES[number % 7],
                "creditor_type": ("rent", "energy", "water")[number % 3],
            },
        )
    )


async def publish(bootstrap: str, topic: str, count: int) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=20, max_batch_size=256 * 1024
    )
    await producer.start()
    try:
        for number in range(count):
            await producer.send(topic, raised(number), key=str(number % 50_000).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def raw_read(bootstrap: str, topic: str, count: int) -> float:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    started, seen = time.perf_counter(), 0
    try:
        while seen < count:
            seen += sum(len(records) for records in (await consumer.getmany(timeout_ms=200, max_records=2000)).values())
    finally:
        await consumer.stop()
    return count / (time.perf_counter() - started)


def start_service(bootstrap: str, namespace: str, mongo: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REDZAAM_KAFKA_BOOTSTRAP": bootstrap,
        "REDZAAM_MONGO_URI": mongo,
        "REDZAAM_MONGO_DATABASE": f"{namespace}_live",
        "REDZAAM_TOPIC_PREFIX": namespace,
        "REDZAAM_LOG_LEVEL": "WARNING",
        "REDZAAM_CONSUMER_GROUP_SUFFIX": ".bench",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "services.reporting.app:create_app",
        "--port",
        str(PORT),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=REPO, env=env)


async def paced_latency(bootstrap: str, namespace: str, mongo: str, rate: float, seconds: float) -> list[float]:
    await ensure_topics(bootstrap, [f"{namespace}.{name}.events" for name in ("signals", "referrals", "volunteers")])
    service = start_service(bootstrap, namespace, mongo)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}") as client:
            while True:
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            base = await consumed(client)
            sent: list[float] = []
            total = int(rate * seconds)
            topic = f"{namespace}.signals.events"
            latencies: list[float] = []
            begin = time.perf_counter()
            for number in range(total):
                await asyncio.sleep(max(0.0, begin + number / rate - time.perf_counter()))
                await producer.send_and_wait(topic, raised(number), key=b"paced")
                sent.append(time.perf_counter())
                counted = await consumed(client) - base
                while len(latencies) < min(counted, len(sent)):
                    latencies.append(time.perf_counter() - sent[len(latencies)])
            while len(latencies) < total:
                counted = await consumed(client) - base
                while len(latencies) < min(counted, total):
                    latencies.append(time.perf_counter() - sent[len(latencies)])
                await asyncio.sleep(0.005)
            return latencies
    finally:
        await producer.stop()
        service.terminate()
        service.wait(timeout=30)


async def check_exact(projection: Projection, events: int, published: int) -> None:
    """The rebuilt counters against the published events, counted here from how `raised` makes them."""
    assert events == published, f"rebuilt {events} of {published} events"
    totals: dict[str, int] = {}
    households: dict[str, set[int]] = {}
    for number in range(published):
        municipality = MUNICIPALITIES[number % 7]
        totals[municipality] = totals.get(municipality, 0) + 1
        households.setdefault(municipality, set()).add(number % 50_000)
    seen: dict[str, list[int]] = {}
    for row in await counters(projection):
        total_and_distinct = seen.setdefault(row.municipality, [0, 0])
        total_and_distinct[0] += row.total
        total_and_distinct[1] += row.distinct  # one month, so distinct per municipality adds up
    wanted = {municipality: [totals[municipality], len(households[municipality])] for municipality in totals}
    assert seen == wanted, f"counted {seen}, published {wanted}"


async def drop_projection(db: Any, name: str) -> None:
    projection = projection_named(db, name)
    for collection in (projection.counters, projection.seen, projection.progress):
        await collection.drop()


async def consumed(client: httpx.AsyncClient) -> int:
    return int(await metric(client, "redzaam_events_consumed_total", "nl.redzaam.signal.raised"))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="rebuilds of the same log; the median is reported")
    parser.add_argument("--paced-rate", type=float, default=100)
    parser.add_argument("--paced-seconds", type=float, default=10)
    parser.add_argument("--kafka", default="127.0.0.1:9092")
    parser.add_argument("--mongo", default="mongodb://127.0.0.1:27017/")
    parser.add_argument("--smoke", action="store_true", help="a small run that checks its counts (make test)")
    args = parser.parse_args()
    if args.smoke:
        args.events, args.paced_rate, args.paced_seconds, args.runs = 2_000, 20, 2, 1
    namespace = f"rbench{uuid.uuid4().hex[:6]}"
    topic = f"{namespace}.signals.events"
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}; Kafka and mongo-java-server (H2) on the same machine"
    )
    started = time.perf_counter()
    await publish(args.kafka, topic, args.events)
    print(f"published {args.events} events in {time.perf_counter() - started:.1f} s")
    settings = ReportingSettings(
        kafka_bootstrap=args.kafka, mongo_uri=args.mongo, mongo_database=namespace, topic_prefix=namespace
    )
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(args.mongo)
    try:
        raws, speeds = [], []
        for run in range(args.runs):
            raws.append(await raw_read(args.kafka, topic, args.events))
            rebuilt = await rebuild(settings, client[namespace])
            await check_exact(projection_named(client[namespace], rebuilt.collection), rebuilt.events, args.events)
            speeds.append(rebuilt.events / rebuilt.seconds)
            print(
                f"run {run + 1}: raw read {raws[-1]:.0f} events/s; rebuild {speeds[-1]:.0f} events/s "
                f"({rebuilt.seconds:.1f} s), counts exact"
            )
            await drop_projection(client[namespace], rebuilt.collection)
        raw, speed = statistics.median(raws), statistics.median(speeds)
        print(f"raw read with aiokafka:  {raw:10.0f} events/s (median of {args.runs})")
        print(
            f"rebuild:                 {speed:10.0f} events/s (median of {args.runs}; {args.events} events in "
            f"{args.events / speed:.1f} s); ratio to raw read {speed / raw:.3f}"
        )
        # a namespace of its own, so that the live service does not first count the events of the rebuild
        latencies = await paced_latency(args.kafka, f"{namespace}l", args.mongo, args.paced_rate, args.paced_seconds)
        ordered = sorted(latencies)
        print(
            f"published to counted at {args.paced_rate:.0f}/s: median {statistics.median(latencies) * 1000:.1f} ms, "
            f"p99 {ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000:.1f} ms ({len(latencies)} events)"
        )
    finally:
        await client.drop_database(namespace)
        await client.drop_database(f"{namespace}l_live")
        await client.close()


if __name__ == "__main__":
    asyncio.run(main())
