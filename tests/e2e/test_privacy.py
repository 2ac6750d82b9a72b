"""Nothing personal leaves the signals service: not in events, not in the other services' databases (reporting
included), and not in any service's log; no secret or password is logged either. In the signals database the
personal data is encrypted."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from tests.conftest import Servers
from tests.e2e.platform import ADMIN_PASSWORD, STAFF_PASSWORD, Platform, hand_on
from tests.e2e.test_vertical_slice import OFFER, SIGNAL, VOLUNTEER
from tests.integration.kafka_helpers import read_to_end

pytestmark = pytest.mark.e2e

PERSON = {"name": "Zeldzame Achternaam", "phone": "0612398745", "email": "zeldzaam@example.nl"}
ADDRESS = {"postcode": "7609 ZQ", "house_number": 77, "street": "Privacystraat", "city": "Almelo"}
PERSONAL = ["Zeldzame", "Achternaam", "0612398745", "zeldzaam@example.nl", "7609 ZQ", "7609ZQ", "Privacystraat"]


def test_personal_data_stays_in_signals_and_out_of_every_log(platform: Platform, servers: Servers) -> None:
    admin, coordinator = platform.headers("beheerder"), platform.headers("coordinator")
    httpx.put(f"{platform.url('referrals')}/api/v1/offers/{OFFER['id']}", json=OFFER, headers=admin).raise_for_status()
    volunteer = f"{platform.url('volunteers')}/api/v1/volunteers/{VOLUNTEER['id']}"
    httpx.put(volunteer, json=VOLUNTEER, headers=coordinator).raise_for_status()
    signal = {**SIGNAL, "person": PERSON, "address": ADDRESS}
    accepted = httpx.post(f"{platform.url('signals')}/api/v1/signals", json=signal, headers=platform.partner_headers())
    assert accepted.status_code == 202, accepted.text
    case_id = accepted.json()["case_id"]
    opened = httpx.get(
        f"{platform.url('signals')}/casussen/{case_id}?reden=contact", headers=platform.headers("outreach")
    )
    assert "Zeldzame Achternaam" in opened.text  # the outreach worker does see who it is
    hand_on(platform, case_id)
    assignments = f"{platform.url('volunteers')}/api/v1/assignments"
    deadline = time.monotonic() + 30
    while not httpx.get(assignments, headers=coordinator).json()["total"] and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # the reporting service counts the last events

    for service in ("signals", "referrals", "volunteers"):
        records = asyncio.run(read_to_end(servers.kafka_bootstrap, f"{platform.namespace}.{service}.events"))
        assert records, f"no {service} events"
        assert_nothing_personal(f"{service} events", b"".join(record.value for record in records).decode())

    with MongoClient(servers.mongo_uri) as client:
        # signals holds them too, but sealed: a dump or backup shows none of it
        for service in ("signals", "referrals", "volunteers", "reporting"):
            database = client[f"{platform.namespace}_{service}"]
            stored = [list(database[name].find()) for name in database.list_collection_names()]
            assert any(stored), f"{service} stored nothing"
            assert_nothing_personal(f"{service} database", str(stored))

    secrets = [ADMIN_PASSWORD, STAFF_PASSWORD, *platform.secrets.values()]
    for service in ("signals", "referrals", "volunteers", "reporting"):
        log = (platform.logs / f"{service}.log").read_text()
        assert_nothing_personal(f"{service} log", log)
        assert not [secret for secret in secrets if secret in log], f"a secret is in the {service} log"
        assert not [token for token in platform.tokens.values() if token in log], f"a token is in the {service} log"


def assert_nothing_personal(where: str, text: Any) -> None:
    found = [value for value in PERSONAL if value in text]
    assert not found, f"{where} holds personal data: {found}"


def test_a_case_below_the_threshold_closes_by_itself_is_counted_and_then_erased(
    platform: Platform, servers: Servers
) -> None:
    """Registered only (below EUR 50), never worked: after its wait the retention run closes it, the creditor hears
    `not_picked_up`, reporting counts it as closed below the threshold, and after the term it is erased."""
    admin, signals = platform.headers("beheerder"), platform.url("signals")
    small = {**SIGNAL, "person": PERSON, "address": {**ADDRESS, "house_number": 78}, "arrears_cents": 3_000}
    small.update(contract_reference="KLEIN-E2E", eviction_planned=False)
    accepted = httpx.post(f"{signals}/api/v1/signals", json=small, headers=platform.partner_headers())
    assert accepted.status_code == 202, accepted.text
    case_id = accepted.json()["case_id"]
    long_ago = datetime.now(UTC) - timedelta(days=91)
    with MongoClient(servers.mongo_uri, tz_aware=True) as client:
        cases = client[f"{platform.namespace}_signals"].cases
        assert cases.find_one({"_id": case_id})["status"] == "registered"
        cases.update_one({"_id": case_id}, {"$set": {"last_signal_at": long_ago}})
        ran = httpx.post(f"{signals}/api/v1/retention/run", headers=admin)
        assert ran.status_code == 200 and ran.json()["closed_below_threshold"] == 1, ran.text
        assert cases.find_one({"_id": case_id})["outcome"] == "below_threshold"

        feedback = httpx.get(f"{signals}/api/v1/feedback", headers=platform.partner_headers()).json()["items"]
        assert {item["contract_reference"]: item["feedback"] for item in feedback}["KLEIN-E2E"] == "not_picked_up"
        breakdown = f"{platform.url('reporting')}/api/v1/breakdown/cases_closed"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            counted = httpx.get(breakdown, params={"municipality": SIGNAL["municipality"]}, headers=admin).json()
            if counted.get("below_threshold"):
                break
            time.sleep(0.3)
        assert counted.get("below_threshold") == 1, counted

        cases.update_one({"_id": case_id}, {"$set": {"closed_at": datetime.now(UTC) - timedelta(days=184)}})
        ran = httpx.post(f"{signals}/api/v1/retention/run", headers=admin)
        assert ran.status_code == 200 and ran.json()["erased_cases"] == 1, ran.text
        erased = cases.find_one({"_id": case_id})
        signal = client[f"{platform.namespace}_signals"].signals.find_one({"case_id": case_id})
        assert erased["personal"] is None and signal["submission"]["person"] is None
    volunteers = httpx.post(f"{platform.url('volunteers')}/api/v1/retention/run", headers=admin)
    assert volunteers.status_code == 200 and set(volunteers.json()) >= {"deleted_applicants", "erased_volunteers"}
