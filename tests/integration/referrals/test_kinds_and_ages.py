"""Offers say what kind of help they are, and automatic referrals ask for what the case tells (age, creditors), on
real Kafka and MongoDB."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent, encode
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration


def case_closed(case_id: str, **data: Any) -> bytes:
    fields: dict[str, Any] = {
        "case_id": case_id,
        "household_ref": f"hh-{uuid.uuid4().hex[:16]}",
        "municipality": "GM0141",
        "outcome": "follow_up_financial",
        "follow_up": True,
        "reached": True,
        "creditor_types": ["rent"],
    }
    fields.update(data)
    event = CloudEvent(
        id=str(uuid.uuid4()),
        source="/redzaam/signals",
        type="nl.redzaam.case.closed",
        subject=fields["household_ref"],
        time=datetime.now(UTC),
        data=fields,
    )
    return encode(event)


async def referred_offers(referrals: Referrals, servers: Servers, cases: dict[str, bytes]) -> dict[str, Any]:
    await produce(servers.kafka_bootstrap, referrals.settings.topic("signals.events"), list(cases.values()))

    async def all_referred() -> bool:
        return await referrals.db.referrals.count_documents({"_id": {"$in": list(cases)}}) == len(cases)

    await eventually(all_referred, what="a referral per closed case")
    stored = await referrals.db.referrals.find({"_id": {"$in": list(cases)}}).to_list()
    return {referral["_id"]: referral for referral in stored}


async def test_follow_up_household_is_referred_to_help_not_to_the_outreach_it_came_from(
    referrals: Referrals, servers: Servers
) -> None:
    await referrals.offer("vroeg-erop-af", kind="outreach", needs=["debt_help", "budget_coaching"])
    await referrals.offer("schuldhulp", needs=["debt_help"], capacity_available=1, capacity_maximum=9)
    stored = await referred_offers(referrals, servers, {"case-a": case_closed("case-a")})
    assert stored["case-a"]["offer_id"] == "schuldhulp"


async def test_exact_age_and_many_creditors_put_the_specific_offer_above_the_broad_one(
    referrals: Referrals, servers: Servers
) -> None:
    await referrals.offer("broad", needs=["debt_help", "budget_coaching"], capacity_available=9, capacity_maximum=9)
    await referrals.offer("jpf", needs=["debt_help", "youth"], age_minimum=18, age_maximum=23)
    await referrals.offer("collectief", needs=["debt_settlement"])
    cases = {
        "young": case_closed("young", age_band="18-27", age=22),
        "too-old-for-fund": case_closed("too-old-for-fund", age_band="18-27", age=27),
        "old-event-band-only": case_closed("old-event-band-only", age_band="18-27"),
        "many-creditors": case_closed(
            "many-creditors", age=45, age_band="28-66", creditor_count=4, total_arrears_cents=380_000
        ),
        "old-event-three-types": case_closed("old-event-three-types", creditor_types=["rent", "energy", "water"]),
    }
    stored = await referred_offers(referrals, servers, cases)
    assert {case: referral["offer_id"] for case, referral in stored.items()} == {
        "young": "jpf",
        "too-old-for-fund": "broad",  # 27 is past the fund's 23, whatever the band says
        "old-event-band-only": "jpf",  # no age: the band admits, with a warning to check
        "many-creditors": "collectief",
        "old-event-three-types": "collectief",
    }
    assert stored["young"]["age"] == 22 and "youth" in stored["young"]["needs"]
    assert (
        "alleen leeftijdsgroep 18-27 bekend: controleer de leeftijdsgrens"
        in stored["old-event-band-only"]["explanation"]
    )


async def test_offer_kind_is_published_exported_imported_and_defaulted(referrals: Referrals) -> None:
    await referrals.offer("erop-af", kind="outreach")
    await referrals.offer("fund", needs=["debt_help", "youth"])
    offers = {o["id"]: o for o in (await referrals.client.get("/api/v1/offers")).json()}
    assert (offers["erop-af"]["kind"], offers["fund"]["kind"]) == ("outreach", "youth")
    exported = (await referrals.client.get("/api/v1/catalogue/hsds")).json()
    kinds = {
        service["id"]: [a["value"] for a in service["attributes"] if a["taxonomy"] == "redzaam:offer_kind"]
        for service in exported["services"]
    }
    assert kinds == {"erop-af": ["outreach"], "fund": ["youth"]}
    without_kind = {
        **exported["services"][0],
        "id": "imported-old",
        "attributes": [{"taxonomy": "redzaam:debt_phase", "value": "curative"}],
    }
    admin = staff_headers(referrals.settings, Role.ADMINISTRATOR)
    imported = await referrals.client.post(
        "/api/v1/catalogue/hsds",
        json={"organizations": exported["organizations"], "services": [without_kind]},
        headers=admin,
    )
    assert imported.json()["imported"] == ["imported-old"]
    await referrals.db.offers.update_one({"_id": "fund"}, {"$unset": {"kind": ""}})  # stored before kinds
    offers = {o["id"]: o for o in (await referrals.client.get("/api/v1/offers")).json()}
    assert (offers["imported-old"]["kind"], offers["fund"]["kind"]) == ("debt_help", "youth")
    bad = await referrals.client.put(
        "/api/v1/offers/bad-kind", json={**offers["fund"], "id": "bad-kind", "kind": "lottery"}, headers=admin
    )
    assert bad.status_code == 422 and "kind" in str(bad.json()["detail"])
