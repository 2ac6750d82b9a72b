"""Partner intake over HTTP and Kafka, on the real Kafka and MongoDB."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from plumbing.access import Role, Scope
from plumbing.events import CloudEvent, encode
from services.signals.access import totp
from services.signals.app import create_app
from services.signals.intake_events import SIGNAL_SUBMITTED
from services.signals.kafka_intake import partner_topic
from tests.access import partner_headers, staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce, read_all
from tests.integration.served import served
from tests.integration.signals.conftest import Signals, signal_body, signals_settings

pytestmark = pytest.mark.integration


async def test_signal_is_accepted_and_bundled_with_a_second_creditor_into_one_case(signals: Signals) -> None:
    first = await signals.client.post(
        "/api/v1/signals", json=signal_body(), headers=signals.as_partner("woonstad-almelo")
    )
    second = await signals.client.post(
        "/api/v1/signals",
        headers=signals.as_partner("vitens"),
        json=signal_body(
            creditor_type="water",
            arrears_cents=9_000,
            contract_reference="W-1",
            address={"postcode": "7607ab", "house_number": 12},
        ),
    )
    assert first.status_code == second.status_code == 202
    assert first.json()["case_id"] == second.json()["case_id"]
    case = (await signals.client.get(f"/api/v1/cases/{first.json()['case_id']}")).json()
    assert (case["creditor_count"], case["total_arrears_cents"], case["status"]) == (2, 54_000, "open")


async def test_retry_with_the_same_idempotency_key_stores_nothing_new(signals: Signals) -> None:
    headers = {**signals.as_partner("woonstad-almelo"), "Idempotency-Key": "retry-1"}
    first = await signals.client.post("/api/v1/signals", json=signal_body(), headers=headers)
    again = await signals.client.post("/api/v1/signals", json=signal_body(arrears_cents=99_000), headers=headers)
    assert again.json() == {**first.json(), "duplicate": True}
    assert await signals.db.signals.count_documents({}) == 1
    case = await signals.db.cases.find_one({})
    assert case["total_arrears_cents"] == 45_000


async def test_concurrent_signals_of_one_household_end_in_one_case(signals: Signals) -> None:
    partners = ["woonstad-almelo", "vitens"] * 5
    responses = await asyncio.gather(
        *(
            signals.client.post(
                "/api/v1/signals",
                headers=signals.as_partner(partner),
                json=signal_body(
                    creditor_type="rent" if partner.startswith("woonstad") else "water",
                    arrears_cents=10_000 + number,
                    contract_reference=f"C-{number}",
                ),
            )
            for number, partner in enumerate(partners)
        )
    )
    assert {response.status_code for response in responses} == {202}
    assert len({response.json()["case_id"] for response in responses}) == 1
    assert await signals.db.cases.count_documents({}) == 1


async def test_signals_sent_at_the_same_time_are_accepted_together_each_with_its_own_answer(signals: Signals) -> None:
    """One signal per request, many at once: accepted in shared batches, with the answers of one at a time."""
    creditor = signals.as_partner("vitens")

    def send(number: int, key: str) -> Any:
        body = signal_body(
            creditor_type="water",
            address={"postcode": f"{7600 + number} AB", "house_number": 1 + number},
            contract_reference=f"W-{number}",
        )
        return signals.client.post("/api/v1/signals", json=body, headers={**creditor, "Idempotency-Key": key})

    responses = await asyncio.gather(*(send(number, f"k{number}") for number in range(40)), send(0, "k0"))
    assert {response.status_code for response in responses} == {202}
    answers = [response.json() for response in responses]
    assert len({answer["case_id"] for answer in answers[:40]}) == 40
    assert sorted(answer["duplicate"] for answer in answers) == [False] * 40 + [True]
    assert answers[40]["case_id"] == answers[0]["case_id"]
    assert await signals.db.cases.count_documents({}) == 40


async def test_repeat_signal_without_growth_raises_no_event(signals: Signals, servers: Servers) -> None:
    headers = signals.as_partner("woonstad-almelo")
    await signals.client.post("/api/v1/signals", json=signal_body(), headers=headers)
    repeat = await signals.client.post("/api/v1/signals", json=signal_body(arrears_cents=30_000), headers=headers)
    grown = await signals.client.post("/api/v1/signals", json=signal_body(arrears_cents=50_000), headers=headers)
    assert (repeat.json()["repeat"], grown.json()["repeat"]) == (True, False)
    records = await read_all(servers.kafka_bootstrap, signals.settings.topic("signals.events"), expected=3)
    types = sorted(CloudEvent.model_validate_json(record.value).type for record in records)
    assert types == ["nl.redzaam.case.opened", "nl.redzaam.signal.raised", "nl.redzaam.signal.raised"]


async def test_signal_below_the_municipality_threshold_is_registered_not_queued(signals: Signals) -> None:
    body = signal_body(municipality="GM0150", arrears_cents=15_000, address={"postcode": "7411 KT", "house_number": 3})
    response = await signals.client.post("/api/v1/signals", json=body, headers=signals.as_partner("woonstad-deventer"))
    assert response.status_code == 202
    assert (await signals.client.get("/api/v1/cases", params={"municipality": "GM0150"})).json()["items"] == []
    registered = (
        await signals.client.get("/api/v1/cases", params={"municipality": "GM0150", "status": "registered"})
    ).json()["items"]
    assert [case["total_arrears_cents"] for case in registered] == [15_000]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"municipality": "GM9999"}, "municipality"),
        ({"arrears_cents": -500}, "arrears_cents"),
        ({"arrears_cents": 50_000_000_00}, "arrears_cents"),
        ({"arrears_since": (date.today() + timedelta(days=1)).isoformat()}, "arrears_since"),
        ({"creditor_type": None}, "creditor_type"),
        ({"person": {}}, "name"),
        ({"address": {"postcode": "ABCD 12", "house_number": 1}}, "postcode"),
        ({"unexpected": "field"}, "unexpected"),
    ],
)
async def test_bad_signal_is_refused_naming_the_field(signals: Signals, change: dict[str, object], field: str) -> None:
    response = await signals.client.post(
        "/api/v1/signals", json=signal_body(**change), headers=signals.as_partner("woonstad-almelo")
    )
    assert response.status_code == 422
    assert field in str([problem["loc"] for problem in response.json()["detail"]])
    assert await signals.db.signals.count_documents({}) == 0


async def test_a_creditor_sends_only_signals_of_the_debt_it_holds(signals: Signals) -> None:
    bank = partner_headers(signals.settings, "rabobank", Scope.SUBMIT_SIGNALS, partner_type="bank")
    rent = await signals.client.post("/api/v1/signals", json=signal_body(), headers=bank)
    assert rent.status_code == 422 and rent.json()["detail"].startswith("creditor_type: a bank partner sends bank")
    own = await signals.client.post("/api/v1/signals", json=signal_body(creditor_type="bank"), headers=bank)
    assert own.status_code == 202
    items = [signal_body(creditor_type="bank"), signal_body(creditor_type="rent", contract_reference="R-2")]
    batch = (await signals.client.post("/api/v1/signals/batch", json={"signals": items}, headers=bank)).json()
    assert [item["index"] for item in batch["accepted"]] == [0]
    assert [error["field"] for error in batch["rejected"][0]["errors"]] == ["signals.1.creditor_type"]
    untyped = partner_headers(signals.settings, "oude-token", Scope.SUBMIT_SIGNALS)  # issued before types were named
    assert (await signals.client.post("/api/v1/signals", json=signal_body(), headers=untyped)).status_code == 401
    assert await signals.db.signals.count_documents({"creditor_type": "rent"}) == 0


async def test_missing_forged_or_misplaced_credentials_are_refused(signals: Signals) -> None:
    anonymous = {"Authorization": ""}
    assert (await signals.client.post("/api/v1/signals", json=signal_body(), headers=anonymous)).status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}
    assert (await signals.client.post("/api/v1/signals", json=signal_body(), headers=forged)).status_code == 401
    staff = await signals.client.post("/api/v1/signals", json=signal_body(), headers=signals.as_staff())
    assert staff.status_code == 403  # staff sign-in is no creditor
    elsewhere = signals.as_partner("vitens", "GM0193")
    response = await signals.client.post("/api/v1/signals", json=signal_body(municipality="GM0141"), headers=elsewhere)
    assert response.status_code == 403 and "municipality" in response.json()["detail"]
    assert await signals.db.signals.count_documents({}) == 0


async def test_batch_accepts_the_valid_items_and_reports_each_invalid_one(signals: Signals) -> None:
    items = [
        {**signal_body(address={"postcode": "7607 AB", "house_number": n}), "idempotency_key": f"b-{n}"}
        for n in range(1, 5)
    ]
    items[1]["arrears_cents"] = 0
    items[3]["municipality"] = "GM0000"
    response = await signals.client.post(
        "/api/v1/signals/batch", json={"signals": items}, headers=signals.as_partner("woonstad-almelo")
    )
    assert response.status_code == 200
    result = response.json()
    assert [item["index"] for item in result["accepted"]] == [0, 2]
    assert [(r["index"], [e["field"] for e in r["errors"]]) for r in result["rejected"]] == [
        (1, ["signals.1.arrears_cents"]),
        (3, ["signals.3.municipality"]),
    ]
    assert await signals.db.signals.count_documents({}) == 2


async def test_oversized_batch_is_refused_with_413_and_nothing_stored(signals: Signals) -> None:
    items = [signal_body(address={"postcode": "7607 AB", "house_number": n}) for n in range(1, 52)]
    response = await signals.client.post(
        "/api/v1/signals/batch", json={"signals": items}, headers=signals.as_partner("woonstad-almelo")
    )
    assert response.status_code == 413
    assert "signals" in response.json()["detail"]
    assert await signals.db.signals.count_documents({}) == 0


async def test_malformed_batch_body_is_refused_naming_the_problem(signals: Signals) -> None:
    headers = {**signals.as_partner("woonstad-almelo"), "Content-Type": "application/json"}
    not_json = await signals.client.post("/api/v1/signals/batch", content=b"{oops", headers=headers)
    no_list = await signals.client.post("/api/v1/signals/batch", json={"signals": "x"}, headers=headers)
    assert (not_json.status_code, no_list.status_code) == (400, 422)
    assert "signals" in no_list.json()["detail"]


async def test_kafka_intake_applies_the_same_rules_and_dead_letters_invalid_events(
    signals: Signals,
    servers: Servers,
) -> None:
    def submitted(data: dict[str, object], source: str = "/partners/woonstad-almelo") -> CloudEvent:
        return CloudEvent(
            id=str(uuid.uuid4()),
            source=source,
            type=SIGNAL_SUBMITTED,
            subject="7607AB-12",
            time=datetime.now(UTC),
            data=data,
        )

    member = {"id": "woonstad-almelo", "name": "Woonstad", "type": "housing", "municipalities": ["GM0141"]}
    admin = signals.as_staff(Role.ADMINISTRATOR)
    assert (await signals.client.post("/api/v1/partners", json=member, headers=admin)).status_code == 201
    good = submitted(signal_body())
    invalid = submitted(signal_body(arrears_cents=-1))
    stranger = submitted(signal_body(), source="/partners/unknown-bank")
    elsewhere = submitted(signal_body(municipality="GM0193"))
    not_rent = submitted(signal_body(creditor_type="energy", address={"postcode": "7607 AB", "house_number": 98}))
    topic = signals.settings.topic("signals.intake")
    records = [encode(good), encode(good), encode(invalid), encode(stranger), encode(elsewhere), encode(not_rent)]
    await produce(servers.kafka_bootstrap, topic, records)
    # the partner's own topic, which Kafka lets only that partner write to: the source must name that partner
    own_topic = partner_topic(signals.settings, "woonstad-almelo")
    own = submitted(signal_body(address={"postcode": "7607 AB", "house_number": 99}))
    impostor = submitted(signal_body(), source="/partners/vitens")
    await produce(servers.kafka_bootstrap, own_topic, [encode(own), encode(impostor)])

    async def cases_exist() -> bool:
        return await signals.db.cases.count_documents({}) == 2

    await eventually(cases_exist, within=30, what="cases from the shared and the partner's own intake topic")
    dead = await read_all(servers.kafka_bootstrap, signals.settings.dead_letter_topic, expected=5)
    errors = sorted(dict(record.headers)["redzaam_dlq_error"].decode() for record in dead)
    assert any("arrears_cents" in error for error in errors)
    assert any("unknown-bank" in error for error in errors)
    assert any("data.municipality" in error and "GM0193" in error for error in errors)
    assert any("data.creditor_type: a housing partner sends rent signals" in error for error in errors)
    assert any("does not match the topic of partner woonstad-almelo" in error for error in errors)
    assert await signals.db.signals.count_documents({}) == 2


async def test_housing_partner_reports_an_eviction_outcome_without_it_leaving_the_service(
    signals: Signals,
    servers: Servers,
) -> None:
    report = {
        "municipality": "GM0141",
        "address": {"postcode": "7607 AB", "house_number": 12},
        "outcome": "prevented",
        "on": "2026-11-02",
    }
    headers = {**signals.as_partner("woonstad-almelo"), "Idempotency-Key": "ontruiming-7"}
    first = await signals.client.post("/api/v1/evictions", json=report, headers=headers)
    again = await signals.client.post("/api/v1/evictions", json=report, headers=headers)
    assert (first.status_code, first.json()["duplicate"], again.json()["duplicate"]) == (202, False, True)
    records = await read_all(servers.kafka_bootstrap, signals.settings.topic("signals.events"), expected=1)
    reported = CloudEvent.model_validate_json(records[0].value)
    assert (reported.type, reported.data["outcome"]) == ("nl.redzaam.eviction.reported", "prevented")
    assert "7607" not in records[0].value.decode()
    bad = await signals.client.post("/api/v1/evictions", json={**report, "outcome": "postponed"}, headers=headers)
    no_key = await signals.client.post("/api/v1/evictions", json=report, headers=signals.as_partner("woonstad-almelo"))
    not_housing = await signals.client.post("/api/v1/evictions", json=report, headers=signals.as_partner("vitens"))
    assert (bad.status_code, no_key.status_code, not_housing.status_code) == (422, 422, 403)
    assert "outcome" in str(bad.json()["detail"]) and "idempotency-key" in str(no_key.json()["detail"]).lower()


async def test_a_partner_over_its_budget_gets_429_and_any_body_over_the_cap_413(
    servers: Servers, namespace: str
) -> None:
    settings = signals_settings(servers, namespace, partner_requests_per_minute=2, max_request_bytes=2_000)
    async with served(create_app(settings)) as client:
        creditor = partner_headers(settings, "vitens", Scope.SUBMIT_SIGNALS)
        statuses = [
            (await client.get("/api/v1/feedback", headers=creditor)).status_code for _ in range(3)
        ]  # fmt: skip
        assert statuses == [200, 200, 429]
        refused = await client.get("/api/v1/feedback", headers=creditor)
        assert int(refused.headers["Retry-After"]) > 0 and "vitens" in refused.json()["detail"]
        other = partner_headers(settings, "menzis", Scope.SUBMIT_SIGNALS)
        assert (await client.get("/api/v1/feedback", headers=other)).status_code == 200

        big = {"signals": [signal_body(contract_reference="x" * 100) for _ in range(30)]}
        declared = await client.post("/api/v1/signals/batch", json=big, headers=other)

        async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted while it arrives
            for _ in range(10):
                yield b" " * 500

        chunked = await client.post("/api/v1/signals/batch", content=streamed(), headers=other)
        assert (declared.status_code, chunked.status_code) == (413, 413)
        assert "body" in declared.json()["detail"] and "body" in chunked.json()["detail"]


async def test_wrong_passwords_slow_that_address_down_but_the_real_user_elsewhere_signs_in(signals: Signals) -> None:
    admin = signals.as_staff(Role.ADMINISTRATOR)
    account = {"username": "worker", "name": "Wim", "role": "outreach_worker", "municipalities": ["GM0141"]}
    created = await signals.client.post(
        "/api/v1/accounts", json={**account, "password": "right-password-123"}, headers=admin
    )
    assert created.status_code == 201
    elsewhere = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=signals.app, client=("10.1.2.3", 40000)), base_url="http://service"
    )

    async def attempt(password: str, client: httpx.AsyncClient = signals.client) -> httpx.Response:
        form = {"grant_type": "password", "username": "Worker", "password": password}
        return await client.post("/api/v1/oauth/token", data=form, headers={"Authorization": ""})

    assert (await attempt("right-password-123")).status_code == 200
    assert [(await attempt(f"wrong-{n}")).status_code for n in range(5)] == [401] * 5
    slowed = await attempt("right-password-123")  # from the guessing address, even the right one waits now
    assert slowed.status_code == 429 and 0 < int(slowed.headers["Retry-After"]) <= 2
    assert "username" in slowed.json()["detail"]
    async with elsewhere:
        assert (await attempt("right-password-123", elsewhere)).status_code == 200  # not locked out
    await asyncio.sleep(2.1)
    assert (await attempt("right-password-123")).status_code == 200  # a delay, not a lock-out
    weak = await signals.client.post(
        "/api/v1/accounts", json={**account, "username": "w2", "password": "short"}, headers=admin
    )
    assert weak.status_code == 422 and "password" in str(weak.json()["detail"])


async def test_an_administrator_needs_the_second_factor_and_can_set_it_up(signals: Signals) -> None:
    password_only = staff_headers(signals.settings, Role.ADMINISTRATOR, second_factor=False)
    refused = await signals.client.get("/api/v1/partners", headers=password_only)
    assert refused.status_code == 403 and "second factor" in refused.json()["detail"]
    page = await signals.client.get("/beheer", headers=password_only)
    assert page.status_code == 303 and page.headers["location"].endswith("/account/tweestaps")

    admin = signals.as_staff(Role.ADMINISTRATOR)
    account = {"username": "anna", "name": "Anna", "role": "administrator", "password": "anna-password-0123"}
    assert (await signals.client.post("/api/v1/accounts", json=account, headers=admin)).status_code == 201
    form = {"grant_type": "password", "username": "anna", "password": "anna-password-0123"}
    token = (await signals.client.post("/api/v1/oauth/token", data=form)).json()["access_token"]
    anna = {"Authorization": f"Bearer {token}"}
    assert (await signals.client.get("/api/v1/partners", headers=anna)).status_code == 403
    secret = (await signals.client.post("/api/v1/account/totp", headers=anna)).json()["secret"]
    wrong = await signals.client.post("/api/v1/account/totp/confirm", json={"code": "000000"}, headers=anna)
    assert wrong.status_code in (204, 422)  # 204 only if 000000 happened to be the code
    code = totp.code_at(secret, time.time())
    assert (
        await signals.client.post("/api/v1/account/totp/confirm", json={"code": code}, headers=anna)
    ).status_code in (
        204,
        422,  # the wrong code above was, by chance, right: then the factor is on already
    )
    without_code = await signals.client.post("/api/v1/oauth/token", data=form)
    assert without_code.status_code == 401 and "totp" in without_code.json()["detail"]
    with_code = await signals.client.post("/api/v1/oauth/token", data={**form, "totp": code})
    anna = {"Authorization": f"Bearer {with_code.json()['access_token']}"}
    assert (await signals.client.get("/api/v1/partners", headers=anna)).status_code == 200
    listed = {item["username"]: item for item in (await signals.client.get("/api/v1/accounts", headers=anna)).json()}
    assert listed["anna"]["second_factor"] is True
    stored = await signals.db.accounts.find_one({"_id": "anna"})
    assert secret not in str(stored)  # the TOTP key is sealed too


async def test_after_a_pseudonym_key_rotation_an_active_case_keeps_its_household(signals: Signals) -> None:
    first = await signals.client.post(
        "/api/v1/signals", json=signal_body(), headers=signals.as_partner("woonstad-almelo")
    )
    rotated = signals.settings.model_copy(
        update={
            "pseudonym_key": SecretStr("integration-pseudonym-key-rotated-0123"),
            "previous_pseudonym_keys": [signals.settings.pseudonym_key],
        }
    )
    app = create_app(rotated)
    async with app.router.lifespan_context(app):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")
        creditor = partner_headers(rotated, "vitens", Scope.SUBMIT_SIGNALS)
        same = await client.post(
            "/api/v1/signals", json=signal_body(creditor_type="water"), headers=creditor
        )  # the same address, after the rotation
        other = await client.post(
            "/api/v1/signals",
            json=signal_body(creditor_type="water", address={"postcode": "7607 AB", "house_number": 2}),
            headers=creditor,
        )
        await client.aclose()
    assert same.json()["case_id"] == first.json()["case_id"]  # still one case for the household
    old_ref = first.json()["case_id"].split("-")[1]
    assert old_ref not in other.json()["case_id"]
    new_signal = await signals.db.signals.find_one({"case_id": other.json()["case_id"]})
    assert new_signal["household_ref"] == "hh-" + other.json()["case_id"].split("-")[1]
