"""Each service's app hands to a handler exactly the event types its subscriptions.py declares, the table the
AsyncAPI document, reporting's rebuild and the canvases' check (tests/unit/test_canvases.py) read: a type handled
but not declared, or declared but not handled, fails here."""

from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI

from plumbing.kafka import EVERY_TYPE
from services.referrals import kafka_answers, partner_topics
from services.referrals import subscriptions as referrals_subscriptions
from services.referrals.app import create_app as referrals_app
from services.referrals.settings import ReferralsSettings
from services.reporting import subscriptions as reporting_subscriptions
from services.reporting.app import create_app as reporting_app
from services.reporting.facts import FACTS_OF
from services.reporting.settings import ReportingSettings
from services.signals import subscriptions as signals_subscriptions
from services.signals.app import create_app as signals_app
from services.signals.settings import SignalsSettings
from services.volunteers import subscriptions as volunteers_subscriptions
from services.volunteers.app import create_app as volunteers_app
from services.volunteers.settings import VolunteersSettings
from tests.conftest import Servers
from tests.integration.served import served

pytestmark = pytest.mark.integration


def declared(module: ModuleType) -> set[str]:
    return {
        value
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and not name.endswith("_TOPIC")
    }


def app_of(service: str, servers: Servers, namespace: str) -> FastAPI:
    common: dict[str, Any] = {
        "kafka_bootstrap": servers.kafka_bootstrap,
        "mongo_uri": servers.mongo_uri,
        "mongo_database": namespace,
        "topic_prefix": namespace,
    }
    if service == "signals":
        return signals_app(
            SignalsSettings(
                **common, pseudonym_key="integration-pseudonym-key-0123456789", data_key="integration-data-key-012345"
            )
        )
    if service == "referrals":
        return referrals_app(ReferralsSettings(**common))
    if service == "volunteers":
        return volunteers_app(VolunteersSettings(**common))
    return reporting_app(ReportingSettings(**common))


SUBSCRIPTIONS = {
    "signals": signals_subscriptions,
    "referrals": referrals_subscriptions,
    "volunteers": volunteers_subscriptions,
    "reporting": reporting_subscriptions,
}


@pytest.mark.parametrize("service", SUBSCRIPTIONS)
async def test_the_app_handles_exactly_the_types_its_subscriptions_declare(
    service: str, servers: Servers, namespace: str
) -> None:
    app = app_of(service, servers, namespace)
    async with served(app):
        handled = set().union(*(consumer.event_types for consumer in app.state.runtime.consumers))
    if service == "reporting":  # one batch handler for every type, whose table says what each counts
        assert handled == {EVERY_TYPE}
        handled = set(FACTS_OF)
    if service == "referrals":  # the partner feed and the partners' answers take every type and pick their own
        assert EVERY_TYPE in handled
        handled = (handled - {EVERY_TYPE}) | set(partner_topics.STATE_OF) | {kafka_answers.REFERRAL_ANSWERED}
    assert sorted(handled - declared(SUBSCRIPTIONS[service])) == [], "handled but not in subscriptions.py"
    assert sorted(declared(SUBSCRIPTIONS[service]) - handled) == [], "in subscriptions.py but handled by none"
