"""The daily digest also goes to each neighbourhood team's own mailbox, with only the team's cases; the mailboxes per
municipality (`team_mailboxes`) keep getting all the municipality's."""

from datetime import date, datetime, time, timedelta

import pytest

from plumbing.unit_of_work import UnitOfWork
from services.signals.calendar import add_working_days
from services.signals.digest import AMSTERDAM, queue_digests
from services.signals.teams import TeamCreate, create_team
from tests.factories import signal_body
from tests.integration.signals.conftest import Signals

pytestmark = pytest.mark.integration


async def test_a_team_with_a_mailbox_gets_the_digest_of_its_own_cases(signals: Signals) -> None:
    settings = signals.settings.model_copy(update={"team_mailboxes": {"GM0141": "wijkteam@almelo.nl"}})
    work = UnitOfWork(signals.db, None)
    north = await create_team(
        work, TeamCreate(municipality="GM0141", name="Noord", postcode_areas=["7601"], mailbox="noord@almelo.nl")
    )
    await create_team(work, TeamCreate(municipality="GM0141", name="Zuid", postcode_areas=["7607"]))  # no mailbox
    today = date.today()
    cases = {}
    for house, postcode, deadline in (
        (1, "7601 AB", today - timedelta(days=1)),  # Noord, late
        (2, "7601 AB", add_working_days(today, 2)),  # Noord, due
        (3, "7601 AB", add_working_days(today, 9)),  # Noord, not due yet
        (4, "7607 AB", add_working_days(today, 1)),  # Zuid, due
        (5, "7604 GH", today - timedelta(days=3)),  # no team, late
    ):
        body = signal_body(address={"postcode": postcode, "house_number": house})
        accepted = await signals.client.post(
            "/api/v1/signals", json=body, headers=signals.as_partner("woonstad-almelo")
        )
        cases[house] = accepted.json()["case_id"]
        await signals.db.cases.update_one({"_id": cases[house]}, {"$set": {"deadline": deadline.isoformat()}})
    morning = datetime.combine(today, time(8), AMSTERDAM)
    assert await queue_digests(signals.db, settings, morning) == 2
    assert await queue_digests(signals.db, settings, morning.replace(hour=10)) == 0  # once a day
    queued = {mail["to"]: mail async for mail in signals.db.notifications.find({})}
    assert set(queued) == {"wijkteam@almelo.nl", "noord@almelo.nl"}
    assert queued["wijkteam@almelo.nl"]["subject"] == "Werkvoorraad Almelo: 4 casussen met een termijn die afloopt"
    assert "bij 2 daarvan is de termijn al verstreken" in queued["wijkteam@almelo.nl"]["body"]
    team_mail = queued["noord@almelo.nl"]
    assert team_mail["subject"] == "Werkvoorraad Noord (Almelo): 2 casussen met een termijn die afloopt"
    assert "bij 1 daarvan is de termijn al verstreken" in team_mail["body"]
    assert f"team={north}" in team_mail["body"] and "7601" not in team_mail["body"]
