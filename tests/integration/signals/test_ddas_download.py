"""The DDAS-vroegsignalering figures of a municipality as a CSV download, for caseworkers and the programme lead
(from the export page in reporting); audited; on real Kafka and MongoDB."""

import csv
import io
from datetime import date

import pytest

from plumbing.access import Role
from tests.access import staff_headers
from tests.integration.signals.conftest import Signals
from tests.integration.signals.test_casework import TODAY, submit

pytestmark = pytest.mark.integration
HEADER = ["gemeente", "van", "tot_en_met", "onderdeel", "soort", "aantal"]


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_the_programme_lead_downloads_the_ddas_figures_as_csv_and_the_download_is_audited(
    signals: Signals,
) -> None:
    first = await submit(signals, 1)
    await submit(signals, 1, partner="vitens", creditor_type="water")
    await submit(signals, 2)
    await signals.client.post(
        f"/api/v1/cases/{first}/contact-attempts",
        json={"kind": "phone", "on": TODAY, "part_of_day": "morning", "reached": True},
    )
    await signals.client.post(f"/api/v1/cases/{first}/close", json={"outcome": "quick_fix"})
    lead = staff_headers(signals.settings, Role.PROGRAMME_LEAD, (), username="lead")
    response = await signals.client.get(
        "/export/ddas.csv", params={"gemeente": "GM0141", "van": TODAY, "tot": TODAY}, headers=lead
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert f'filename="ddas-GM0141-{TODAY}-{TODAY}.csv"' in response.headers["content-disposition"]
    rows = table(response.text)
    assert rows[0] == HEADER
    figures = {(part, kind): int(count) for *_, part, kind, count in rows[1:]}
    assert all(row[:3] == ["GM0141", TODAY, TODAY] for row in rows[1:])
    # what was sent above: three signals (two rent, one water) from two households; one attempt, reached, by phone;
    # one case closed as a quick fix
    assert figures[("signalen", "totaal")] == 3
    assert figures[("signalen", "herhaalsignalen")] == 0
    assert figures[("signalen.per_schuldeiser_type", "rent")] == 2
    assert figures[("signalen.per_schuldeiser_type", "water")] == 1
    assert figures[("huishoudens_met_signaal", "totaal")] == 2
    assert figures[("contactpogingen", "totaal")] == figures[("contactpogingen", "bereikt")] == 1
    assert figures[("contactpogingen.per_soort", "phone")] == 1
    assert figures[("afgesloten", "totaal")] == figures[("afgesloten.per_uitkomst", "quick_fix")] == 1
    assert sum(count for (part, _), count in figures.items() if part == "afgesloten.per_uitkomst") == 1
    entry = await signals.db.audit.find_one({"action": "export.downloaded"})
    assert (entry["who"], entry["record"]) == ("lead", f"ddas:GM0141:{TODAY}:{TODAY}")


async def test_the_ddas_download_refuses_what_it_cannot_answer(signals: Signals) -> None:
    lead = staff_headers(signals.settings, Role.PROGRAMME_LEAD, (), username="lead")
    almelo = staff_headers(signals.settings, Role.OUTREACH_WORKER, ("GM0141",), username="almelo")
    coordinator = staff_headers(signals.settings, Role.VOLUNTEER_COORDINATOR)
    period = {"van": TODAY, "tot": TODAY}
    reversed_period = {"gemeente": "GM0141", "van": TODAY, "tot": date(2020, 1, 1).isoformat()}
    answers = {
        "reversed": await signals.client.get("/export/ddas.csv", params=reversed_period, headers=lead),
        "unknown": await signals.client.get("/export/ddas.csv", params={"gemeente": "GM9999", **period}, headers=lead),
        "other municipality": await signals.client.get(
            "/export/ddas.csv", params={"gemeente": "GM0150", **period}, headers=almelo
        ),
        "not a reader": await signals.client.get(
            "/export/ddas.csv", params={"gemeente": "GM0141", **period}, headers=coordinator
        ),
    }
    assert {name: answer.status_code for name, answer in answers.items()} == {
        "reversed": 422,
        "unknown": 422,
        "other municipality": 403,
        "not a reader": 403,
    }
    assert "Niet volledig of niet juist" in answers["reversed"].text  # a Dutch page, not JSON
    assert await signals.db.audit.count_documents({"action": "export.downloaded"}) == 0
