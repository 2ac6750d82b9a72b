"""A batch of signals is folded with a bounded number of database commands, whatever its size, and gets the same
cases, repeats and duplicates as one signal at a time would."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from plumbing.unit_of_work import UnitOfWork
from services.signals.domain import SignalSubmission
from services.signals.intake import Submitted, accept_signals, ensure_indexes
from services.signals.settings import SignalsSettings
from tests.conftest import Servers
from tests.factories import signal_body
from tests.integration.commands import CommandCounter
from tests.integration.signals.conftest import signals_settings

pytestmark = pytest.mark.integration


@pytest.fixture
async def counted(servers: Servers, namespace: str) -> AsyncIterator[tuple[Any, CommandCounter, SignalsSettings]]:
    counter = CommandCounter()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongo_uri, tz_aware=True, event_listeners=[counter])
    settings = signals_settings(servers, namespace)
    await ensure_indexes(client[namespace])
    yield client[namespace], counter, settings
    await client.drop_database(namespace)
    await client.close()


def item(number: int, key: str | None = None, **changes: Any) -> Submitted:
    address = {"postcode": f"{7600 + number % 90} AB", "house_number": 1 + number}
    body = signal_body(address=address, contract_reference=f"B-{number}", **changes)
    return Submitted(SignalSubmission.model_validate(body), key)


async def test_a_batch_costs_the_same_few_commands_whatever_its_size(counted: Any) -> None:
    db, counter, settings = counted
    work = UnitOfWork(db, None)
    costs = []
    for size in (10, 1000):
        counter.commands.clear()
        accepted = await accept_signals(work, settings, "woonstad", [item(size + n) for n in range(size)])
        assert len({outcome.case_id for outcome in accepted}) == size
        costs.append(sum(counter.commands.values()))
    assert costs[0] == costs[1] <= 7, counter.commands  # the teams and the settings per municipality: a read each
    assert await db.cases.count_documents({}) == 1010
    assert await db.signals.count_documents({"case_id": {"$ne": None}}) == 1010


async def test_a_batch_bundles_repeats_and_duplicates_as_single_signals_would(counted: Any) -> None:
    db, _, settings = counted
    work = UnitOfWork(db, None)
    items = [
        item(1, "a"),
        item(1, "b", creditor_type="energy", arrears_cents=30_000),  # second creditor: same case, bundled
        item(1, "c"),  # same creditor, same arrears: a repeat
        item(2, "d"),
        item(2, "d"),  # the same key twice in one batch: one signal
    ]
    accepted = await accept_signals(work, settings, "woonstad", items)
    assert [(outcome.repeat, outcome.duplicate) for outcome in accepted] == [
        (False, False),
        (False, False),
        (True, False),
        (False, False),
        (False, True),
    ]
    assert accepted[0].case_id == accepted[1].case_id == accepted[2].case_id != accepted[3].case_id
    assert accepted[3].case_id == accepted[4].case_id
    case = await db.cases.find_one({"_id": accepted[0].case_id})
    assert (case["creditor_count"], case["total_arrears_cents"]) == (1, 45_000 + 30_000)
    assert len(case["signal_ids"]) == 2 and len(case["repeat_signal_ids"]) == 1
    events = sorted(entry["event"]["type"] for entry in case["outbox"].values())
    assert events == ["nl.redzaam.case.opened", "nl.redzaam.signal.raised", "nl.redzaam.signal.raised"]
    again = await accept_signals(work, settings, "woonstad", items)  # the partner retries the whole batch
    assert all(outcome.duplicate for outcome in again)
    assert [outcome.case_id for outcome in again] == [outcome.case_id for outcome in accepted]
    assert await db.signals.count_documents({}) == 4


async def test_a_batch_interrupted_after_its_cases_were_written_finishes_on_retry(counted: Any) -> None:
    db, _, settings = counted
    work = UnitOfWork(db, None)
    (first,) = await accept_signals(work, settings, "woonstad", [item(5, "k1")])
    await db.signals.delete_one({"_id": first.signal_id})  # as if the process died before recording the signal
    retried = await accept_signals(work, settings, "woonstad", [item(5, "k1")])
    assert (retried[0].case_id, retried[0].duplicate) == (first.case_id, False)
    case = await db.cases.find_one({"_id": first.case_id})
    assert case["signal_ids"] == [first.signal_id]  # folded once, not twice
    assert len(case["outbox"]) == 2  # signal.raised and case.opened, once each
    assert (await db.signals.find_one({"_id": first.signal_id}))["case_id"] == first.case_id
