"""The referrals list comes in pages with its total, in the API and on the page, and shows the unmet ones."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plumbing.outbox import new_document
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration


async def stored_referrals(referrals: Referrals, count: int, offer_id: str | None = "coaching") -> list[str]:
    """`count` referrals written at once (the API would match them one by one), one minute apart, newest last."""
    start = datetime.now(UTC) - timedelta(days=1)
    documents = [
        new_document(
            {
                "_id": f"ref-{n:04d}",
                "household_ref": f"hh-{n:016x}",
                "municipality": "GM0141",
                "needs": ["debt_help"],
                "state": "requested",
                "offer_id": offer_id,
                "offer_name": offer_id,
                "organisation_id": "humanitas" if offer_id else None,
                "capacity_held": False,
                "explanation": [],
                "created_at": start + timedelta(minutes=n),
                "history": [],
            }
        )
        for n in range(count)
    ]
    await referrals.db.referrals.insert_many(documents)
    return [document["_id"] for document in documents]


async def test_api_pages_the_referrals_newest_first_with_the_total(referrals: Referrals) -> None:
    ids = await stored_referrals(referrals, 205)

    async def page(**params: Any) -> dict[str, Any]:
        response = await referrals.client.get("/api/v1/referrals", params=params)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    first = await page()
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (205, 1, 50, 5)
    assert [r["id"] for r in first["items"]] == ids[::-1][:50]
    last = await page(page=2, per_page=200)
    assert [r["id"] for r in last["items"]] == ids[::-1][200:]
    seen = [r["id"] for n in range(1, 6) for r in (await page(page=n))["items"]]
    assert seen == ids[::-1]  # every referral on exactly one page: none cut off
    assert (await page(page=9))["items"] == []
    too_many = await referrals.client.get("/api/v1/referrals", params={"per_page": 500})
    assert too_many.status_code == 422 and "per_page" in str(too_many.json()["detail"])


async def test_page_says_which_referrals_of_how_many_it_shows_with_links_to_the_others(referrals: Referrals) -> None:
    await stored_referrals(referrals, 51)
    first = (await referrals.client.get("/")).text
    assert "1–50 van 51 verwijzingen" in first
    assert 'href="?pagina=2#verwijzingen" rel="next"' in first and 'rel="prev"' not in first
    second = (await referrals.client.get("/", params={"pagina": 2})).text
    assert "51–51 van 51 verwijzingen" in second
    assert 'href="?pagina=1#verwijzingen" rel="prev"' in second and 'rel="next"' not in second
    assert len(re.findall(r'href="/verwijzingen/ref-', second)) == 1
    assert (await referrals.client.get("/", params={"pagina": "twee"})).status_code == 200  # the first page


async def test_staff_see_how_many_referrals_wait_for_an_offer_and_can_list_them(referrals: Referrals) -> None:
    await stored_referrals(referrals, 52, offer_id=None)
    overview = (await referrals.client.get("/")).text
    assert "52 verwijzingen wachten op passend aanbod" in overview
    waiting = (await referrals.client.get("/", params={"wachtend": 1})).text
    assert "Wachten op passend aanbod" in waiting and "1–50 van 52 verwijzingen" in waiting
    assert 'href="?wachtend=1&amp;pagina=2#verwijzingen" rel="next"' in waiting  # the next page waits too
    assert waiting.count("Wacht op aanbod") == 50
    listed = (await referrals.client.get("/api/v1/referrals", params={"unmet": "true", "per_page": 3})).json()
    assert (listed["total"], [r["id"] for r in listed["items"]]) == (52, ["ref-0000", "ref-0001", "ref-0002"])
