from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from plumbing.access import Role, Scope
from services.referrals.app import create_app
from services.referrals.settings import ReferralsSettings
from tests.access import partner_headers, staff_headers
from tests.conftest import Servers
from tests.integration.served import Served, served


@dataclass
class Referrals(Served):
    settings: ReferralsSettings

    async def offer(self, offer_id: str, **changes: Any) -> None:
        body: dict[str, Any] = {
            "id": offer_id,
            "name": offer_id,
            "organisation": "Humanitas",
            "organisation_id": "humanitas",
            "phase": "early_intervention",
            "municipalities": ["GM0141"],
            "capacity_available": 2,
            "capacity_maximum": 2,
        }
        body.update(changes)
        admin = staff_headers(self.settings, Role.ADMINISTRATOR)
        response = await self.client.put(f"/api/v1/offers/{offer_id}", json=body, headers=admin)
        assert response.status_code in (200, 201), response.text

    async def refer(self, household: str = "hh-0123456789abcdef", **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"household_ref": household, "municipality": "GM0141", "needs": ["debt_help"]}
        body.update(changes)
        response = await self.client.post("/api/v1/referrals", json=body)
        assert response.status_code == 201, response.text
        referral: dict[str, Any] = response.json()
        return referral

    def as_partner(self, partner: str) -> dict[str, str]:
        return partner_headers(self.settings, partner, Scope.HANDLE_REFERRALS)


@pytest.fixture
async def referrals(servers: Servers, namespace: str) -> AsyncIterator[Referrals]:
    settings = ReferralsSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        doorbraak_cap=2,
        outbox_scan_seconds=0.5,
    )
    app = create_app(settings)
    async with served(app, staff_headers(settings, Role.DEBT_SPECIALIST)) as client:
        yield Referrals(app, client, settings)
