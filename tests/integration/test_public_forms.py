"""The public forms' abuse limits (plumbing.public_forms), on both public forms and their APIs: the residents' help
request (signals) and the volunteers' sign-up. Rate per client address, size of body and fields, the honeypot and
duplicates; a refused or trapped submission stores nothing in any collection."""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from plumbing.public_forms import HONEYPOT
from services.signals.app import create_app as signals_app
from services.volunteers.app import create_app as volunteers_app
from services.volunteers.settings import VolunteersSettings
from tests.conftest import Servers
from tests.integration.served import served
from tests.integration.signals.conftest import signals_settings

pytestmark = pytest.mark.integration
PUBLIC = {"Authorization": ""}


@dataclass(frozen=True)
class Form:
    service: str
    page: str  # where the form posts
    api: str
    collection: str  # where a submission is stored
    form: Callable[[int], dict[str, Any]]  # a valid submission, a different one per number
    body: Callable[[int], dict[str, Any]]  # the same, as the API takes it
    stored: str  # what the page says when it is received
    duplicate: str  # what it says the second time


def help_form(number: int) -> dict[str, Any]:
    return {
        "inkomen": "short",
        "achterstanden": ["rent", "energy"],
        "gemeente": "GM0141",
        "toestemming": "ja",
        "naam": f"Sanne de Vries {number}",
        "contact": "phone",
        "telefoon": "06 98765432",
        "postcode": "7607 AB",
        "huisnummer": str(10 + number),
    }


def help_body(number: int) -> dict[str, Any]:
    return {
        "test": {"income": "short", "arrears": ["rent"], "municipality": "GM0141"},
        "consent": True,
        "name": f"Sanne de Vries {number}",
        "contact_by": "phone",
        "phone": "06 98765432",
        "postcode": "7607 AB",
        "house_number": 10 + number,
    }


def sign_up_form(number: int) -> dict[str, Any]:
    return {
        "naam": f"Vera Vrijwilliger {number}",
        "email": f"vera{number}@example.nl",
        "rollen": ["debt_buddy"],
        "gemeenten": ["GM0141"],
    }


def sign_up_body(number: int) -> dict[str, Any]:
    return {
        "name": f"Vera Vrijwilliger {number}",
        "email": f"vera{number}@example.nl",
        "roles": ["debt_buddy"],
        "municipalities": ["GM0141"],
    }


FORMS = [
    Form(
        "signals",
        "/hulp-vragen/aanvraag",
        "/api/v1/help-requests",
        "cases",
        help_form,
        help_body,
        "Uw hulpvraag is ontvangen",
        "hadden wij al ontvangen",
    ),
    Form(
        "volunteers",
        "/aanmelden",
        "/api/v1/sign-ups",
        "volunteers",
        sign_up_form,
        sign_up_body,
        "Uw aanmelding is ontvangen",
        "hadden wij al ontvangen",
    ),
]


@dataclass
class Public:
    app: FastAPI
    client: httpx.AsyncClient
    form: Form

    @property
    def db(self) -> Any:
        return self.app.state.runtime.db

    async def stored(self) -> int:
        count: int = await self.db[self.form.collection].count_documents({})
        return count

    async def everything(self) -> dict[str, int]:
        """Every collection's count but the rate's: the address's count is the limit itself, no content."""
        names = [name for name in await self.db.list_collection_names() if name != "public_form_rates"]
        return {name: await self.db[name].count_documents({}) for name in names}

    async def post(self, data: dict[str, Any], **headers: str) -> httpx.Response:
        return await self.client.post(self.form.page, data=data, headers={**PUBLIC, **headers})


def make_app(form: Form, servers: Servers, namespace: str, **changes: Any) -> FastAPI:
    if form.service == "signals":
        return signals_app(signals_settings(servers, namespace, **changes))
    settings = VolunteersSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        **changes,
    )
    return volunteers_app(settings)


@pytest.fixture(params=FORMS, ids=lambda form: form.service)
def form(request: pytest.FixtureRequest) -> Form:
    chosen: Form = request.param
    return chosen


@pytest.fixture
def settings_changes() -> dict[str, Any]:
    return {}


@pytest.fixture
async def public(
    form: Form, servers: Servers, namespace: str, settings_changes: dict[str, Any]
) -> AsyncIterator[Public]:
    app = make_app(form, servers, namespace, **settings_changes)
    async with served(app) as client:
        yield Public(app, client, form)


async def test_the_same_form_sent_120_times_at_once_is_stored_once(public: Public) -> None:
    responses = await asyncio.gather(*(public.post(public.form.form(1)) for _ in range(120)))
    codes = [response.status_code for response in responses]
    assert set(codes) <= {200, 429}, codes
    limit = public.app.state.settings.public_form_per_minute
    assert codes.count(200) == limit, "the rest are refused by the rate limit"
    assert all(response.headers["retry-after"].isdigit() for response in responses if response.status_code == 429)
    assert await public.stored() == 1
    texts = [response.text for response in responses if response.status_code == 200]
    assert sum(public.form.duplicate in text for text in texts) == limit - 1


async def test_the_same_form_again_is_recognised_and_said_so_kindly(public: Public) -> None:
    first = await public.post(public.form.form(1))
    assert first.status_code == 200 and public.form.stored in first.text
    again = await public.post(public.form.form(1))
    assert again.status_code == 200 and public.form.duplicate in again.text
    other = await public.post(public.form.form(2))
    assert other.status_code == 200 and public.form.duplicate not in other.text
    assert await public.stored() == 2


