"""Demo data of the Schuldenlab: the seed's eleven projects in the phases of its 2019/2020 work plan, moved to this
year, and two coöperatie cases, loaded through the reporting service's own API as the programme lead.

Safe to run again: a project that exists already is left as it is.
"""

from datetime import date
from typing import Any

import httpx

REPORTING = "http://127.0.0.1:8004"
YEAR = date.today().year
# the seed's "Fasering 2019/2020" (Q3-2019, Q4-2019, Q1-Q2 2020, Q3-Q4 2020), moved to start in this year's Q3
Q = [f"{YEAR}-Q3", f"{YEAR}-Q4", f"{YEAR + 1}-Q1", f"{YEAR + 1}-Q2", f"{YEAR + 1}-Q3", f"{YEAR + 1}-Q4"]
PREPARED = {
    Q[0]: "develop",
    Q[1]: "develop",
    Q[2]: "validate",
    Q[3]: "validate",
    Q[4]: "experiment",
    Q[5]: "experiment",
}
RUNNING = dict.fromkeys(Q, "experiment")
LATER = {Q[2]: "develop", Q[3]: "develop", Q[4]: "validate", Q[5]: "validate"}

THEME_MONEY = "Leren omgaan met geld voor kinderen en jongeren"
THEME_MUNICIPALITY = "Rol van de gemeente in schuldenproblematiek"
THEME_GUARDIANSHIP = "Meer grip op bewindvoering"
THEME_BEST = "Best practices, toegesneden op de regio"
THEME_RUNNING = "Projecten die al lopen in Almelo"


def project(
    project_id: str,
    title: str,
    theme: str,
    phases: list[str],
    kind: str,
    partners: list[str],
    quarters: dict[str, str],
    leader: tuple[str, str, str] | None = None,
    budget: int = 0,
    summary: str = "",
    municipality: str | None = "GM0141",
    cooperation_case: bool = False,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": project_id,
        "title": title,
        "theme": theme,
        "theme_year": YEAR,
        "debt_phases": phases,
        "kind": kind,
        "cooperation_case": cooperation_case,
        "municipality": municipality,
        "partners": partners,
        "steering_group": ["Gemeente Almelo", *partners[:2]] if leader else [],
        "plan": {
            "summary": summary,
            "budget": [{"year": YEAR, "amount_cents": budget * 100, "payer": "Gemeente Almelo"}] if budget else [],
        },
        "quarters": quarters,
    }
    if leader:
        body["leader"] = {"name": leader[0], "organisation": leader[1], "account": leader[2]}
    return body


