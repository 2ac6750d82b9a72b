"""Kafka producer and consumer loop with at-least-once delivery, bounded retries and a dead-letter topic.

The consumer commits a partition's offset only after every record before it has been handled (its effect
stored) or dead-lettered. Handlers must therefore be idempotent: a redelivered event changes nothing.

A handler takes one event; a batch handler takes the events of a whole poll, across partitions (from each partition
the leading records of the types it handles), and stores their effects with a few bulk operations, returning the
events it rejects for good (by index, with the reason) for the dead-letter topic. When a batch fails otherwise, its
records are handled one at a time, each with its own retries, so that one bad event never holds up or loses others.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    NotLeaderForPartitionError,
    TopicAlreadyExistsError,
)
from pymongo.errors import ConnectionFailure as PyMongoConnectionFailure

from plumbing.events import CloudEvent, InvalidEvent, decode, encode
from plumbing.metrics import Metrics

logger = logging.getLogger(__name__)

Handler = Callable[[CloudEvent], Awaitable[None]]


class PermanentError(Exception):
    """A handler's way to say that this event can never be handled, so retrying is pointless."""


@dataclass(frozen=True)
class Origin:
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Delivered:
    """An event as a batch handler gets it: with where it came from."""

    event: CloudEvent
    origin: Origin


BatchHandler = Callable[[list[Delivered]], Awaitable[Mapping[int, str]]]
EVERY_TYPE = "*"  # a batch handler under this key gets the events of every type that has no handler of its own


@dataclass(frozen=True)
class Retry:
    delay_seconds: float


@dataclass(frozen=True)
class DeadLetter:
    reason: str


MAX_OUTAGE_BACKOFF_SECONDS = 5.0
COMMIT_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
TOPIC_CHECK_SECONDS = 60.0  # how long a starting service tries to check its topics while a broker is away
HANDLER_TIMEOUT_SECONDS = 120.0
OUTAGES = (PyMongoConnectionFailure, KafkaConnectionError, KafkaTimeoutError, NotLeaderForPartitionError, OSError)


def after_failure(error: Exception, attempt: int, max_attempts: int, backoff_seconds: float) -> Retry | DeadLetter:
    """What to do after `attempt` (1-based) failed with `error`. An outage of MongoDB or Kafka is waited out, however
    long it lasts: the event is fine, and dead-lettering it would lose it from the projections."""
    if isinstance(error, InvalidEvent | PermanentError):
        return DeadLetter(f"{type(error).__name__}: {error}")
    if isinstance(error, OUTAGES):
        return Retry(delay_seconds=min(MAX_OUTAGE_BACKOFF_SECONDS, backoff_seconds * 2 ** min(attempt - 1, 10)))
    if attempt >= max_attempts:
        return DeadLetter(f"gave up after {attempt} attempts: {type(error).__name__}: {error}")
    return Retry(delay_seconds=backoff_seconds * 2 ** (attempt - 1))


def dead_letter_headers(origin: Origin, reason: str, consumer_group: str) -> list[tuple[str, bytes]]:
    return [
        ("redzaam_dlq_topic", origin.topic.encode()),
        ("redzaam_dlq_partition", str(origin.partition).encode()),
        ("redzaam_dlq_offset", str(origin.offset).encode()),
        ("redzaam_dlq_error", reason.encode()[:4000]),
        ("redzaam_dlq_consumer_group", consumer_group.encode()),
        ("redzaam_dlq_failed_at", datetime.now(UTC).isoformat().encode()),
    ]


# The CloudEvents Kafka protocol binding, structured content mode: the value is the whole event as JSON and the
# content-type header says so, which is how a partner's CloudEvents SDK tells structured from binary mode (a `ce_`
# header would mean binary mode).
STRUCTURED = [("content-type", b"application/cloudevents+json; charset=utf-8")]


