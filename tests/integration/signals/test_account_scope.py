"""Staff accounts name the municipalities they work for, partners' tokens their type: both travel in the token."""

from typing import Any

import pytest

from plumbing.access import Role, read_token
from tests.integration.signals.conftest import Signals

pytestmark = pytest.mark.integration
PASSWORD = "right-password-123"


async def create(signals: Signals, username: str, role: str, **fields: Any) -> Any:
    account = {"username": username, "name": username.title(), "role": role, "password": PASSWORD, **fields}
    return await signals.client.post("/api/v1/accounts", json=account, headers=signals.as_staff(Role.ADMINISTRATOR))


async def token_of(signals: Signals, form: dict[str, str]) -> Any:
    response = await signals.client.post("/api/v1/oauth/token", data=form, headers={"Authorization": ""})
    assert response.status_code == 200, response.text
    return read_token(signals.settings, response.json()["access_token"])


async def test_a_coordinator_works_for_named_municipalities_or_the_whole_region(signals: Signals) -> None:
    nowhere = await create(signals, "cor", "volunteer_coordinator")
    assert nowhere.status_code == 422 and "municipalities" in nowhere.text
    unknown = await create(signals, "cor", "volunteer_coordinator", municipalities=["GM9999"])
    assert unknown.status_code == 422 and "GM9999 is not a municipality of the region" in unknown.text
    worker_everywhere = await create(signals, "olga", "outreach_worker", municipalities=["GM0141"], region_wide=True)
    assert worker_everywhere.status_code == 422 and "region_wide" in worker_everywhere.text
    assert (await create(signals, "cor", "volunteer_coordinator", municipalities=["GM0141"])).status_code == 201
    assert (await create(signals, "regina", "volunteer_coordinator", region_wide=True)).status_code == 201

    cor = await token_of(signals, {"grant_type": "password", "username": "cor", "password": PASSWORD})
    regina = await token_of(signals, {"grant_type": "password", "username": "regina", "password": PASSWORD})
    assert (cor.municipalities, cor.region_wide, cor.serves("GM0150")) == (("GM0141",), False, False)
    assert (regina.municipalities, regina.region_wide, regina.serves("GM0150")) == ((), True, True)


async def test_a_coordinator_account_from_before_municipalities_were_named_stays_region_wide(signals: Signals) -> None:
    assert (await create(signals, "oud", "volunteer_coordinator", region_wide=True)).status_code == 201
    await signals.db.accounts.update_one(
        {"_id": "oud"}, {"$unset": {"region_wide": ""}, "$set": {"municipalities": []}}
    )
    old = await token_of(signals, {"grant_type": "password", "username": "oud", "password": PASSWORD})
    assert old.region_wide and old.serves("GM1742")


async def test_a_partners_token_names_its_type(signals: Signals) -> None:
    member = {"id": "rabobank", "name": "Rabobank", "type": "bank", "municipalities": ["GM0141"]}
    admin = signals.as_staff(Role.ADMINISTRATOR)
    registered = await signals.client.post("/api/v1/partners", json=member, headers=admin)
    form = {"grant_type": "client_credentials", "client_id": "rabobank"}
    bank = await token_of(signals, {**form, "client_secret": registered.json()["client_secret"]})
    assert bank.partner_type == "bank"
