"""A creditor's system follows its feedback by cursor: it never misses or repeats a signal, also when signals come
in between its pages, and a signal stamped just now comes once it has settled."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.signals.conftest import Signals, signal_body

pytestmark = pytest.mark.integration
PARTNER = "woonstad-almelo"


async def submit(signals: Signals, house_numbers: range, age: timedelta | None) -> list[str]:
    """Signals of as many households, stamped `age` ago (settled) or now (None)."""
    ids = []
    for number in house_numbers:
        answer = await signals.client.post(
            "/api/v1/signals",
            json=signal_body(address={"postcode": "7607 AB", "house_number": number}, contract_reference=f"H-{number}"),
            headers=signals.as_partner(PARTNER),
        )
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["signal_id"])
    if age is not None:
        await signals.db.signals.update_many({"_id": {"$in": ids}}, {"$set": {"received_at": datetime.now(UTC) - age}})
    return ids


async def page(signals: Signals, **params: Any) -> dict[str, Any]:
    answer = await signals.client.get("/api/v1/feedback", params=params, headers=signals.as_partner(PARTNER))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_creditor_following_its_feedback_never_misses_or_repeats_a_signal(signals: Signals) -> None:
    first = await submit(signals, range(1, 6), age=timedelta(minutes=10))
    seen: list[str] = []
    answer = await page(signals, follow="true", per_page=2)
    assert answer["total"] == 5  # these two and the three settled after them
    seen += [item["signal_id"] for item in answer["items"]]
    later = await submit(signals, range(6, 9), age=timedelta(minutes=5))  # came in between pages, settled
    while answer["items"]:
        answer = await page(signals, cursor=answer["next"], per_page=2)
        seen += [item["signal_id"] for item in answer["items"]]
        if len(seen) == 4:
            later += await submit(signals, range(9, 11), age=timedelta(minutes=1))
    assert sorted(seen) == sorted(first + later)
    assert len(seen) == len(set(seen)) == 10
    at_the_end = answer["next"]
    (fresh,) = await submit(signals, range(11, 12), age=None)  # stamped now: not settled yet
    assert (await page(signals, cursor=at_the_end))["items"] == []
    await signals.db.signals.update_one(
        {"_id": fresh}, {"$set": {"received_at": datetime.now(UTC) - timedelta(seconds=31)}}
    )
    settled = await page(signals, cursor=at_the_end)
    assert [item["signal_id"] for item in settled["items"]] == [fresh]
    assert {item["feedback"] for item in settled["items"]} == {"pending"}


async def test_a_cursor_the_list_did_not_give_out_is_refused_naming_cursor(signals: Signals) -> None:
    answer = await signals.client.get(
        "/api/v1/feedback", params={"cursor": "not-a-cursor"}, headers=signals.as_partner(PARTNER)
    )
    assert answer.status_code == 422
    assert "cursor" in answer.text