async def test_the_same_sign_up_or_request_again_through_the_api_is_stored_once(public: Public) -> None:
    first = await public.client.post(public.form.api, json=public.form.body(1), headers=PUBLIC)
    again = await public.client.post(public.form.api, json=public.form.body(1), headers=PUBLIC)
    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert await public.stored() == 1


@pytest.mark.parametrize("settings_changes", [{"public_form_per_minute": 3}])
async def test_a_client_address_above_the_rate_gets_a_dutch_page_with_retry_after(public: Public) -> None:
    for number in range(3):
        assert (await public.post(public.form.form(number))).status_code == 200
    refused = await public.post(public.form.form(3))
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("text/html")
    assert "<h1>Even wachten</h1>" in refused.text and int(refused.headers["retry-after"]) >= 1
    pretending = await public.post(public.form.form(4), **{"X-Forwarded-For": "203.0.113.9"})
    assert pretending.status_code == 429, "X-Forwarded-For from a peer that is no trusted proxy is not believed"
    api = await public.client.post(public.form.api, json=public.form.body(5), headers=PUBLIC)
    assert api.status_code == 429 and api.json()["detail"] and int(api.headers["retry-after"]) >= 1
    assert await public.stored() == 3


@pytest.mark.parametrize("settings_changes", [{"public_form_per_minute": 4, "token_key": "one-key-for-all-replicas"}])
async def test_two_replicas_sharing_one_database_hold_one_rate_per_address(
    public: Public, servers: Servers, namespace: str, settings_changes: dict[str, Any]
) -> None:
    replica = make_app(public.form, servers, namespace, **settings_changes)
    async with served(replica) as second:
        clients = [public.client, second] * 6
        responses = await asyncio.gather(
            *(client.post(public.form.page, data=public.form.form(number), headers=PUBLIC)
              for number, client in enumerate(clients))
        )  # fmt: skip
        codes = [response.status_code for response in responses]
        assert set(codes) <= {200, 429}, codes
        assert codes.count(200) == 4, "one rate for the address, not one per replica"
        assert await public.stored() == 4
        api = await second.post(public.form.api, json=public.form.body(20), headers=PUBLIC)
        assert api.status_code == 429 and int(api.headers["retry-after"]) >= 1


@pytest.mark.parametrize("settings_changes", [{"public_form_per_minute": 2, "trusted_proxies": ["127.0.0.1"]}])
async def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(public: Public) -> None:
    for number in range(2):
        assert (await public.post(public.form.form(number), **{"X-Forwarded-For": "203.0.113.9"})).status_code == 200
    assert (await public.post(public.form.form(2), **{"X-Forwarded-For": "203.0.113.9"})).status_code == 429
    other = await public.post(public.form.form(3), **{"X-Forwarded-For": "198.51.100.4, 127.0.0.1"})
    assert other.status_code == 200


async def test_a_filled_honeypot_shows_the_confirmation_and_stores_nothing(public: Public) -> None:
    before = await public.everything()
    trapped = await public.post({**public.form.form(1), HONEYPOT: "http://spam.example"})
    assert trapped.status_code == 200 and public.form.stored in trapped.text
    assert await public.everything() == before


async def test_a_field_too_long_is_refused_beside_it_and_stores_nothing(public: Public) -> None:
    before = await public.everything()
    name_field = "naam"
    refused = await public.post({**public.form.form(1), name_field: "x" * 501})
    assert refused.status_code == 422
    assert f'id="{name_field}-fout"' in refused.text and "te lang" in refused.text
    assert await public.everything() == before


LONG = "x" * 501  # past the pages' field limit (public_form_max_field_chars), within the body's
API_TEXT_FIELDS = {
    "signals": ["name", "phone", "postcode", "addition", "street", "city", "employer_code"],
    "volunteers": ["name", "phone", "recruited_through", "languages.0"],
}


def with_long(body: dict[str, Any], path: str) -> dict[str, Any]:
    """The body with the text at `path` (`languages.0`: the list's first element) too long."""
    name, _, index = path.partition(".")
    return {**body, name: [LONG] if index else LONG}


async def test_every_text_field_too_long_through_the_api_is_refused_naming_it_and_stores_nothing(
    public: Public,
) -> None:
    for path in API_TEXT_FIELDS[public.form.service]:
        refused = await public.client.post(public.form.api, json=with_long(public.form.body(1), path), headers=PUBLIC)
        assert refused.status_code == 422, (path, refused.text)
        at_fault = [".".join(str(part) for part in problem["loc"][1:]) for problem in refused.json()["detail"]]
        assert path in at_fault, (path, at_fault)
    assert await public.stored() == 0


async def test_the_same_request_again_through_the_api_answers_with_the_earlier_id(public: Public) -> None:
    first = (await public.client.post(public.form.api, json=public.form.body(1), headers=PUBLIC)).json()
    again = (await public.client.post(public.form.api, json=public.form.body(1), headers=PUBLIC)).json()
    key = "request_id" if public.form.service == "signals" else "id"
    assert again[key] == first[key] and again["duplicate"] is True
    assert await public.stored() == 1


async def test_a_body_too_large_is_refused_with_413(public: Public) -> None:
    huge = await public.post({**public.form.form(1), "opvulling": "x" * 20_000})
    assert huge.status_code == 413 and "<h1>Te groot</h1>" in huge.text
    api = await public.client.post(
        public.form.api, json={**public.form.body(1), "padding": "x" * 20_000}, headers=PUBLIC
    )
    assert api.status_code == 413 and "body" in api.json()["detail"]
    assert await public.stored() == 0