# (project, how many Go decisions it has had since its start; None: still an idea, not started)
PROJECTS: list[tuple[dict[str, Any], int | None]] = [
    (
        project(
            "leergang-omgaan-met-geld",
            "Leergang omgaan met geld",
            THEME_MONEY,
            ["prevention"],
            "own_development",
            ["Qredits", "Wijzer in Geldzaken"],
            PREPARED,
            ("Sara Schuldenlab", "Schuldenlab Almelo", "schuldenlab"),
            25_000,
            "Bewustwording van de waarde van geld in het primair onderwijs en omgaan met geld in het VMBO.",
        ),
        0,
    ),
    (
        project(
            "werken-geeft-perspectief",
            "Werken geeft perspectief",
            THEME_MUNICIPALITY,
            ["curative"],
            "own_development",
            ["Lokale werkgevers", "Banken", "GBT"],
            LATER,
            summary="Via de rollen van de gemeente (schuldeiser, inkomen, hulp) binnen drie jaar perspectief.",
        ),
        None,
    ),
    (
        project(
            "omgekeerde-toets-kwijtschelden",
            "Omgekeerde toets kwijtschelden",
            THEME_MUNICIPALITY,
            ["curative"],
            "own_development",
            ["GBT", "Banken"],
            PREPARED,
            ("Joost Hendriks", "Gemeente Almelo", ""),
            15_000,
            "Kwijtschelding van gemeentelijke belastingen eenvoudiger voor mensen met een uitkering.",
        ),
        0,
    ),
    (
        project(
            "sluitende-aanpak-bewindvoering",
            "Sluitende aanpak bewindvoering",
            THEME_GUARDIANSHIP,
            ["curative"],
            "own_development",
            ["Bewindvoerders Twente", "Rechtbank Overijssel"],
            PREPARED,
            ("Mirjam de Vries", "Gemeente Almelo", ""),
            40_000,
            "Beter en goedkoper beschermingsbewind, samen met de bewindvoerders.",
        ),
        1,
    ),
    (
        project(
            "jongeren-perspectief-fonds",
            "Jongeren Perspectief Fonds",
            THEME_BEST,
            ["curative"],
            "best_practice",
            ["Schuldenlab070", "Gemeente Den Haag"],
            PREPARED,
            ("Youssef Amrani", "Gemeente Almelo", ""),
            60_000,
            "Jongeren van 18 tot 27 zonder toegang tot schuldhulp integraal ondersteunen met maatwerkplannen.",
        ),
        1,
    ),
    (
        project(
            "collectief-schuldregelen",
            "Collectief schuldregelen",
            THEME_BEST,
            ["curative"],
            "best_practice",
            ["Stadsbank Oost Nederland"],
            LATER,
            summary="Collectieve in plaats van individuele afhandeling van schulddossiers: kortere doorlooptijd.",
        ),
        None,
    ),
    (
        project(
            "nvb-project-preventie",
            "NVB project preventie (vroegsignalering NVB)",
            THEME_BEST,
            ["early_intervention"],
            "best_practice",
            ["Consortium NVB", "Society Impact", "Geldfit"],
            PREPARED,
            ("Linda Bos", "Society Impact", ""),
            20_000,
            "Banken signaleren financiële problemen vroeg en helpen voorkomen dat een klein probleem groot wordt.",
        ),
        0,
    ),
    (
        project(
            "invoeren-rub",
            "Invoeren RUB",
            THEME_BEST,
            ["curative"],
            "best_practice",
            ["Menzis", "Zilveren Kruis", "Regio Twente", "CAK"],
            RUNNING,
            ("Erik Smit", "Regio Twente", ""),
            30_000,
            "Regeling Uitstroom Bijstandsgerechtigden: uit de wanbetalersregeling zorgverzekering, met het CAK.",
            municipality=None,
        ),
        2,
    ),
    (
        project(
            "doorbraakmethode",
            "Doorbraakmethode",
            THEME_RUNNING,
            ["curative"],
            "running",
            ["Instituut voor Publieke Waarden", "ING", "Society Impact"],
            RUNNING,
            ("Anouk Jansen", "Instituut voor Publieke Waarden", ""),
            150_000,
            "In drie jaar een maatwerkplan voor 375 'high cost, high risk' huishoudens.",
        ),
        2,
    ),
    (
        project(
            "vroeg-erop-af",
            "Vroeg erop af!",
            THEME_RUNNING,
            ["early_intervention"],
            "running",
            ["Beter Wonen", "Sint Joseph", "CAK", "Energiemaatschappijen", "GBT"],
            RUNNING,
            ("Fatima el Idrissi", "Gemeente Almelo", ""),
            80_000,
            "Directe actie bij betalingsachterstanden voor huur en zorgpremie.",
        ),
        3,
    ),
    (
        project(
            "inzet-schuldenspecialisten",
            "Inzet schuldenspecialisten in de toegangsteams",
            THEME_RUNNING,
            ["curative"],
            "running",
            ["Regio Twente", "Partners in het schuldendomein"],
            RUNNING,
            ("Henk Mulder", "Gemeente Almelo", ""),
            120_000,
            "Schuldenspecialisten in de multidisciplinaire, wijkgerichte teams van de gemeente.",
        ),
        2,
    ),
    (
        project(
            "energieschulden-huurders",
            "Coöperatie-case: energieschulden bij huurders",
            THEME_MUNICIPALITY,
            ["early_intervention"],
            "own_development",
            ["Enexis", "Beter Wonen"],
            {Q[0]: "develop", Q[1]: "validate"},
            ("Sara Schuldenlab", "Schuldenlab Almelo", "schuldenlab"),
            8_000,
            "Kort innovatietraject: energieachterstand en huurachterstand samen oppakken.",
            cooperation_case=True,
        ),
        1,
    ),
    (
        project(
            "loonbeslag-voorkomen",
            "Coöperatie-case: loonbeslag voorkomen met werkgevers",
            THEME_MUNICIPALITY,
            ["prevention"],
            "own_development",
            ["Bolk Transport", "Ten Cate"],
            {Q[0]: "develop", Q[1]: "validate"},
            ("Ruud Pieters", "Bolk Transport", ""),
            6_000,
            "Kort innovatietraject: werkgevers signaleren loonbeslag en verwijzen naar het werkgeversloket.",
            municipality="GM0193",
            cooperation_case=True,
        ),
        -1,  # stopped: a No-Go after Ontwikkelen, with its lessons
    ),
]
GATE = {
    "decision": "go",
    "why": "Stuurgroep akkoord met de resultaten van deze fase",
    "evidence": "Werkplan en monitoring",
}
KPIS = {
    "vroeg-erop-af": [
        {
            "id": "bereikt",
            "label": "Huishoudens bereikt in Almelo",
            "metric": "households_reached",
            "municipality": "GM0141",
            "kind": "reach",
            "baseline": 5,
            "target": 20,
            "start": f"{YEAR}-01",
        },
    ],
    "doorbraakmethode": [
        {
            "id": "cohort",
            "label": "Huishoudens met een maatwerkplan",
            "metric": "doorbraak_enrolled",
            "kind": "reach",
            "baseline": 0,
            "target": 10,
            "start": f"{YEAR}-01",
        },
    ],
    "inzet-schuldenspecialisten": [
        {
            "id": "uitzettingen",
            "label": "Huisuitzettingen in Almelo (-50%)",
            "metric": "evictions_executed",
            "municipality": "GM0141",
            "kind": "reduction",
            "baseline": 4,
            "target": 2,
            "start": f"{YEAR}-01",
        },
    ],
    "jongeren-perspectief-fonds": [
        {
            "id": "jpf",
            "label": "Verwijzingen naar het fonds geaccepteerd",
            "metric": "referrals_accepted",
            "dimension": "jongeren-perspectief-fonds",
            "kind": "reach",
            "baseline": 0,
            "target": 3,
            "start": f"{YEAR}-01",
        },
    ],
}
ANALYSIS = {
    "horizon_years": 5,
    "discount_percent": 2.25,
    "effects": [
        {
            "stakeholder": "housing_corporation",
            "description": "Minder huisuitzettingen",
            "price_key": "eviction",
            "direction": "benefit",
            "null_per_year": [40, 40, 40, 40, 40],
            "project_per_year": [32, 26, 22, 20, 20],
            "uncertainty_percent": 25,
        },
        {
            "stakeholder": "health_insurer",
            "description": "Minder maanden bestuursrechtelijke premie",
            "price_key": "cak_premium_month",
            "direction": "benefit",
            "null_per_year": [600] * 5,
            "project_per_year": [500, 420, 380, 360, 360],
            "uncertainty_percent": 20,
        },
        {
            "stakeholder": "municipality",
            "description": "Meer schuldhulptrajecten door eerder contact",
            "price_key": "debt_help_trajectory",
            "direction": "cost",
            "null_per_year": [120] * 5,
            "project_per_year": [150, 150, 140, 135, 130],
            "uncertainty_percent": 15,
        },
    ],
    "investments": [{"payer": "municipality", "per_year": [8_000_000, 8_000_000, 6_000_000, 6_000_000, 6_000_000]}],
}


def load_lab(client: httpx.Client, lead: dict[str, str]) -> int:
    """Registers the projects that do not exist yet, takes them to their phase; returns how many were new."""
    new = 0
    for body, gates in PROJECTS:
        created = client.post(f"{REPORTING}/api/v1/lab/projects", json=body, headers=lead)
        if created.status_code == 409:
            continue
        created.raise_for_status()
        new += 1
        path = f"{REPORTING}/api/v1/lab/projects/{body['id']}"
        if gates is None:
            continue
        client.post(f"{path}/start", headers=lead).raise_for_status()
        if gates < 0:
            stop = GATE | {"decision": "no_go", "lessons": "Werkgevers willen eerst een landelijke aanpak."}
            client.post(f"{path}/decisions", json=stop, headers=lead).raise_for_status()
        for _ in range(max(gates, 0)):
            client.post(f"{path}/decisions", json=GATE, headers=lead).raise_for_status()
        if body["id"] in KPIS:
            client.put(f"{path}/kpis", json=KPIS[body["id"]], headers=lead).raise_for_status()
        if body["id"] == "vroeg-erop-af":
            client.put(f"{path}/analysis", json=ANALYSIS, headers=lead).raise_for_status()
    return new
