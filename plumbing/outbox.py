"""Transactional outbox kept inside the document whose change the event announces.

The platform uses no multi-document transactions (the local server has none), so a state change and the events
announcing it are written in one document update: the `outbox` sub-document holds one entry per event, keyed by
event id, with a state (pending, published, failed). A relay round reads many documents with one `$in`, sends all
their pending entries without awaiting each acknowledgement, and marks them with one bulk write, each entry by its
key, so marking never conflicts with a change appended meanwhile. A crash between publish and mark publishes the
event again, with the same id: consumers deduplicate.
"""

import asyncio
import contextlib
import logging
import time
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from plumbing.events import CloudEvent
from plumbing.kafka import EventPublisher
from plumbing.metrics import Metrics

logger = logging.getLogger(__name__)

PENDING, PUBLISHED, FAILED = "pending", "published", "failed"
MAX_PUBLISH_ATTEMPTS = 20
PUBLISHED_ENTRIES_KEPT = 5
ROUND_DOCUMENTS = 1000  # documents read, published and marked together


def outbox_entry(topic: str, event: CloudEvent) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "topic": topic,
        "event": event.model_dump(mode="json"),
        "state": PENDING,
        "attempts": 0,
        "seq": time.time_ns(),
    }


def new_document(fields: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    """A document to insert together with the events that announce it."""
    return {
        **fields,
        "version": 1,
        "outbox": {entry["event_id"]: entry for entry in entries},
        "outbox_pending": bool(entries),
    }


def change_with_events(set_fields: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    """An update that changes `set_fields` and adds `entries` to the outbox, in one atomic write."""
    update: dict[str, Any] = {"$set": {**set_fields}, "$inc": {"version": 1}}
    if entries:
        update["$set"]["outbox_pending"] = True
        update["$set"].update({f"outbox.{entry['event_id']}": entry for entry in entries})
    return update


class OutboxRelay:
    """Publishes pending outbox entries.

    A unit of work hints which documents it changed (`wake_many(collection, ids)`); the relay reads those by id,
    which is cheap on any backend. A full scan for pending entries runs at start-up and every `scan_seconds`, so
    that events of a process that died between its write and its hint are published too.
    """

    def __init__(
        self,
        collections: list[AsyncCollection[Any]],
        publisher: EventPublisher,
        metrics: Metrics,
        scan_seconds: float = 300.0,
    ) -> None:
        self._collections = {collection.name: collection for collection in collections}
        self._publisher = publisher
        self._metrics = metrics
        self._scan_seconds = scan_seconds
        self._hinted: dict[str, set[Any]] = {name: set() for name in self._collections}
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task

    def wake_many(self, collection: str, document_ids: list[Any]) -> None:
        self._hinted[collection].update(document_ids)
        self._wake.set()

    async def _run(self) -> None:
        next_scan = time.monotonic()
        while not self._stopping:
            self._wake.clear()
            try:
                if time.monotonic() >= next_scan:
                    await self.publish_pending()
                    next_scan = time.monotonic() + self._scan_seconds
                else:
                    await self.publish_hinted()
            except Exception:
                logger.exception("outbox relay round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.05, next_scan - time.monotonic()))
        with contextlib.suppress(Exception):
            await self.publish_hinted()  # what the last requests wrote before shutdown

    async def publish_hinted(self) -> int:
        published = 0
        for name, collection in self._collections.items():
            hinted, self._hinted[name] = list(self._hinted[name]), set()
            for start in range(0, len(hinted), ROUND_DOCUMENTS):
                chunk = hinted[start : start + ROUND_DOCUMENTS]
                try:
                    documents = await collection.find({"_id": {"$in": chunk}, "outbox_pending": True}).to_list()
                    count, still_pending = await self._relay_documents(collection, documents)
                except Exception:
                    self._hinted[name].update(chunk)  # the database or Kafka is away: try again next round
                    raise
                published += count
                self._hinted[name].update(still_pending)  # Kafka refused: try again next round
        return published

    async def publish_pending(self) -> int:
        """Scans every collection and publishes every pending entry once; returns how many were published."""
        published = 0
        for collection in self._collections.values():
            pending_documents = 0
            batch: list[dict[str, Any]] = []
            async for document in collection.find({"outbox_pending": True}, batch_size=ROUND_DOCUMENTS):
                pending_documents += 1
                batch.append(document)
                if len(batch) == ROUND_DOCUMENTS:
                    published += (await self._relay_documents(collection, batch))[0]
                    batch = []
            published += (await self._relay_documents(collection, batch))[0]
            self._metrics.outbox_pending.labels(collection=collection.name).set(pending_documents)
        return published

    async def _relay_documents(
        self, collection: AsyncCollection[Any], documents: list[dict[str, Any]]
    ) -> tuple[int, list[Any]]:
        """Publishes the documents' pending entries, each document's in order, and marks them in two bulk writes;
        returns how many were published, and the ids of documents whose entries still wait."""
        if not documents:
            return 0, []
        pending_of = {
            document["_id"]: sorted(
                (entry for entry in document.get("outbox", {}).values() if entry["state"] == PENDING),
                key=lambda entry: entry["seq"],
            )
            for document in documents
        }
        sent = [entry for document in documents for entry in pending_of[document["_id"]]]
        outcomes = await self._publisher.publish_many(
            [(entry["topic"], CloudEvent.model_validate(entry["event"])) for entry in sent]
        )
        outcome_of = {entry["event_id"]: outcome for entry, outcome in zip(sent, outcomes, strict=True)}
        marks_writes: list[UpdateOne] = []
        done_writes: list[UpdateOne] = []
        published, still_pending = 0, []
        for document in documents:
            marks, count, waiting = self._marks(document, pending_of[document["_id"]], outcome_of)
            published += count
            if marks:
                marks_writes.append(UpdateOne({"_id": document["_id"]}, marks))
            if waiting:
                still_pending.append(document["_id"])
            else:
                # guarded: an entry appended since this read keeps the flag up for the next round
                done_writes.append(
                    UpdateOne(
                        {"_id": document["_id"], "version": document["version"]}, {"$set": {"outbox_pending": False}}
                    )
                )
        if marks_writes:
            await collection.bulk_write(marks_writes, ordered=False)
        if done_writes:
            await collection.bulk_write(done_writes, ordered=False)
        return published, still_pending

    def _marks(
        self, document: dict[str, Any], pending: list[dict[str, Any]], outcome_of: dict[str, Exception | None]
    ) -> tuple[dict[str, Any], int, bool]:
        """The update that marks one document's entries; how many were published; whether any still wait. After
        an entry failed, the document's later entries stay pending even if sent, so that the order holds."""
        marks: dict[str, Any] = {}
        published = 0
        for entry in pending:
            key = f"outbox.{entry['event_id']}"
            error = outcome_of[entry["event_id"]]
            if error is None:
                entry["state"] = marks[f"{key}.state"] = PUBLISHED
                published += 1
                continue
            entry["attempts"] += 1
            marks[f"{key}.attempts"] = entry["attempts"]
            marks[f"{key}.last_error"] = str(error)
            if entry["attempts"] >= MAX_PUBLISH_ATTEMPTS:
                entry["state"] = marks[f"{key}.state"] = FAILED
            logger.warning("outbox publish failed", extra={"event_id": entry["event_id"], "error": str(error)})
            break
        entries = sorted(document.get("outbox", {}).values(), key=lambda entry: entry["seq"])
        # trim only entries published in earlier rounds, so that no path is both set and unset
        earlier = [
            entry
            for entry in entries
            if entry["state"] == PUBLISHED and f"outbox.{entry['event_id']}.state" not in marks
        ]
        update: dict[str, Any] = {}
        if marks:
            update["$set"] = marks
        if len(earlier) > PUBLISHED_ENTRIES_KEPT:
            update["$unset"] = {f"outbox.{entry['event_id']}": "" for entry in earlier[:-PUBLISHED_ENTRIES_KEPT]}
        return update, published, any(entry["state"] == PENDING for entry in entries)
