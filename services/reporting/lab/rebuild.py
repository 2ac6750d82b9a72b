"""Rebuilds the Schuldenlab's portfolio and price list from its own topic.

    python -m services.reporting.lab.rebuild

Every event on the lab topic carries the whole project (or the whole price list) after the change, and is keyed by
the project, so all of one project's events are on one partition in the order they happened: the last one read is
its state. The rebuild reads the topic from its first offsets to its end, without a consumer group, and writes each
project as it was last announced, in one bulk write. What was written but not yet published (an outbox entry still
pending) is not on the topic yet; such a project keeps its stored state.
"""

import asyncio
import sys
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer
from pymongo import ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase

from plumbing import mongo
from plumbing.events import InvalidEvent, decode
from services.reporting.events import EVENTS_TOPIC, PRICES_SET, PricesSet
from services.reporting.lab.portfolio import Project
from services.reporting.lab.store import PRICE_LIST
from services.reporting.settings import ReportingSettings


@dataclass(frozen=True)
class Rebuilt:
    projects: int
    events: int
    skipped: int


async def read_topic(bootstrap: str, topic: str) -> list[Any]:
    """Every record on the topic up to its end offsets as they are once its partitions are assigned."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[Any] = []
    try:
        for _ in range(100):
            if consumer.assignment():
                break
            records.extend(record for batch in (await consumer.getmany(timeout_ms=200)).values() for record in batch)
        ends = await consumer.end_offsets(list(consumer.assignment()))
        for partition, end in ends.items():
            while await consumer.position(partition) < end:
                fetched = await consumer.getmany(partition, timeout_ms=500)
                records.extend(record for batch in fetched.values() for record in batch)
    finally:
        await consumer.stop()
    return records


async def rebuild_lab(settings: ReportingSettings, db: AsyncDatabase[Any]) -> Rebuilt:
    projects: dict[str, dict[str, Any]] = {}
    prices: list[dict[str, Any]] | None = None
    events = skipped = 0
    for record in sorted(await read_topic(settings.kafka_bootstrap, settings.topic(EVENTS_TOPIC)), key=_in_order):
        try:
            event = decode(record.value)
        except InvalidEvent:
            skipped += 1
            continue
        events += 1
        if event.type == PRICES_SET:
            prices = [price.model_dump(mode="json") for price in event.data_as(PricesSet).prices]
        elif isinstance(event.data, dict) and "project" in event.data:
            project = Project.model_validate(event.data["project"]).model_dump(mode="json")
            projects[project.pop("id")] = project
    writes = [
        ReplaceOne({"_id": project_id, "outbox_pending": {"$ne": True}}, {**fields, "version": 1}, upsert=False)
        for project_id, fields in projects.items()
    ]
    missing = set(projects) - {doc["_id"] async for doc in db.lab_projects.find({"_id": {"$in": list(projects)}})}
    for project_id in missing:  # lost from the database: inserted again from the topic
        writes.append(ReplaceOne({"_id": project_id}, {**projects[project_id], "version": 1}, upsert=True))
    if writes:
        await db.lab_projects.bulk_write(writes, ordered=False)
    if prices is not None:
        await db.lab_prices.replace_one({"_id": PRICE_LIST}, {"prices": prices, "version": 1}, upsert=True)
    return Rebuilt(len(projects), events, skipped)


def _in_order(record: Any) -> tuple[int, int]:
    return (record.partition, record.offset)


async def main() -> int:
    settings = ReportingSettings()
    client = await mongo.connect(settings)
    try:
        rebuilt = await rebuild_lab(settings, mongo.database(client, settings))
    finally:
        await client.close()
    print(f"rebuilt {rebuilt.projects} projects from {rebuilt.events} events; {rebuilt.skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
