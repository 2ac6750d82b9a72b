"""The queue and the creditor feedback come a page at a time with how many there are, on the API and the page."""

from typing import Any

import pytest

from plumbing.paging import PER_PAGE
from tests.integration.signals.conftest import Signals, signal_body

pytestmark = pytest.mark.integration


async def send(signals: Signals, households: range) -> None:
    """One signal per household, in batches the fixture allows."""
    creditor = signals.as_partner("woonstad-almelo")
    numbers = list(households)
    for start in range(0, len(numbers), 50):
        items: list[dict[str, Any]] = [
            signal_body(address={"postcode": "7607 AB", "house_number": n}, contract_reference=f"H-{n}")
            for n in numbers[start : start + 50]
        ]
        answer = await signals.client.post("/api/v1/signals/batch", json={"signals": items}, headers=creditor)
        assert answer.status_code == 200 and not answer.json()["rejected"], answer.text


async def test_the_queue_comes_in_pages_with_the_total_and_no_case_twice(signals: Signals) -> None:
    await send(signals, range(1, 6))
    pages = [
        (await signals.client.get("/api/v1/cases", params={"municipality": "GM0141", "per_page": 2, "page": n})).json()
        for n in (1, 2, 3, 4)
    ]
    assert [(page["total"], page["pages"], len(page["items"])) for page in pages] == [
        (5, 3, 2),
        (5, 3, 2),
        (5, 3, 1),
        (5, 3, 0),
    ]
    assert len({case["id"] for page in pages for case in page["items"]}) == 5
    too_many = await signals.client.get("/api/v1/cases", params={"municipality": "GM0141", "per_page": 500})
    assert too_many.status_code == 422 and too_many.json()["detail"][0]["loc"] == ["query", "per_page"]


async def test_the_queue_page_says_which_cases_of_how_many_and_links_the_next_page(signals: Signals) -> None:
    await send(signals, range(1, PER_PAGE + 2))
    first = (await signals.client.get("/", params={"gemeente": "GM0141", "wijk": "7607"})).text
    assert f"1–{PER_PAGE} van {PER_PAGE + 1} casussen" in first
    assert 'href="?gemeente=GM0141&amp;wijk=7607&amp;status=open&amp;pagina=2" rel="next"' in first
    second = (await signals.client.get("/", params={"gemeente": "GM0141", "wijk": "7607", "pagina": "2"})).text
    assert f"{PER_PAGE + 1}–{PER_PAGE + 1} van {PER_PAGE + 1} casussen" in second and 'rel="prev"' in second
    assert second.count('href="/casussen/') == 1


async def test_creditor_feedback_comes_in_pages_with_the_total(signals: Signals) -> None:
    await send(signals, range(1, 4))
    creditor = signals.as_partner("woonstad-almelo")
    first = (await signals.client.get("/api/v1/feedback", params={"per_page": 2}, headers=creditor)).json()
    last = (await signals.client.get("/api/v1/feedback", params={"per_page": 2, "page": 2}, headers=creditor)).json()
    assert (first["total"], first["pages"], len(first["items"]), len(last["items"])) == (3, 2, 2, 1)
    references = [item["contract_reference"] for item in first["items"] + last["items"]]
    assert sorted(references) == ["H-1", "H-2", "H-3"]
