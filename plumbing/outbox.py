"""Transactional outbox kept inside the document whose change the event announces.

FerretDB v1 has no multi-document transactions, so a state change and the events announcing it are written in
one document update: the `outbox` sub-document holds one entry per event, keyed by event id, with a state
(pending, published, failed). A relay publishes pending entries in order and marks each by its key, so marking
never conflicts with a change appended meanwhile. A crash between publish and mark publishes the event again,
with the same id: consumers deduplicate.
"""

import asyncio
import contextlib
import logging
import time
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from plumbing.events import CloudEvent
from plumbing.kafka import EventPublisher
from plumbing.metrics import Metrics

logger = logging.getLogger(__name__)

PENDING, PUBLISHED, FAILED = "pending", "published", "failed"
MAX_PUBLISH_ATTEMPTS = 20
PUBLISHED_ENTRIES_KEPT = 5


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

    Writers hint which document they changed (`wake(collection, id)`); the relay reads those by id, which is cheap
    on any backend. A full scan for pending entries runs at start-up and every `scan_seconds`, so that events of a
    process that died between its write and its hint are published too.
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

    def wake(self, collection: str, document_id: Any) -> None:
        self._hinted[collection].add(document_id)
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
            hinted, self._hinted[name] = self._hinted[name], set()
            for document_id in hinted:
                document = await collection.find_one({"_id": document_id})
                if document is None or not document.get("outbox_pending"):
                    continue
                count, still_pending = await self._relay_document(collection, document)
                published += count
                if still_pending:
                    self._hinted[name].add(document_id)  # Kafka refused: try again next round
        return published

    async def publish_pending(self) -> int:
        """Scans every collection and publishes every pending entry once; returns how many were published."""
        published = 0
        for collection in self._collections.values():
            pending_documents = 0
            async for document in collection.find({"outbox_pending": True}):
                pending_documents += 1
                count, _ = await self._relay_document(collection, document)
                published += count
            self._metrics.outbox_pending.labels(collection=collection.name).set(pending_documents)
        return published

    async def _relay_document(self, collection: AsyncCollection[Any], document: dict[str, Any]) -> tuple[int, bool]:
        """Publishes the document's pending entries in order; returns how many, and whether any still wait."""
        entries = sorted(document.get("outbox", {}).values(), key=lambda entry: entry["seq"])
        marks: dict[str, Any] = {}
        published = 0
        for entry in entries:
            if entry["state"] != PENDING:
                continue
            key = f"outbox.{entry['event_id']}"
            try:
                await self._publisher.publish(entry["topic"], CloudEvent.model_validate(entry["event"]))
                entry["state"] = marks[f"{key}.state"] = PUBLISHED
                published += 1
            except Exception as error:
                entry["attempts"] += 1
                marks[f"{key}.attempts"] = entry["attempts"]
                marks[f"{key}.last_error"] = str(error)
                if entry["attempts"] >= MAX_PUBLISH_ATTEMPTS:
                    entry["state"] = marks[f"{key}.state"] = FAILED
                logger.warning("outbox publish failed", extra={"event_id": entry["event_id"], "error": str(error)})
                break  # keep the order of this aggregate's events
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
        if update:
            await collection.update_one({"_id": document["_id"]}, update)
        still_pending = any(entry["state"] == PENDING for entry in entries)
        if not still_pending:
            # guarded: an entry appended since this read keeps the flag up for the next round
            await collection.update_one(
                {"_id": document["_id"], "version": document["version"]}, {"$set": {"outbox_pending": False}}
            )
        return published, still_pending
