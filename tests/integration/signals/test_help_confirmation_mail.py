"""A resident who gave an e-mail address and asked for it gets one confirmation of their help request, through a
real SMTP server: once, also when the same request comes again; nothing personal in the subject."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.signals.app import create_app
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually
from tests.integration.mailbox import Mailbox, mailbox
from tests.integration.served import Served, served
from tests.integration.signals.conftest import signals_settings

pytestmark = pytest.mark.integration
__all__ = ["mailbox"]
PUBLIC = {"Authorization": ""}


@pytest.fixture
async def signals(servers: Servers, namespace: str, mailbox: Mailbox) -> AsyncIterator[Served]:
    settings = signals_settings(servers, namespace, smtp_port=mailbox.port, mail_interval_seconds=0.2)
    app = create_app(settings)
    async with served(app) as client:
        yield Served(app, client)


def form(**changes: Any) -> dict[str, Any]:
    return {
        "inkomen": "short",
        "achterstanden": ["rent", "energy"],
        "gemeente": "GM0141",
        "toestemming": "ja",
        "naam": "Sanne de Vries",
        "contact": "email",
        "email": "sanne@example.nl",
        "postcode": "7607 AB",
        "huisnummer": "12",
        **changes,
    }


async def test_a_confirmation_goes_once_to_a_resident_who_asked_for_it(signals: Served, mailbox: Mailbox) -> None:
    without = await signals.client.post("/hulp-vragen/aanvraag", data=form(huisnummer="14"), headers=PUBLIC)
    assert without.status_code == 200 and "bevestiging per e-mail" not in without.text
    page = await signals.client.post("/hulp-vragen/aanvraag", data=form(bevestiging="ja"), headers=PUBLIC)
    assert page.status_code == 200 and "U krijgt een bevestiging per e-mail." in page.text

    async def arrived() -> bool:
        return len(mailbox.about("help-request-received:")) == 1

    await eventually(arrived, within=30, what="the confirmation at the SMTP server")
    again = await signals.client.post("/hulp-vragen/aanvraag", data=form(bevestiging="ja"), headers=PUBLIC)
    assert "hadden wij al ontvangen" in again.text
    await asyncio.sleep(1)  # several rounds of the mail job
    assert await signals.db.notifications.count_documents({}) == 1
    (mail,) = mailbox.about("help-request-received:")
    assert mail["To"] == "sanne@example.nl" and mail["Subject"] == "Uw hulpvraag is ontvangen"
    body = mail.get_payload(decode=True).decode()
    assert "werkdagen" in body and "gemeente Almelo" in body and "Sanne" not in body
    assert len(mailbox.received) == 1, "the request without the wish for a confirmation got none"
