"""The partner employee's and the caseworker's pages of referrals: every action through the API's use case, bad
input answered in Dutch beside the field, another organisation's offer refused with a Dutch page."""

import uuid
from typing import Any

import pytest

from plumbing.access import Role
from plumbing.events import CloudEvent, encode, new_event
from services.signals.events import PartnerJoined
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually, produce, read_all
from tests.integration.referrals.conftest import Referrals

pytestmark = pytest.mark.integration

OFFER_FORM: dict[str, Any] = {
    "nieuw": "1",
    "code": "budgetcoach-almelo",
    "naam": "Budgetcoaching Almelo",
    "organisatie": "Humanitas Twente",
    "status": "active",
    "soort": "",
    "fase": "early_intervention",
    "gemeenten": ["GM0141", "GM0150"],
    "behoeften": ["budget_coaching", "debt_help"],
    "leeftijd_vanaf": "18",
    "leeftijd_tot": "",
    "talen": "nl, en",
    "plekken": "3",
    "eenheid": "households",
    "meldadres": "team@humanitas.example",
    "vrijwilliger": "budget_coach",
}


def household() -> str:
    return f"hh-{uuid.uuid4().hex[:16]}"


def employee(referrals: Referrals, organisation: str = "humanitas") -> dict[str, str]:
    return staff_headers(referrals.settings, Role.PARTNER_EMPLOYEE, organisation=organisation)


async def test_partner_employee_publishes_an_offer_for_its_own_organisation_from_the_page(
    referrals: Referrals,
) -> None:
    saved = await referrals.client.post("/aanbod", data=OFFER_FORM, headers=employee(referrals))
    assert (saved.status_code, saved.headers["location"]) == (303, "/aanbod?opgeslagen=budgetcoach-almelo")
    (offer,) = (await referrals.client.get("/api/v1/offers")).json()
    assert offer["organisation_id"] == "humanitas"  # as itself, whatever the form said
    assert (offer["capacity_maximum"], offer["capacity_available"], offer["age_minimum"]) == (3, 3, 18)
    assert (offer["needs"], offer["languages"], offer["volunteer_role"]) == (
        ["budget_coaching", "debt_help"],
        ["nl", "en"],
        "budget_coach",
    )
    assert offer["kind"] == "debt_help"  # without a kind: from the most specific need served
    listing = await referrals.client.get("/aanbod", headers=employee(referrals))
    assert "Budgetcoaching Almelo" in listing.text and "3 van 3" in listing.text


async def test_editing_the_places_shows_free_places_less_those_held(referrals: Referrals) -> None:
    await referrals.client.post("/aanbod", data=OFFER_FORM, headers=employee(referrals))
    referral = await referrals.refer(household=household(), needs=["budget_coaching"])
    accepted = await referrals.client.post(f"/api/v1/referrals/{referral['id']}/accept", headers=employee(referrals))
    assert accepted.status_code == 200
    edited = await referrals.client.post(
        "/aanbod", data={**OFFER_FORM, "nieuw": "0", "plekken": "5"}, headers=employee(referrals)
    )
    assert edited.status_code == 303
    (offer,) = (await referrals.client.get("/api/v1/offers")).json()
    assert (offer["capacity_maximum"], offer["capacity_available"]) == (5, 5 - 1)
    page = await referrals.client.get("/aanbod/budgetcoach-almelo", headers=employee(referrals))
    assert "Nu 4 vrij; 1 plek wordt vastgehouden" in page.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"naam": ""}, "naam", "Vul de naam van het aanbod in"),
        ({"plekken": "veel"}, "plekken", "Vul het aantal plekken in als heel getal"),
        ({"gemeenten": []}, "gemeenten", "Kies minstens één gemeente."),
        ({"fase": ""}, "fase", "Kies een fase."),
        ({"code": "Hoofd Letters"}, "code", "Gebruik 2 tot 63 kleine letters"),
        ({"meldadres": "geen-adres"}, "meldadres", "Vul een geldig e-mailadres in"),
        ({"leeftijd_vanaf": "30", "leeftijd_tot": "20"}, "leeftijd_tot", "mag niet lager zijn dan de leeftijd vanaf"),
    ],
)
async def test_a_bad_offer_form_is_answered_in_dutch_beside_the_field_and_nothing_is_stored(
    referrals: Referrals, changes: dict[str, Any], field: str, message: str
) -> None:
    page = await referrals.client.post("/aanbod", data={**OFFER_FORM, **changes}, headers=employee(referrals))
    assert page.status_code == 422
    assert f'id="{field}-fout" class="error">' in page.text and message in page.text
    assert f'aria-describedby="{field}-fout"' in page.text or f'{field}-fout"' in page.text
    assert (await referrals.client.get("/api/v1/offers")).json() == []


