"""The export page: a period, a municipality and a button per export; the counters' CSV it gives is the API's,
audited; bad input is a Dutch message beside the field; the DDAS button leads to the signals service's file."""

import calendar
import csv
import io
import random
import re
from datetime import UTC, date, datetime

import pytest

from plumbing.access import Role
from tests.access import staff_headers
from tests.conftest import Servers
from tests.integration.kafka_helpers import eventually
from tests.integration.reporting.test_reporting import THIS_MONTH, Reporting, publish, raised, reporting

pytestmark = pytest.mark.integration
__all__ = ["reporting"]


def field_error(page: str, field_id: str) -> str:
    found = re.search(rf'<p id="{field_id}-fout" class="error">([^<]*)</p>', page)
    return found.group(1) if found else ""


async def test_the_counters_downloaded_from_the_page_are_the_events_sent_and_the_download_is_audited(
    reporting: Reporting, servers: Servers, namespace: str
) -> None:
    chance = random.Random(namespace)
    households = {code: [f"hh-{code}-{n}" for n in range(chance.randint(1, 8))] for code in ("GM0141", "GM0150")}
    sent = {
        code: [chance.choice(names) for _ in range(chance.randint(len(names), 12))]
        for code, names in households.items()
    }
    events = [
        raised(household).model_copy(
            update={"data": {"municipality": code, "household_ref": household, "creditor_type": "rent"}}
        )
        for code, names in sent.items()
        for household in names
    ]
    await publish(reporting, servers, "signals.events", events)

    async def counted() -> bool:
        rows = (await reporting.client.get("/api/v1/counters", params={"metric": "signals_raised"})).json()
        return sum(row["total"] for row in rows) == len(events)

    await eventually(counted, what="the signals counted")

    def expected(code: str, audience: str) -> list[str]:
        total, distinct = len(sent[code]), len(set(sent[code]))
        shown = [str(n) if audience == "internal" or n >= 5 else "<5" for n in (total, distinct)]
        return [code, THIS_MONTH, "signals_raised", *shown]

    page = (await reporting.client.get("/export")).text
    assert 'action="/export/tellingen.csv"' in page and 'formaction="/export/ddas"' in page
    for code in ("GM0141", "GM0150"):
        for audience in ("internal", "external"):
            asked = {"van": THIS_MONTH, "tot": THIS_MONTH, "gemeente": code, "voor": audience}
            response = await reporting.client.get("/export/tellingen.csv", params=asked)
            assert response.status_code == 200
            rows = list(csv.reader(io.StringIO(response.text)))
            assert rows == [["municipality", "month", "metric", "total", "distinct"], expected(code, audience)]
    region = await reporting.client.get(
        "/export/tellingen.csv", params={"van": THIS_MONTH, "tot": THIS_MONTH, "voor": "internal"}
    )
    assert list(csv.reader(io.StringIO(region.text)))[1:] == [
        expected("GM0141", "internal"),
        expected("GM0150", "internal"),
    ]
    api = await reporting.client.get("/api/v1/export.csv", params={"audience": "internal", "start": THIS_MONTH})
    assert api.text == region.text  # the page and the API give the same file
    downloads = await reporting.db.audit.count_documents({"action": "export.downloaded", "who": "programme_lead"})
    assert downloads == 4 + 1 + 1


@pytest.mark.parametrize(
    ("asked", "field_id", "message"),
    [
        ({"van": "2026-13"}, "van", "Vul de eerste maand in als jjjj-mm"),
        ({"tot": "november"}, "tot", "Vul de laatste maand in als jjjj-mm"),
        ({"van": "2026-06", "tot": "2026-03"}, "tot", "De laatste maand ligt vóór de eerste."),
        ({"gemeente": "GM9999"}, "gemeente", "Kies een gemeente van de regio."),
        ({"voor": "pers"}, "voor", "Kies voor wie de tellingen zijn."),
    ],
)
async def test_bad_export_input_is_a_dutch_message_beside_the_field_and_nothing_is_downloaded(
    reporting: Reporting, asked: dict[str, str], field_id: str, message: str
) -> None:
    form = {"van": "2026-01", "tot": "2026-02", "gemeente": "", "voor": "external"} | asked
    response = await reporting.client.get("/export/tellingen.csv", params=form)
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    assert field_error(response.text, field_id).startswith(message)
    assert await reporting.db.audit.count_documents({"action": "export.downloaded"}) == 0


async def test_the_ddas_button_checks_the_period_and_municipality_then_fetches_the_file_from_signals(
    reporting: Reporting,
) -> None:
    missing = await reporting.client.get("/export/ddas", params={"van": "2026-01", "tot": "2026-02", "gemeente": ""})
    assert missing.status_code == 422
    assert (
        field_error(missing.text, "gemeente") == "Kies een gemeente: de DDAS-vroegsignalering gaat over één gemeente."
    )
    year = datetime.now(UTC).year
    month = random.randint(1, 12)
    asked = {"van": f"{year}-01", "tot": f"{year}-{month:02d}", "gemeente": "GM0141"}
    response = await reporting.client.get("/export/ddas", params=asked)
    last_day = date(year, month, calendar.monthrange(year, month)[1])
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"{reporting.settings.signals_url}/export/ddas.csv?gemeente=GM0141&van={year}-01-01&tot={last_day.isoformat()}"
    )
    coordinator = staff_headers(reporting.settings, Role.VOLUNTEER_COORDINATOR)
    assert (await reporting.client.get("/export", headers=coordinator)).status_code == 200  # aggregates: all staff
    hr = staff_headers(reporting.settings, Role.EMPLOYER_HR)
    assert (await reporting.client.get("/export", headers=hr)).status_code == 403
