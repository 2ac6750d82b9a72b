"""Waits until the local Kafka and MongoDB-compatible servers really work, not merely listen.

Kafka is ready when a record produced with acks=all is consumed back; MongoDB when a ping, a write and a
read succeed. Exits 0 when both are ready, 1 when the timeout passes first.
"""

import argparse
import asyncio
import logging
import sys
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

READINESS_TOPIC = "redzaam.readiness"


async def kafka_round_trip(bootstrap: str) -> None:
    marker = uuid.uuid4().hex.encode()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        await producer.start()
        metadata = await producer.send_and_wait(READINESS_TOPIC, marker)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        await consumer.start()
        partition = TopicPartition(READINESS_TOPIC, metadata.partition)
        consumer.assign([partition])
        consumer.seek(partition, metadata.offset)
        batch = await consumer.getmany(partition, timeout_ms=5000)
        values = [record.value for record in batch.get(partition, [])]
        if marker not in values:
            raise RuntimeError("produced record was not consumed back")
    finally:
        await consumer.stop()


async def mongo_round_trip(uri: str) -> None:
    client: AsyncMongoClient = AsyncMongoClient(uri, serverSelectionTimeoutMS=2000)
    try:
        await client.admin.command("ping")
        collection = client["redzaam_readiness"]["probe"]
        marker = uuid.uuid4().hex
        await collection.insert_one({"_id": marker})
        if await collection.find_one({"_id": marker}) is None:
            raise RuntimeError("written document was not read back")
        await collection.delete_one({"_id": marker})
    finally:
        await client.close()


async def wait_for(name: str, check, deadline: float) -> bool:
    last_error = ""
    while time.monotonic() < deadline:
        try:
            await asyncio.wait_for(check(), timeout=max(1.0, deadline - time.monotonic()))
            print(f"[infra] {name} ready", file=sys.stderr)
            return True
        except (TimeoutError, KafkaError, PyMongoError, OSError, RuntimeError) as error:
            last_error = f"{type(error).__name__}: {error}"
            await asyncio.sleep(1)
    print(f"[infra] {name} not ready: {last_error}", file=sys.stderr)
    return False


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kafka", required=True)
    parser.add_argument("--mongo", required=True)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    # aiokafka logs every refused connection while the broker boots; the last error is reported instead.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    deadline = time.monotonic() + args.timeout
    kafka_ok, mongo_ok = await asyncio.gather(
        wait_for("kafka", lambda: kafka_round_trip(args.kafka), deadline),
        wait_for("mongodb", lambda: mongo_round_trip(args.mongo), deadline),
    )
    return 0 if kafka_ok and mongo_ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
