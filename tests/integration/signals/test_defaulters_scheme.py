"""The CAK, which runs the health-insurance defaulters scheme (wanbetalersregeling), is a signal source of its own."""

import pytest

from plumbing.access import Scope
from services.signals.access.partners import PartnerType
from services.signals.labels import CREDITOR_TYPES, PARTNER_TYPES
from tests.access import partner_headers
from tests.integration.signals.conftest import Signals, signal_body

pytestmark = pytest.mark.integration


async def test_the_cak_signals_households_in_the_defaulters_scheme_and_an_insurer_does_not(signals: Signals) -> None:
    cak = partner_headers(signals.settings, "cak", Scope.SUBMIT_SIGNALS, partner_type="defaulters_scheme")
    accepted = await signals.client.post(
        "/api/v1/signals", json=signal_body(creditor_type="defaulters_scheme"), headers=cak
    )
    assert accepted.status_code == 202, accepted.text
    insurer = partner_headers(signals.settings, "menzis", Scope.SUBMIT_SIGNALS, partner_type="health_insurer")
    refused = await signals.client.post(
        "/api/v1/signals",
        json=signal_body(creditor_type="defaulters_scheme", contract_reference="Z-2"),
        headers=insurer,
    )
    assert refused.status_code == 422 and refused.json()["detail"].startswith("creditor_type:")
    assert await signals.db.signals.count_documents({"creditor_type": "defaulters_scheme"}) == 1
    assert CREDITOR_TYPES["defaulters_scheme"] == "Wanbetalersregeling zorgverzekering (CAK)"
    assert PARTNER_TYPES[PartnerType.DEFAULTERS_SCHEME] == "Wanbetalersregeling zorgverzekering (CAK)"
