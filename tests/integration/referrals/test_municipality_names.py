"""Pages name the municipalities; the codes stay in the data."""

import pytest

from plumbing.access import Role
from tests.access import staff_headers
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration


async def test_the_referrals_page_shows_municipalities_by_name(referrals: Referrals) -> None:
    await referrals.offer("schuldhulp-twee-gemeenten", municipalities=["GM0141", "GM0150"])
    referral = await referrals.refer()
    overview = (await referrals.client.get("/")).text
    assert "Almelo, Deventer" in overview and "GM0141" not in overview and "GM0150" not in overview
    page = (await referrals.client.get(f"/verwijzingen/{referral['id']}")).text
    assert "(Almelo)" in page and "GM0141" not in page


async def test_an_offer_for_a_municipality_outside_the_region_is_refused_naming_the_field(
    referrals: Referrals,
) -> None:
    body = {
        "id": "elders",
        "name": "Elders",
        "organisation": "Humanitas",
        "phase": "curative",
        "municipalities": ["GM0141", "GM0363"],
        "capacity_available": 1,
        "capacity_maximum": 1,
    }
    admin = staff_headers(referrals.settings, Role.ADMINISTRATOR)
    response = await referrals.client.put("/api/v1/offers/elders", json=body, headers=admin)
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert (problem["loc"], problem["msg"]) == (
        ["body", "municipalities", 1],
        "GM0363 is not a municipality of the region",
    )
