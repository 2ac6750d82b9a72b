from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from plumbing.access import Role, Scope
from services.signals import employer_desk
from services.signals.app import create_app
from services.signals.settings import SignalsSettings
from tests.access import ALL_MUNICIPALITIES, partner_headers, staff_headers
from tests.conftest import Servers
from tests.factories import signal_body
from tests.integration.served import Served, served

__all__ = ["Signals", "employer_desk_code", "signal_body", "signals_settings"]


def signals_settings(servers: Servers, namespace: str, **changes: Any) -> SignalsSettings:
    """The signals service's settings for one test: its own topics and database, keys fit for tests."""
    return SignalsSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        pseudonym_key="integration-pseudonym-key-0123456789",
        data_key="integration-data-key-0123456789",
        **changes,
    )


@dataclass
class Signals(Served):
    settings: SignalsSettings

    def as_partner(self, partner: str, *municipalities: str) -> dict[str, str]:
        """A creditor's token; a housing corporation may also report evictions."""
        scopes = [Scope.SUBMIT_SIGNALS, *([Scope.REPORT_EVICTIONS] if partner.startswith("woonstad") else [])]
        return partner_headers(self.settings, partner, *scopes, municipalities=municipalities or ALL_MUNICIPALITIES)

    def as_staff(self, role: Role = Role.OUTREACH_WORKER, *municipalities: str) -> dict[str, str]:
        return staff_headers(self.settings, role, municipalities or ALL_MUNICIPALITIES)


@pytest.fixture
async def signals(servers: Servers, namespace: str) -> AsyncIterator[Signals]:
    settings = signals_settings(
        servers,
        namespace,
        threshold_cents={"GM0150": 20_000},
        batch_max_signals=50,
        outbox_scan_seconds=0.5,
        consumer_retry_backoff_seconds=0.05,
        consumer_max_attempts=2,
    )
    app = create_app(settings)
    async with served(app, staff_headers(settings, Role.OUTREACH_WORKER)) as client:
        yield Signals(app, client, settings)


async def employer_desk_code(signals: Signals, partner_id: str) -> str:
    """An employer member with a desk code, stored straight in the registry (no partner.joined on the topic);
    returns the code as shown (ABCD-2345)."""
    member = {"_id": partner_id, "name": partner_id.title(), "type": "employer", "municipalities": ["GM0141"]}
    await signals.db.partners.insert_one({**member, "active": True})
    async with signals.app.state.runtime.unit_of_work() as work:
        return employer_desk.shown(await employer_desk.issue_desk_code(work, partner_id))