class EventPublisher:
    """Idempotent producer (acks=all); the Kafka key is the event subject so that ordering holds per aggregate."""

    def __init__(self, bootstrap: str, metrics: Metrics) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
        self._metrics = metrics

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, topic: str, event: CloudEvent) -> None:
        await self._producer.send_and_wait(topic, encode(event), key=event.subject.encode(), headers=STRUCTURED)
        self._metrics.produced.labels(topic=topic, type=event.type).inc()

    async def publish_many(self, items: list[tuple[str, CloudEvent]]) -> list[Exception | None]:
        """Sends all events without waiting for each acknowledgement before the next; returns, per event, None when
        the broker acknowledged it (acks=all) or the error. Events of one subject keep their order (one partition,
        idempotent producer)."""
        futures: list[asyncio.Future[Any] | Exception] = []
        for topic, event in items:
            try:
                futures.append(
                    await self._producer.send(topic, encode(event), key=event.subject.encode(), headers=STRUCTURED)
                )
            except Exception as error:
                futures.append(error)
        outcomes: list[Exception | None] = []
        for (topic, event), future in zip(items, futures, strict=True):
            if isinstance(future, Exception):
                outcomes.append(future)
                continue
            try:
                await future
            except Exception as error:
                outcomes.append(error)
                continue
            outcomes.append(None)
            self._metrics.produced.labels(topic=topic, type=event.type).inc()
        return outcomes

    async def publish_raw(
        self, topic: str, value: bytes | None, key: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        await self._producer.send_and_wait(topic, value, key=key, headers=headers)

    async def ping(self) -> None:
        await self._producer.client.fetch_all_metadata()


_origin: ContextVar[Origin | None] = ContextVar("origin", default=None)


def current_origin() -> Origin:
    """Where the event a handler is handling came from (topic, partition, offset)."""
    origin = _origin.get()
    if origin is None:
        raise RuntimeError("not inside an event handler")
    return origin


class EventConsumer:
    """Consumes `topics` as one consumer group and routes each event to the handler for its type.

    Event types without a handler are skipped: consumers read tolerantly. Undecodable records and events whose
    handler keeps failing go to the dead-letter topic with their origin and the error; the loop moves on.
    """

    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        topics: list[str],
        handlers: Mapping[str, Handler],
        batch_handlers: Mapping[str, BatchHandler] | None = None,
        pattern: str | None = None,
        publisher: EventPublisher,
        dead_letter_topic: str,
        metrics: Metrics,
        max_attempts: int = 5,
        backoff_seconds: float = 0.2,
        max_batch: int = 1000,
    ) -> None:
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            metadata_max_age_ms=5000,
        )
        if pattern is not None:  # topics that appear later (one per partner, say) are picked up within seconds
            self._consumer.subscribe(pattern=pattern)
        self.topics = list(topics)
        self._group_id = group_id
        self._handlers = dict(handlers)
        self._batch_handlers = dict(batch_handlers or {})
        self._publisher = publisher
        self._dead_letter_topic = dead_letter_topic
        self._metrics = metrics
        self._max_attempts = max_attempts
        self._backoff_seconds = backoff_seconds
        self._max_batch = max_batch
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def event_types(self) -> frozenset[str]:
        """The event types this consumer hands to a handler (EVERY_TYPE: all of them)."""
        return frozenset(self._handlers) | frozenset(self._batch_handlers)

    async def start(self) -> None:
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer:{self._group_id}")

    async def stop(self) -> None:
        """Finish the record in hand, commit what is stored, leave the group; give up waiting after a while, as
        what was not committed is delivered again anyway."""
        self._stopping.set()
        try:
            if self._task is not None:
                await asyncio.wait_for(self._task, STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("consumer did not finish in time; stopping it", extra={"group": self._group_id})
        finally:
            try:  # leaves the group; commits nothing (auto-commit is off)
                await asyncio.wait_for(self._consumer.stop(), STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                logger.warning("consumer did not leave its group in time", extra={"group": self._group_id})

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=self._max_batch)
            except Exception:
                logger.exception("fetch failed; retrying")
                await asyncio.sleep(1)
                continue
            try:
                handled = await self._handle_leading_runs(batches)
            except Exception:
                logger.exception("batch failed; handling the poll partition by partition")
                handled = {}
            for partition, records in batches.items():
                done = handled.get(partition, 0)
                try:
                    await self._handle_partition(partition, records[done:], records[done - 1].offset if done else None)
                except Exception:
                    logger.exception(
                        "partition batch failed; rewinding to the last commit",
                        extra={"topic": partition.topic, "partition": partition.partition},
                    )
                    await self._rewind(partition)
                if self._stopping.is_set():
                    break

    async def _rewind(self, partition: TopicPartition) -> None:
        """Back to the last commit, so that nothing fetched after it is skipped; waits out a broker outage."""
        while not self._stopping.is_set():
            await asyncio.sleep(1)
            if partition not in self._consumer.assignment():
                return  # handed to another consumer meanwhile; it starts from the last commit
            try:
                await self._consumer.seek_to_committed(partition)
                return
            except Exception:
                logger.warning("cannot rewind yet; retrying", extra={"topic": partition.topic})

    async def _handle_leading_runs(
        self, batches: dict[TopicPartition, list[ConsumerRecord[Any, Any]]]
    ) -> dict[TopicPartition, int]:
        """Hands each partition's leading batchable records to their batch handler, all partitions in one call;
        returns how many records of each partition are done."""
        groups: dict[int, tuple[BatchHandler, list[tuple[TopicPartition, list[Any]]]]] = {}
        for partition, records in batches.items():
            run, handler = self._batch_run(records, 0)
            if handler is not None:
                groups.setdefault(id(handler), (handler, []))[1].append((partition, run))
        handled: dict[TopicPartition, int] = {}
        for handler, runs in groups.values():
            if await self._handle_batch([item for _, run in runs for item in run], handler):
                handled.update((partition, len(run)) for partition, run in runs)
        return handled

    async def _handle_partition(
        self, partition: TopicPartition, records: list[ConsumerRecord[Any, Any]], done_up_to: int | None = None
    ) -> None:
        index = 0
        while index < len(records) and not self._stopping.is_set():
            run, handler = self._batch_run(records, index)
            if handler is not None and await self._handle_batch(run, handler):
                done_up_to = run[-1][0].offset
                index += len(run)
                continue
            for record in [record for record, _ in run] or [records[index]]:
                if self._stopping.is_set() or not await self._handle_record(record):
                    index = len(records)
                    break
                done_up_to = record.offset
                index += 1
        if done_up_to is not None:  # a commit to a broker that went away fails, and the batch is read again
            await asyncio.wait_for(self._consumer.commit({partition: done_up_to + 1}), COMMIT_TIMEOUT_SECONDS)
        highwater = self._consumer.highwater(partition)
        if highwater is not None and done_up_to is not None:
            self._metrics.consumer_lag.labels(topic=partition.topic, partition=str(partition.partition)).set(
                max(0, highwater - done_up_to - 1)
            )

    def _batch_handler_for(self, event_type: str) -> BatchHandler | None:
        if event_type in self._handlers:
            return None
        return self._batch_handlers.get(event_type) or self._batch_handlers.get(EVERY_TYPE)

    def _batch_run(
        self, records: list[ConsumerRecord[Any, Any]], start: int
    ) -> tuple[list[tuple[ConsumerRecord[Any, Any], CloudEvent]], BatchHandler | None]:
        """The consecutive records from `start` that decode to events of one batch handler."""
        run: list[tuple[ConsumerRecord[Any, Any], CloudEvent]] = []
        handler: BatchHandler | None = None
        for record in records[start:]:
            try:
                event = decode(record.value)
            except InvalidEvent:
                break
            this = self._batch_handler_for(event.type)
            if this is None or (handler is not None and this is not handler):
                break
            handler = this
            run.append((record, event))
        return run, handler

    async def _handle_batch(
        self, run: list[tuple[ConsumerRecord[Any, Any], CloudEvent]], handler: BatchHandler
    ) -> bool:
        """Handles the run as one batch; False when it failed, and its records are to be handled one by one. An
        outage of MongoDB or Kafka is waited out and the batch tried again."""
        delivered = [Delivered(event, Origin(record.topic, record.partition, record.offset)) for record, event in run]
        attempt = 0
        while not self._stopping.is_set():
            attempt += 1
            started = time.perf_counter()
            try:
                rejected = await asyncio.wait_for(handler(delivered), HANDLER_TIMEOUT_SECONDS)
            except OUTAGES as error:
                delay = min(MAX_OUTAGE_BACKOFF_SECONDS, self._backoff_seconds * 2 ** min(attempt - 1, 10))
                logger.warning("batch handler met an outage; retrying", extra={"error": str(error)})
                await asyncio.sleep(delay)
                continue
            except Exception as error:
                logger.warning(
                    "batch handler failed; handling its records one by one",
                    extra={"events": len(delivered), "error": f"{type(error).__name__}: {error}"},
                )
                return False
            elapsed = time.perf_counter() - started
            for position, (record, event) in enumerate(run):
                if position in rejected:
                    origin = Origin(record.topic, record.partition, record.offset)
                    await self._dead_letter(record, origin, rejected[position])
                    continue
                self._metrics.consumed.labels(topic=record.topic, type=event.type).inc()
                self._metrics.handler_seconds.labels(type=event.type).observe(elapsed / len(run))
            return True
        return False

    async def _handle_record(self, record: ConsumerRecord[Any, Any]) -> bool:
        """Handle or dead-letter the record; False when shutdown interrupted its retries."""
        origin = Origin(record.topic, record.partition, record.offset)
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            event_type = "undecodable"
            try:
                _origin.set(origin)
                event = decode(record.value)
                event_type = event.type
                handler = self._handlers.get(event.type)
                batch_handler = self._batch_handler_for(event.type)
                if handler is not None:
                    await asyncio.wait_for(handler(event), HANDLER_TIMEOUT_SECONDS)  # TimeoutError: retried
                elif batch_handler is not None:
                    rejected = await asyncio.wait_for(
                        batch_handler([Delivered(event, origin)]), HANDLER_TIMEOUT_SECONDS
                    )
                    if rejected:
                        raise PermanentError(rejected[0])
                self._metrics.consumed.labels(topic=record.topic, type=event.type).inc()
                self._metrics.handler_seconds.labels(type=event.type).observe(time.perf_counter() - started)
                return True
            except Exception as error:
                decision = after_failure(error, attempt, self._max_attempts, self._backoff_seconds)
                if isinstance(decision, Retry) and not self._stopping.is_set():
                    logger.warning(
                        "handler failed; retrying",
                        extra={"event_type": event_type, "attempt": attempt, "error": str(error)},
                    )
                    await asyncio.sleep(decision.delay_seconds)
                    continue
                if isinstance(decision, Retry):
                    return False  # shutting down: leave the record uncommitted so that it is redelivered
                await self._dead_letter(record, origin, decision.reason)
                return True

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], origin: Origin, reason: str) -> None:
        logger.error(
            "record dead-lettered",
            extra={
                "origin_topic": origin.topic,
                "partition": origin.partition,
                "offset": origin.offset,
                "error": reason,
            },
        )
        headers = list(record.headers or []) + dead_letter_headers(origin, reason, self._group_id)
        await self._publisher.publish_raw(self._dead_letter_topic, record.value, record.key, headers)
        self._metrics.dead_lettered.labels(topic=origin.topic).inc()


