"""Pages name a partner from the member registry, never by its client id; and the case page shows what became of
the household's referral, from the referrals service's events on the real broker."""

import asyncio
import uuid

import pytest

from plumbing.access import Role
from plumbing.events import encode, new_event
from services.referrals.events import HOUSEHOLD_MATCHED, REFERRAL_DECLINED, HouseholdMatched, ReferralDeclined
from tests.access import staff_headers
from tests.integration.kafka_helpers import produce
from tests.integration.signals.conftest import Signals, signal_body

pytestmark = pytest.mark.integration


async def test_the_case_page_names_the_creditor_and_the_referral_from_referrals_events(signals: Signals) -> None:
    partner = f"woonstad-{uuid.uuid4().hex[:6]}"
    member = {"_id": partner, "name": "Woonstad Almelo", "type": "housing", "municipalities": ["GM0141"]}
    await signals.db.partners.insert_one({**member, "active": True})
    sent = await signals.client.post("/api/v1/signals", json=signal_body(), headers=signals.as_partner(partner))
    assert sent.status_code == 202, sent.text
    case_id = sent.json()["case_id"]
    case = (await signals.client.get(f"/api/v1/cases/{case_id}")).json()
    page = await signals.client.get(f"/casussen/{case_id}", params={"reden": "contact"})
    assert "<td>Woonstad Almelo</td>" in page.text and partner not in page.text
    assert "Geen bericht van een verwijzing voor dit huishouden." in page.text
    refer = f"/verwijzen?huishouden={case['household_ref']}&amp;gemeente=GM0141&amp;casus={case_id}"
    assert refer in page.text

    common = {"referral_id": case_id, "household_ref": case["household_ref"], "municipality": "GM0141"}
    matched = HouseholdMatched(
        **common, offer_id="schuldhulp", offer_name="Schuldhulp dichtbij", organisation="Humanitas", phase="curative"
    )
    declined = ReferralDeclined(**common, offer_id="schuldhulp", reason="Jan wil niet", category="household_declined")
    topic = signals.settings.topic("referrals.events")
    # the producer's own models (a contract test): what referrals publishes is what signals reads
    events = [
        new_event(type=event_type, source="/redzaam/referrals", subject=case["household_ref"], data=data)
        for event_type, data in ((HOUSEHOLD_MATCHED, matched), (REFERRAL_DECLINED, declined))
    ]
    await produce(signals.settings.kafka_bootstrap, topic, [encode(e) for e in events], case["household_ref"].encode())
    for _ in range(60):
        page = await signals.client.get(f"/casussen/{case_id}")
        if "Afgewezen door de partner" in page.text:
            break
        await asyncio.sleep(0.5)
    assert "Afgewezen door de partner: Huishouden wil deze hulp niet" in page.text
    assert "<td>Schuldhulp dichtbij</td><td>Humanitas</td>" in page.text
    assert "Jan wil niet" not in page.text  # the partner's words stay with referrals


async def test_the_administrators_page_names_an_accounts_organisation(signals: Signals) -> None:
    partner = f"humanitas-{uuid.uuid4().hex[:6]}"
    member = {"_id": partner, "name": "Humanitas Salland", "type": "debt_help", "municipalities": ["GM0150"]}
    await signals.db.partners.insert_one({**member, "active": True})
    admin = staff_headers(signals.settings, Role.ADMINISTRATOR)
    account = {
        "username": f"hanna-{uuid.uuid4().hex[:6]}",
        "name": "Hanna",
        "role": "partner_employee",
        "organisation": partner,
        "password": "een-lang-genoeg-wachtwoord-2026",
    }
    made = await signals.client.post("/api/v1/accounts", json=account, headers=admin)
    assert made.status_code == 201, made.text
    page = await signals.client.get("/beheer", headers=admin)
    row = page.text.split(f"<code>{account['username']}</code>")[1].split("</tr>")[0]
    assert "Humanitas Salland" in row and partner not in row
