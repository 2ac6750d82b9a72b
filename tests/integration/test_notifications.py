"""E-mail notifications reach a real SMTP server exactly once, also when their trigger is delivered again."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent, encode
from plumbing.mail import Notification, enqueue, prune_sent
from services.referrals.app import create_app as referrals_app
from services.referrals.settings import ReferralsSettings
from services.signals.app import create_app as signals_app
from services.signals.calendar import add_working_days
from services.signals.digest import AMSTERDAM, queue_digests
from services.volunteers.app import create_app as volunteers_app
from services.volunteers.settings import VolunteersSettings
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce, read_all
from tests.integration.mailbox import Mailbox, mailbox
from tests.integration.referrals.conftest import Referrals
from tests.integration.served import served
from tests.integration.signals.conftest import Signals, signal_body, signals_settings

pytestmark = pytest.mark.integration
__all__ = ["mailbox"]


def mail_settings(mailbox: Mailbox) -> dict[str, Any]:
    return {"smtp_port": mailbox.port, "mail_interval_seconds": 0.2, "outbox_scan_seconds": 0.5}


@pytest.fixture
async def referrals(servers: Servers, namespace: str, mailbox: Mailbox) -> AsyncIterator[Referrals]:
    settings = ReferralsSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        **mail_settings(mailbox),
    )
    app = referrals_app(settings)
    async with served(app, staff_headers(settings, Role.DEBT_SPECIALIST)) as client:
        yield Referrals(app, client, settings)


async def test_a_partner_hears_of_a_new_referral_by_e_mail_once(
    referrals: Referrals, mailbox: Mailbox, servers: Servers
) -> None:
    await referrals.offer("coaching", name="Budgetcoaching Humanitas", notify_email="verwijzingen@humanitas.nl")
    await referrals.offer("quiet", name="Zonder e-mail", municipalities=["GM0150"])
    referral = await referrals.refer()
    await referrals.refer(household="hh-00000000000000a2", municipality="GM0150")

    async def arrived() -> bool:
        return len(mailbox.about("referral-arrived:")) == 1

    await eventually(arrived, what="the referral e-mail")
    (mail,) = mailbox.about("referral-arrived:")
    assert (mail["To"], mail["Subject"]) == ("verwijzingen@humanitas.nl", "Nieuwe verwijzing: Budgetcoaching Humanitas")
    assert f"/verwijzingen/{referral['id']}" in mail.get_payload()
    assert "hh-" not in mail.get_payload() + mail["Subject"]  # not even the pseudonym

    topic = referrals.settings.topic("referrals.events")
    matched = [record.value for record in await read_all(servers.kafka_bootstrap, topic, expected=2)]
    await produce(servers.kafka_bootstrap, topic, matched)  # delivered again, as after a crash
    await asyncio.sleep(2)
    assert len(mailbox.about("referral-arrived:")) == 1
    assert await referrals.db.notifications.count_documents({"state": "sent"}) == 1


async def test_a_volunteer_hears_of_an_assignment_by_e_mail_once(
    servers: Servers, namespace: str, mailbox: Mailbox
) -> None:
    settings = VolunteersSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        mongo_database=namespace,
        topic_prefix=namespace,
        **mail_settings(mailbox),
    )
    app = volunteers_app(settings)
    async with served(app, staff_headers(settings, Role.VOLUNTEER_COORDINATOR)) as client:
        volunteer = {
            "id": "eva",
            "name": "Eva",
            "email": "eva@example.nl",
            "roles": ["debt_buddy"],
            "municipalities": ["GM0141"],
            "status": "active",
            "certificate_of_conduct_date": "2026-06-01",
            "trained_roles": ["debt_buddy"],
        }
        assert (await client.put("/api/v1/volunteers/eva", json=volunteer)).status_code in (200, 201)
        matched = CloudEvent(
            id="m-1",
            source="/tests",
            type="nl.redzaam.household.matched",
            subject="hh-00000000000000b1",
            time=datetime.now(UTC),
            data={
                "referral_id": "r-1",
                "household_ref": "hh-00000000000000b1",
                "municipality": "GM0141",
                "offer_id": "maatje",
                "organisation": "Humanitas",
                "phase": "early_intervention",
                "volunteer_role": "debt_buddy",
            },
        )
        await produce(servers.kafka_bootstrap, settings.topic("referrals.events"), [encode(matched)] * 2)

        async def arrived() -> bool:
            return len(mailbox.about("volunteer-assigned:")) == 1

        await eventually(arrived, what="the assignment e-mail")
        (mail,) = mailbox.about("volunteer-assigned:")
        assert (mail["To"], mail["Subject"]) == ("eva@example.nl", "U bent gekoppeld via Redzaam")
        assert "schuldhulpmaatje" in mail.get_payload() and "hh-" not in mail.get_payload()
        assigned = [r.value for r in await read_all(servers.kafka_bootstrap, settings.topic("volunteers.events"), 2)]
        await produce(servers.kafka_bootstrap, settings.topic("volunteers.events"), assigned)
        await asyncio.sleep(2)
        assert len(mailbox.about("volunteer-assigned:")) == 1


async def test_each_team_gets_one_digest_a_day_of_its_cases_due(
    servers: Servers, namespace: str, mailbox: Mailbox
) -> None:
    settings = signals_settings(
        servers,
        namespace,
        team_mailboxes={"GM0141": "wijkteam@almelo.nl", "GM0150": "wijkteam@deventer.nl"},
        **mail_settings(mailbox),
    )
    app = signals_app(settings)
    async with served(app, staff_headers(settings, Role.OUTREACH_WORKER)) as client:
        signals = Signals(app, client, settings)
        created = []
        for house in range(3):
            body = signal_body(address={"postcode": "7607 AB", "house_number": house + 1})
            accepted = await client.post("/api/v1/signals", json=body, headers=signals.as_partner("woonstad-almelo"))
            assert accepted.status_code == 202, accepted.text
            created.append(accepted.json()["case_id"])
        today = date.today()
        deadlines = [today - timedelta(days=1), add_working_days(today, 2), add_working_days(today, 9)]
        for case_id, deadline in zip(created, deadlines, strict=True):  # late, due, and not due yet
            await signals.db.cases.update_one({"_id": case_id}, {"$set": {"deadline": deadline.isoformat()}})
        morning = datetime.combine(today, time(8), AMSTERDAM)
        assert await queue_digests(signals.db, settings, morning.replace(hour=5)) == 0  # before the digest hour
        assert await queue_digests(signals.db, settings, morning) == 1  # Deventer has nothing due: no e-mail
        assert await queue_digests(signals.db, settings, morning.replace(hour=9)) == 0  # the job runs hourly

        async def arrived() -> bool:
            return len(mailbox.about("digest:")) == 1

        await eventually(arrived, what="the digest")
        (mail,) = mailbox.about("digest:")
        assert (mail["To"], mail["Subject"]) == (
            "wijkteam@almelo.nl",
            "Werkvoorraad Almelo: 2 casussen met een termijn die afloopt",
        )
        assert "bij 1 daarvan is de termijn al verstreken" in mail.get_payload()
        assert "7607" not in mail.get_payload()  # counts only


async def test_notifications_sent_longer_ago_than_their_term_are_deleted(mongo: Any) -> None:
    await enqueue(mongo, [Notification(key=f"n-{n}", to="a@example.nl", subject="s", body="b") for n in range(3)])
    now = datetime.now(UTC)
    await mongo.notifications.update_many({"_id": {"$in": ["n-0", "n-1"]}}, {"$set": {"state": "sent"}})
    await mongo.notifications.update_one({"_id": "n-0"}, {"$set": {"sent_at": now - timedelta(days=31)}})
    await mongo.notifications.update_one({"_id": "n-1"}, {"$set": {"sent_at": now - timedelta(days=29)}})
    assert await prune_sent(mongo, days=30, now=now) == 1
    assert sorted(await mongo.notifications.distinct("_id")) == ["n-1", "n-2"]  # the unsent one waits whatever its age
