from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from services.signals.app import create_app
from services.signals.settings import SignalsSettings
from tests.conftest import Servers
from tests.factories import signal_body
from tests.integration.served import Served, served

__all__ = ["KEYS", "Signals", "signal_body"]

KEYS = {"woonstad-almelo": "key-woonstad-0123456789", "vitens": "key-vitens-0123456789"}


@dataclass
class Signals(Served):
    settings: SignalsSettings

    def as_partner(self, partner: str) -> dict[str, str]:
        return {"X-Api-Key": KEYS[partner]}


@pytest.fixture
async def signals(servers: Servers, namespace: str) -> AsyncIterator[Signals]:
    settings = SignalsSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        pseudonym_key="integration-pseudonym-key-0123456789",
        partner_keys=KEYS,
        threshold_cents={"GM0150": 20_000},
        batch_max_signals=50,
        outbox_scan_seconds=0.5,
        consumer_retry_backoff_seconds=0.05,
        consumer_max_attempts=2,
    )
    app = create_app(settings)
    async with served(app) as client:
        yield Signals(app, client, settings)
