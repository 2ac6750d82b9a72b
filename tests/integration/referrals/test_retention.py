"""What referrals keeps of households has a term, on real Kafka and MongoDB: a referral completed or cancelled
loses the pseudonym, the age, the reasons and names in its history and its published events; a household that left
the cohort loses its plan's texts; old audit entries go; by the register, and only when run by an administrator."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plumbing.access import Role
from services.referrals.register import COHORT_TERM, REFERRAL_TERM, REGISTER
from tests.access import staff_headers
from tests.integration.kafka_helpers import eventually
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration


async def run(referrals: Referrals) -> dict[str, int]:
    admin = staff_headers(referrals.settings, Role.ADMINISTRATOR)
    response = await referrals.client.post("/api/v1/retention/run", headers=admin)
    assert response.status_code == 200, response.text
    report: dict[str, int] = response.json()
    return report


async def step(referrals: Referrals, referral_id: str, action: str, body: dict[str, Any] | None = None) -> None:
    response = await referrals.client.post(f"/api/v1/referrals/{referral_id}/{action}", json=body)
    assert response.status_code == 200, response.text


async def published(referrals: Referrals, collection: str, ids: list[str]) -> None:
    async def relayed() -> bool:
        pending = await referrals.db[collection].count_documents({"_id": {"$in": ids}, "outbox_pending": True})
        return pending == 0

    await eventually(relayed, what="the relay publishing every event")


async def test_a_closed_referral_loses_what_identifies_the_household_after_the_term(referrals: Referrals) -> None:
    await referrals.offer("coaching", capacity_available=4, capacity_maximum=4)
    completed = await referrals.refer("hh-00000000000000a1", age=24)
    cancelled = await referrals.refer("hh-00000000000000a2", age=31)
    still_open = await referrals.refer("hh-00000000000000a3", age=40)
    recent = await referrals.refer("hh-00000000000000a4", age=52)
    await step(referrals, completed["id"], "accept")
    await step(referrals, completed["id"], "complete", {"result": "debt_free"})
    await step(referrals, cancelled["id"], "cancel", {"reason": "Mevrouw Jansen is verhuisd naar Zwolle"})
    await step(referrals, still_open["id"], "accept")
    await step(referrals, recent["id"], "accept")
    await step(referrals, recent["id"], "complete", {"result": "stable"})
    ids = [referral["id"] for referral in (completed, cancelled, still_open, recent)]
    await published(referrals, "referrals", ids)
    old = datetime.now(UTC) - timedelta(days=referrals.settings.closed_referral_retention_days + 1)
    await referrals.db.referrals.update_many({"_id": {"$in": ids[:3]}}, {"$set": {"updated_at": old}})

    assert (await run(referrals))["erased_referrals"] == 2
    for referral_id in (completed["id"], cancelled["id"]):
        stored = await referrals.db.referrals.find_one({"_id": referral_id})
        for entry in REGISTER.erased_by("referrals", REFERRAL_TERM):
            if "[]." in entry.path:
                array, key = entry.path.split("[].")
                assert {item.get(key, entry.erased_value) for item in stored[array]} == {entry.erased_value}
            else:
                assert stored[entry.path] == entry.erased_value, entry.path
        for value in ("hh-00000000000000a", "Jansen", "Zwolle"):
            assert value not in str(stored), value
    done = (await referrals.client.get(f"/api/v1/referrals/{completed['id']}")).json()
    assert (done["state"], done["result"], done["offer_id"]) == ("completed", "debt_free", "coaching")
    for kept, household, age in ((still_open, "hh-00000000000000a3", 40), (recent, "hh-00000000000000a4", 52)):
        stored = await referrals.db.referrals.find_one({"_id": kept["id"]})
        assert (stored["household_ref"], stored["age"]) == (household, age)
    assert (await run(referrals))["erased_referrals"] == 0


async def test_a_household_that_left_the_cohort_loses_its_plans_texts_after_the_term(referrals: Referrals) -> None:
    soon = (date.today() + timedelta(days=30)).isoformat()
    members = "/api/v1/cohorts/doorbraak/members"
    for household in ("hh-00000000000000b1", "hh-00000000000000b2"):
        enrolment = {
            "household_ref": household,
            "municipality": "GM0141",
            "goals": ["huur van Kees betaald"],
            "steps": [{"text": "afspraak met Kees bij de woningcorporatie", "due": soon}],
            "reviews": [soon],
        }
        assert (await referrals.client.post(members, json=enrolment)).status_code == 201
    assert (await referrals.client.post(f"{members}/hh-00000000000000b1/steps/0/done")).status_code == 204
    left = await referrals.client.post(f"{members}/hh-00000000000000b1/exit", json={"reason": "plan_completed"})
    assert left.status_code == 204
    await published(referrals, "cohort_members", ["hh-00000000000000b1", "hh-00000000000000b2"])
    assert (await run(referrals))["erased_cohort_members"] == 0  # left today
    long_ago = (date.today() - timedelta(days=referrals.settings.cohort_retention_days + 1)).isoformat()
    await referrals.db.cohort_members.update_one({"_id": "hh-00000000000000b1"}, {"$set": {"exited.on": long_ago}})

    assert (await run(referrals))["erased_cohort_members"] == 1
    former = await referrals.db.cohort_members.find_one({"_id": "hh-00000000000000b1"})
    assert [entry.path for entry in REGISTER.erased_by("cohort_members", COHORT_TERM)] == ["goals", "steps[].text"]
    assert (former["goals"], former["steps"]) == ([], [{"text": "", "due": soon, "done": True}])
    assert "Kees" in str(await referrals.db.cohort_members.find_one({"_id": "hh-00000000000000b2"}))
    cohort = (await referrals.client.get("/api/v1/cohorts/doorbraak")).json()
    progress = {member["household_ref"]: member for member in cohort["members"]}
    assert (cohort["enrolled"], progress["hh-00000000000000b1"]["steps_done"]) == (2, 1)
    assert (await run(referrals))["erased_cohort_members"] == 0


async def test_old_audit_entries_are_deleted_and_only_administrators_run_retention(referrals: Referrals) -> None:
    soon = (date.today() + timedelta(days=30)).isoformat()
    enrolment = {
        "household_ref": "hh-00000000000000d1",
        "municipality": "GM0141",
        "goals": ["rust"],
        "steps": [{"text": "budgetplan", "due": soon}],
        "reviews": [soon],
    }
    assert (await referrals.client.post("/api/v1/cohorts/doorbraak/members", json=enrolment)).status_code == 201
    entries = await referrals.db.audit.find({"record": "household:hh-00000000000000d1"}).to_list()
    assert len(entries) == 1
    written = datetime.now(UTC) - timedelta(days=referrals.settings.audit_retention_days + 1)
    await referrals.db.audit.update_one({"_id": entries[0]["_id"]}, {"$set": {"at": written}})
    assert (await run(referrals))["expired_audit_entries"] == 1
    assert await referrals.db.audit.count_documents({"record": "household:hh-00000000000000d1"}) == 0
    assert (await referrals.client.post("/api/v1/retention/run")).status_code == 403  # a debt specialist