async def ensure_topics(
    bootstrap: str, names: list[str], partitions: int = 6, replication_factor: int = 1, min_insync_replicas: int = 1
) -> None:
    """Creates the topics that do not exist yet; partitions allow scaling out a consumer group, replicas surviving
    the loss of a broker (with acks=all, a write is acknowledged once `min_insync_replicas` of them hold it)."""
    if not names:
        return
    deadline = time.monotonic() + TOPIC_CHECK_SECONDS
    while True:
        try:
            await create_missing_topics(bootstrap, names, partitions, replication_factor, min_insync_replicas)
            return
        except (KafkaError, TimeoutError) as error:
            # a broker that died is still in the cluster's metadata for a few seconds, and the admin client may ask
            # it (or wait on it as the controller): a replica restarting then would fail to start, though the other
            # brokers answer
            retriable = isinstance(error, TimeoutError) or error.retriable
            if not retriable or time.monotonic() > deadline:
                raise
            logger.warning("topic check failed; trying again", extra={"error": repr(error)})
            await asyncio.sleep(1)


async def create_missing_topics(
    bootstrap: str, names: list[str], partitions: int, replication_factor: int, min_insync_replicas: int
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        configs = {"min.insync.replicas": str(min_insync_replicas)}
        missing = [
            NewTopic(name, num_partitions=partitions, replication_factor=replication_factor, topic_configs=configs)
            for name in names
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another replica created it first
                await admin.create_topics(missing)
    finally:
        await admin.close()