async def test_a_partner_employee_may_not_open_or_save_another_organisations_offer(referrals: Referrals) -> None:
    await referrals.offer("van-een-ander", organisation_id="budgetbureau")
    page = await referrals.client.get("/aanbod/van-een-ander", headers=employee(referrals))
    assert page.status_code == 403 and "Geen toegang" in page.text and "text/html" in page.headers["content-type"]
    form = {**OFFER_FORM, "nieuw": "0", "code": "van-een-ander"}
    saved = await referrals.client.post("/aanbod", data=form, headers=employee(referrals))
    assert saved.status_code == 403 and "Geen toegang" in saved.text
    (offer,) = (await referrals.client.get("/api/v1/offers")).json()
    assert offer["organisation_id"] == "budgetbureau"


async def test_a_partner_cannot_take_over_another_organisations_offer_through_the_api(referrals: Referrals) -> None:
    """Before, only the body's organisation was checked: a partner could overwrite another's offer as its own."""
    await referrals.offer("van-een-ander", organisation_id="budgetbureau")
    body = {
        "id": "van-een-ander",
        "name": "Overgenomen",
        "organisation": "Humanitas",
        "organisation_id": "humanitas",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "capacity_available": 0,
        "capacity_maximum": 0,
    }
    response = await referrals.client.put("/api/v1/offers/van-een-ander", json=body, headers=employee(referrals))
    assert response.status_code == 403 and response.json()["detail"].startswith("id:")
    (offer,) = (await referrals.client.get("/api/v1/offers")).json()
    assert (offer["organisation_id"], offer["name"]) == ("budgetbureau", "van-een-ander")


async def test_decline_from_the_page_needs_a_reason_and_announces_its_category(
    referrals: Referrals, servers: Servers
) -> None:
    await referrals.offer("eigen")
    referral = await referrals.refer(household=household())
    missing = await referrals.client.post(
        f"/verwijzingen/{referral['id']}/afwijzen", data={"toelichting": "vol"}, headers=employee(referrals)
    )
    assert missing.status_code == 422
    assert '<p id="reden-fout" class="error">Kies een reden.</p>' in missing.text
    assert 'aria-describedby="reden-fout"' in missing.text and ">vol</textarea>" in missing.text
    declined = await referrals.client.post(
        f"/verwijzingen/{referral['id']}/afwijzen",
        data={"reden": "not_eligible", "toelichting": "buiten ons werkgebied"},
        headers=employee(referrals),
    )
    assert (declined.status_code, declined.headers["location"]) == (303, "/?afgewezen=1")
    records = await read_all(servers.kafka_bootstrap, referrals.settings.topic("referrals.events"), expected=2)
    events = [CloudEvent.model_validate_json(record.value) for record in records]
    assert [event.type for event in events] == ["nl.redzaam.household.matched", "nl.redzaam.referral.declined"]
    assert events[0].data["offer_name"] == "eigen"
    assert (events[1].data["category"], events[1].data["reason"]) == ("not_eligible", "buiten ons werkgebied")
    audit = await referrals.db.audit.find_one({"record": f"referral:{referral['id']}"})
    assert (audit["action"], audit["who"], audit["reason"]) == ("referral.declined", "partner_employee", "not_eligible")


async def test_accept_start_and_complete_from_the_page_announce_each_step(
    referrals: Referrals, servers: Servers
) -> None:
    await referrals.offer("eigen")
    referral = await referrals.refer(household=household())
    for action in ("accepteren", "starten"):
        moved = await referrals.client.post(f"/verwijzingen/{referral['id']}/{action}", headers=employee(referrals))
        assert moved.status_code == 303, moved.text
    no_result = await referrals.client.post(f"/verwijzingen/{referral['id']}/afronden", headers=employee(referrals))
    assert (
        no_result.status_code == 422
        and '<p id="resultaat-fout" class="error">Kies een resultaat.</p>' in no_result.text
    )
    done = await referrals.client.post(
        f"/verwijzingen/{referral['id']}/afronden", data={"resultaat": "debt_free"}, headers=employee(referrals)
    )
    assert done.status_code == 303
    again = await referrals.client.post(f"/verwijzingen/{referral['id']}/starten", headers=employee(referrals))
    assert again.status_code == 409 and "Deze stap kan nu niet" in again.text
    records = await read_all(servers.kafka_bootstrap, referrals.settings.topic("referrals.events"), expected=4)
    assert [CloudEvent.model_validate_json(record.value).type.removeprefix("nl.redzaam.") for record in records] == [
        "household.matched",
        "referral.accepted",
        "referral.started",
        "referral.completed",
    ]


async def test_a_partner_employee_gets_a_dutch_403_for_another_partners_referral(referrals: Referrals) -> None:
    await referrals.offer("eigen")
    referral = await referrals.refer(household=household())
    other = employee(referrals, "budgetbureau")
    page = await referrals.client.get(f"/verwijzingen/{referral['id']}", headers=other)
    assert page.status_code == 403 and "Geen toegang" in page.text
    action = await referrals.client.post(f"/verwijzingen/{referral['id']}/accepteren", headers=other)
    assert action.status_code == 403 and "Geen toegang" in action.text
    assert (await referrals.client.get(f"/api/v1/referrals/{referral['id']}")).json()["state"] == "requested"


