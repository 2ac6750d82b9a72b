"""The running parts of one service: database, publisher, consumers and outbox relay, opened and closed together.

Each service builds one Runtime in its FastAPI lifespan (its composition root); nothing connects at import time.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Request
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from plumbing import mongo
from plumbing.access import Principal
from plumbing.kafka import BatchHandler, EventConsumer, EventPublisher, Handler, ensure_topics
from plumbing.metrics import Metrics
from plumbing.outbox import OutboxRelay
from plumbing.revocations import REVOCATIONS_TOPIC, RevocationList, RevocationReader
from plumbing.settings import PlatformSettings
from plumbing.unit_of_work import SYSTEM, Actor, UnitOfWork

logger = logging.getLogger(__name__)

READINESS_TIMEOUT_SECONDS = 3.0
CLOSE_STEP_TIMEOUT_SECONDS = 25.0


class BackgroundJob(Protocol):
    def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Runtime:
    settings: PlatformSettings
    metrics: Metrics = field(default_factory=Metrics)
    client: AsyncMongoClient[Any] = field(init=False)
    db: AsyncDatabase[Any] = field(init=False)
    publisher: EventPublisher = field(init=False)
    consumers: list[EventConsumer] = field(default_factory=list)
    relay: OutboxRelay | None = None
    jobs: list[BackgroundJob] = field(default_factory=list)
    # what this process knows to be revoked early; every process reads it, so it is not a consumer group's job
    revocations: RevocationList = field(default_factory=RevocationList)
    revocation_reader: RevocationReader = field(init=False)

    async def open(self, publishes: list[str] | None = None) -> None:
        """Connects, and creates the topics this service publishes to (and the dead-letter topic)."""
        revocations_topic = self.settings.topic(REVOCATIONS_TOPIC)
        await self.ensure_topics([self.settings.dead_letter_topic, revocations_topic, *(publishes or [])])
        self.revocation_reader = RevocationReader(self.settings.kafka_bootstrap, revocations_topic, self.revocations)
        self.client = await mongo.connect(self.settings)
        self.db = mongo.database(self.client, self.settings)
        self.publisher = EventPublisher(self.settings.kafka_bootstrap, self.metrics)
        await self.publisher.start()

    async def ensure_topics(self, names: list[str]) -> None:
        """Creates the topics that do not exist yet, replicated as the settings say."""
        await ensure_topics(
            self.settings.kafka_bootstrap,
            names,
            replication_factor=self.settings.topic_replication_factor,
            min_insync_replicas=self.settings.topic_min_insync_replicas,
        )

    def subscribe(
        self,
        topics: list[str],
        handlers: Mapping[str, Handler] | None = None,
        pattern: str | None = None,
        batch_handlers: Mapping[str, BatchHandler] | None = None,
    ) -> None:
        """Registers this service's one consumer group, for `topics` or the topics matching `pattern`, with a
        handler per event type or a batch handler per event type; started by `start()`."""
        self.consumers.append(
            EventConsumer(
                bootstrap=self.settings.kafka_bootstrap,
                group_id=self.settings.consumer_group,
                topics=topics,
                handlers=handlers or {},
                batch_handlers=batch_handlers,
                pattern=pattern,
                publisher=self.publisher,
                dead_letter_topic=self.settings.dead_letter_topic,
                metrics=self.metrics,
                max_attempts=self.settings.consumer_max_attempts,
                backoff_seconds=self.settings.consumer_retry_backoff_seconds,
            )
        )

    def relay_outboxes(self, collections: list[AsyncCollection[Any]]) -> OutboxRelay:
        self.relay = OutboxRelay(collections, self.publisher, self.metrics, self.settings.outbox_scan_seconds)
        return self.relay

    async def start(self) -> None:
        # Topics consumed before any producer has written to them are created here, with their partitions, rather
        # than by the broker on first sight: a topic appearing under a running group makes it rebalance.
        await self.ensure_topics([topic for c in self.consumers for topic in c.topics])
        await self.revocation_reader.start()
        for consumer in self.consumers:
            await consumer.start()
        if self.relay is not None:
            self.relay.start()
        for job in self.jobs:
            job.start()

    async def close(self) -> None:
        """Stops everything in order; a step that hangs (a server gone away) is given up after a while, so that
        the process always ends: whatever was not committed or published is picked up again after a restart."""
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [("job", job.stop) for job in self.jobs]
        steps += [("consumer", consumer.stop) for consumer in self.consumers]
        steps.append(("revocation reader", self.revocation_reader.stop))
        if self.relay is not None:
            steps.append(("outbox relay", self.relay.stop))
        steps += [("producer", self.publisher.stop), ("mongodb client", self.client.close)]
        for name, step in steps:
            try:
                await asyncio.wait_for(step(), CLOSE_STEP_TIMEOUT_SECONDS)
            except TimeoutError:
                logger.warning("shutdown step timed out", extra={"step": name})

    def unit_of_work(self, request: Request | None = None, principal: Principal | None = None) -> UnitOfWork:
        """A use case's unit of work, acting for `principal` (or for the system, from a consumer or a job)."""
        return UnitOfWork(self.db, self.relay, Actor.of(request, principal) if request or principal else SYSTEM)

    async def readiness(self) -> dict[str, str]:
        """Checks MongoDB and Kafka for real; each entry is 'ok' or the error."""
        checks = {"mongodb": mongo.ping(self.client), "kafka": self.publisher.ping()}
        report: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check, READINESS_TIMEOUT_SECONDS)
                report[name] = "ok"
            except Exception as error:
                report[name] = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        for consumer in self.consumers:
            report["consumer"] = "ok" if consumer.running else "stopped"
        return report
