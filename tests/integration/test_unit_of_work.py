"""A use case's unit of work on the real Kafka and MongoDB: its audit entries are written with the outcome and the
caller, and the relay publishes its events at once rather than at its next scan, also when the use case fails
after writing."""

import asyncio
from typing import Any

import pytest
from pydantic import BaseModel
from starlette.requests import Request

from plumbing.access import Principal, Role
from plumbing.events import new_event
from plumbing.kafka import EventPublisher, ensure_topics
from plumbing.metrics import Metrics
from plumbing.outbox import OutboxRelay, change_with_events, new_document, outbox_entry
from plumbing.unit_of_work import Actor, UnitOfWork
from tests.conftest import Servers
from tests.integration.kafka_helpers import read_all

pytestmark = pytest.mark.integration
COORDINATOR = Principal(kind="staff", subject="co-1", role=Role.VOLUNTEER_COORDINATOR, organisation="gemeente")


class Refused(Exception):
    pass


class Renamed(BaseModel):
    name: str


async def rename(work: UnitOfWork, topic: str, thing_id: str, name: str) -> None:
    """A use case as the services write them: audit, change with its event, announce; it fails after writing."""
    work.audit("thing.renamed", f"thing:{thing_id}")
    event = new_event(type="nl.redzaam.test.renamed", source="/tests", subject=thing_id, data=Renamed(name=name))
    await work.db.things.update_one({"_id": thing_id}, change_with_events({"name": name}, outbox_entry(topic, event)))
    work.announced("things", thing_id)
    if name == "refused":
        raise Refused(name)


def request_from(host: str) -> Request:
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"user-agent", b"tests")], "client": (host, 1)}
    return Request(scope)


@pytest.fixture
async def relay(servers: Servers, namespace: str, mongo: Any) -> Any:
    await ensure_topics(servers.kafka_bootstrap, [f"{namespace}.things"], partitions=1)
    publisher = EventPublisher(servers.kafka_bootstrap, Metrics())
    await publisher.start()
    await mongo.things.insert_many([new_document({"_id": "a"}), new_document({"_id": "b"})])
    running = OutboxRelay([mongo.things], publisher, Metrics(), scan_seconds=600)  # no scan during the test
    running.start()
    yield running
    await running.stop()
    await publisher.stop()


async def test_the_audit_entry_names_the_caller_and_the_events_go_out_at_once(
    servers: Servers, namespace: str, mongo: Any, relay: OutboxRelay
) -> None:
    await asyncio.sleep(0.5)  # past the relay's first scan, which found nothing
    async with UnitOfWork(mongo, relay, Actor.of(request_from("10.0.0.7"), COORDINATOR)) as work:
        await rename(work, f"{namespace}.things", "a", "Anna")
    published = await read_all(servers.kafka_bootstrap, f"{namespace}.things", expected=1, within=15)
    assert [record.key for record in published] == [b"a"]
    entries = await mongo.audit.find({}, {"_id": 0, "at": 0}).to_list()
    assert entries == [
        {
            "who": "co-1",
            "role": "volunteer_coordinator",
            "organisation": "gemeente",
            "action": "thing.renamed",
            "record": "thing:a",
            "reason": "",
            "result": "ok",
            "origin": "10.0.0.7",
            "user_agent": "tests",
            "session": "",
        }
    ]


async def test_a_use_case_that_fails_is_audited_as_refused_and_what_it_wrote_is_still_published(
    servers: Servers, namespace: str, mongo: Any, relay: OutboxRelay
) -> None:
    await asyncio.sleep(0.5)
    with pytest.raises(Refused):
        async with UnitOfWork(mongo, relay, Actor.of(None, COORDINATOR)) as work:
            await rename(work, f"{namespace}.things", "b", "refused")
    assert [entry["result"] for entry in await mongo.audit.find().to_list()] == ["refused: Refused"]
    published = await read_all(servers.kafka_bootstrap, f"{namespace}.things", expected=1, within=15)
    assert len(published) == 1
