"""The first administrator is created once, also when two replicas of the signals service start at the same time."""

import asyncio
from typing import Any

import pytest

from services.signals.access.accounts import ensure_administrator

pytestmark = pytest.mark.integration


async def test_two_replicas_starting_at_once_create_one_administrator_and_both_start(mongo: Any) -> None:
    results = await asyncio.gather(
        *(ensure_administrator(mongo, "first-administrator-password") for _ in range(4)), return_exceptions=True
    )
    assert [result for result in results if isinstance(result, Exception)] == []
    assert await mongo.accounts.count_documents({"role": "administrator"}) == 1