async def test_a_caseworker_refers_a_household_from_its_case_with_chosen_needs(referrals: Referrals) -> None:
    await referrals.offer("schuldhulp", needs=["debt_help"])
    await referrals.offer("coaching", needs=["budget_coaching"])
    reference, case_id = household(), f"case-{uuid.uuid4().hex[:16]}-1"
    form = await referrals.client.get(
        "/verwijzen", params={"huishouden": reference, "gemeente": "GM0141", "casus": case_id}
    )
    assert form.status_code == 200 and f'value="{reference}"' in form.text and f'value="{case_id}"' in form.text
    fields = {"huishouden": reference, "gemeente": "GM0141", "casus": case_id, "behoeften": ["budget_coaching"]}
    made = await referrals.client.post("/verwijzen", data=fields)
    assert (made.status_code, made.headers["location"]) == (303, f"/verwijzingen/{case_id}?opgeslagen=1")
    referral = (await referrals.client.get(f"/api/v1/referrals/{case_id}")).json()
    assert (referral["household_ref"], referral["needs"], referral["offer_id"]) == (
        reference,
        ["budget_coaching"],
        "coaching",
    )
    twice = await referrals.client.post("/verwijzen", data=fields)
    assert twice.status_code == 409 and "al een verwijzing gemaakt" in twice.text


async def test_a_caseworker_refers_to_a_chosen_offer_or_hears_why_it_does_not_fit(referrals: Referrals) -> None:
    await referrals.offer("best", capacity_available=5, capacity_maximum=5)
    await referrals.offer("vol", capacity_available=0, capacity_maximum=0)
    await referrals.offer("gekozen", capacity_available=1, capacity_maximum=1)
    base = {"huishouden": household(), "gemeente": "GM0141", "behoeften": ["debt_help"]}
    full = await referrals.client.post("/verwijzen", data={**base, "aanbod": "vol"})
    assert (
        full.status_code == 422
        and '<p id="aanbod-fout" class="error">Dit aanbod past niet: vol: geen plek vrij.</p>' in full.text
    )
    chosen = await referrals.client.post("/verwijzen", data={**base, "aanbod": "gekozen"})
    assert chosen.status_code == 303
    referral_id = chosen.headers["location"].split("/")[2].split("?")[0]
    assert (await referrals.client.get(f"/api/v1/referrals/{referral_id}")).json()["offer_id"] == "gekozen"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"behoeften": []}, "behoeften", "Kies minstens één hulpvraag."),
        ({"huishouden": "Jan Jansen"}, "huishouden", "Vul de huishoudreferentie in"),
        ({"gemeente": "GM0363"}, "gemeente", "Kies een gemeente waarvoor u werkt."),
        ({"leeftijd": "oud"}, "leeftijd", "Vul een leeftijd in hele jaren in"),
    ],
)
async def test_a_bad_referral_form_is_answered_in_dutch_beside_the_field(
    referrals: Referrals, changes: dict[str, Any], field: str, message: str
) -> None:
    await referrals.offer("best")
    fields = {"huishouden": household(), "gemeente": "GM0141", "behoeften": ["debt_help"], **changes}
    page = await referrals.client.post("/verwijzen", data=fields)
    assert page.status_code == 422 and f'<p id="{field}-fout" class="error">{message}' in page.text
    assert (await referrals.client.get("/api/v1/referrals")).json()["total"] == 0


async def test_a_partner_employee_may_not_refer_a_household_from_the_page(referrals: Referrals) -> None:
    page = await referrals.client.get("/verwijzen", headers=employee(referrals))
    assert page.status_code == 403 and "Geen toegang" in page.text


async def test_a_new_offer_carries_the_name_the_member_registry_announced(referrals: Referrals) -> None:
    joined = new_event(
        type="nl.redzaam.partner.joined",
        source="/redzaam/signals/partners",
        subject="humanitas",
        data=PartnerJoined(
            partner_id="humanitas", name="Humanitas Salland", type="debt_help", municipalities=["GM0150"]
        ),
    )
    topic = referrals.settings.topic("signals.events")
    await produce(referrals.settings.kafka_bootstrap, topic, [encode(joined)] * 2, b"humanitas")  # and redelivered

    async def named() -> bool:
        page = await referrals.client.get("/aanbod/nieuw", headers=employee(referrals))
        return 'id="organisatie" name="organisatie" value="Humanitas Salland"' in page.text

    await eventually(named, within=30, what="the partner's name from partner.joined")
    assert await referrals.db.partner_names.count_documents({}) == 1
