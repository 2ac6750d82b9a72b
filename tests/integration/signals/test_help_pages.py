"""The residents' pages "Hulp vragen": the self-test, its advice, the request with consent and the confirmation;
each field's Dutch message; nothing stored without consent; the request in the team's queue as "Zelf aangemeld"."""

from datetime import date
from typing import Any

import pytest

from services.signals.calendar import add_working_days
from services.signals.help_requests import working_days_between
from tests.integration.signals.conftest import Signals

pytestmark = pytest.mark.integration
PUBLIC = {"Authorization": ""}
ANSWERS = {"inkomen": "tight", "achterstanden": ["rent"], "gemeente": "GM0141"}


def request_form(**changes: Any) -> dict[str, Any]:
    return {
        **ANSWERS,
        "toestemming": "ja",
        "naam": "Sanne de Vries",
        "contact": "phone",
        "telefoon": "06 98765432",
        "postcode": "7607 AB",
        "huisnummer": "12",
        **changes,
    }


async def everything(signals: Signals) -> dict[str, int]:
    """Every collection's count but the rate's: the address's count is the limit itself, no content."""
    db = signals.db
    names = [name for name in await db.list_collection_names() if name != "public_form_rates"]
    return {name: await db[name].count_documents({}) for name in names}


async def test_the_self_test_is_public_and_its_honeypot_is_hidden_from_people_and_assistive_technology(
    signals: Signals,
) -> None:
    page = await signals.client.get("/hulp-vragen", params={"werkgever": "ABCD-2345"}, headers=PUBLIC)
    assert page.status_code == 200 and "<h1>Hulp vragen bij geldzorgen</h1>" in page.text
    assert "Almelo" in page.text and 'value="ABCD-2345"' in page.text
    assert '<div class="visually-hidden" aria-hidden="true">' in page.text
    assert 'name="website" type="text" value="" tabindex="-1" autocomplete="off"' in page.text
    sign_in = await signals.client.get("/inloggen", headers=PUBLIC)
    assert 'href="/hulp-vragen"' in sign_in.text


async def test_the_advice_comes_at_once_and_stores_nothing(signals: Signals) -> None:
    before = await everything(signals)
    advice = await signals.client.post("/hulp-vragen/uitslag", data={**ANSWERS, "zorgen": ["eviction"]}, headers=PUBLIC)
    assert advice.status_code == 200 and "Neem nu contact op: er is haast" in advice.text
    assert 'name="toestemming" value="ja">' in advice.text, "the consent box is not ticked beforehand"
    assert await everything(signals) == before


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"inkomen": ""}, "inkomen", "Kies wat het best bij uw inkomen past."),
        ({"inkomen": "rich"}, "inkomen", "Kies wat het best bij uw inkomen past."),
        ({"achterstanden": ["yacht"]}, "achterstanden", "Kies alleen uit de genoemde achterstanden."),
        ({"zorgen": ["aliens"]}, "zorgen", "Kies alleen uit de genoemde zorgen."),
        ({"gemeente": ""}, "gemeente", "Kies de gemeente waar u woont."),
        ({"gemeente": "GM9999"}, "gemeente", "Kies de gemeente waar u woont."),
    ],
)
async def test_a_self_test_answer_at_fault_gets_its_dutch_message(
    signals: Signals, answers: dict[str, Any], field: str, message: str
) -> None:
    page = await signals.client.post("/hulp-vragen/uitslag", data={**ANSWERS, **answers}, headers=PUBLIC)
    assert page.status_code == 422
    assert f'<p id="{field}-fout" class="error">{message}</p>' in page.text


async def test_without_consent_nothing_is_stored_in_any_collection(signals: Signals) -> None:
    before = await everything(signals)
    page = await signals.client.post("/hulp-vragen/aanvraag", data=request_form(toestemming=""), headers=PUBLIC)
    assert page.status_code == 422 and 'id="toestemming-fout"' in page.text
    assert "Zonder uw toestemming bewaren wij niets" in page.text
    assert 'value="Sanne de Vries"' in page.text, "what was filled in stays"
    assert await everything(signals) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"naam": ""}, "naam", "Vul uw naam in."),
        ({"contact": ""}, "contact", "Kies hoe wij contact met u opnemen."),
        ({"telefoon": ""}, "telefoon", "Vul een telefoonnummer in"),
        ({"telefoon": "bel me"}, "telefoon", "Vul een telefoonnummer in"),
        ({"contact": "email"}, "email", "Vul een geldig e-mailadres in"),
        ({"email": "geen-adres"}, "email", "Vul een geldig e-mailadres in"),
        ({"contact": "letter", "woonplaats": "Almelo"}, "straat", "Vul uw straat in"),
        ({"contact": "letter", "straat": "Grotestraat"}, "woonplaats", "Vul uw woonplaats in"),
        ({"postcode": "1234"}, "postcode", "Vul uw postcode in, bijvoorbeeld 7607 AB."),
        ({"huisnummer": "twaalf"}, "huisnummer", "Vul uw huisnummer in, alleen de cijfers."),
        ({"toevoeging": "A&B"}, "toevoeging", "Een toevoeging heeft hoogstens 10 letters of cijfers"),
        ({"werkgeverscode": "!!"}, "werkgeverscode", "Deze code klopt niet."),
        ({"bevestiging": "ja"}, "bevestiging", "Vul uw e-mailadres in als u een bevestiging per e-mail wilt."),
    ],
)
async def test_a_request_field_at_fault_gets_its_dutch_message_and_nothing_is_stored(
    signals: Signals, changes: dict[str, Any], field: str, message: str
) -> None:
    before = await everything(signals)
    page = await signals.client.post("/hulp-vragen/aanvraag", data=request_form(**changes), headers=PUBLIC)
    assert page.status_code == 422
    assert f'<p id="{field}-fout" class="error">{message}' in page.text
    assert f'aria-describedby="{field}-fout"' in page.text
    assert await everything(signals) == before


async def test_a_request_is_confirmed_with_who_and_when_and_shows_in_the_queue_as_self_reported(
    signals: Signals,
) -> None:
    page = await signals.client.post("/hulp-vragen/aanvraag", data=request_form(), headers=PUBLIC)
    assert page.status_code == 200 and "<h1>Uw hulpvraag is ontvangen</h1>" in page.text
    due = add_working_days(date.today(), 10)
    days = working_days_between(date.today(), due)
    assert f"<strong>{days} werkdagen</strong>" in page.text and due.strftime("%d-%m-%Y") in page.text
    assert "van de gemeente Almelo" in page.text and "door u te bellen" in page.text

    queue = await signals.client.get("/", params={"gemeente": "GM0141"})
    assert queue.status_code == 200 and '<span class="badge">Zelf aangemeld</span>' in queue.text
    case = await signals.db.cases.find_one({})
    shown = await signals.client.get(f"/casussen/{case['_id']}", params={"reden": "contact"})
    assert shown.status_code == 200 and "Zelf aangemeld" in shown.text
    assert "Sanne de Vries" in shown.text and "06 98765432" in shown.text and "Huur of hypotheek" in shown.text
    assert "Het is krap, soms kom ik tekort" in shown.text
