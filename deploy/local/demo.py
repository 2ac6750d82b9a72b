"""Loads demo data through the services' own HTTP APIs, so that a newcomer sees meaningful pages.

Safe to run again: offers and volunteers are put by id and signals carry an idempotency key.
"""

import argparse
import sys
import time
from datetime import date, timedelta

import httpx

SIGNALS, REFERRALS, VOLUNTEERS, REPORTING = (f"http://127.0.0.1:{port}" for port in (8001, 8002, 8003, 8004))

OFFERS = [
    {
        "id": "vroeg-erop-af-almelo",
        "name": "Vroeg erop af! (huisbezoek na signaal)",
        "organisation": "Gemeente Almelo",
        "phase": "early_intervention",
        "municipalities": ["GM0141"],
        "capacity_available": 40,
        "capacity_maximum": 60,
        "volunteer_role": "debt_buddy",
        "description": "Schuldhulpmaatje gaat mee op huisbezoek binnen drie werkdagen na een vroegsignaal.",
    },
    {
        "id": "jongeren-perspectief-fonds",
        "name": "Jongeren Perspectief Fonds",
        "organisation": "Gemeente Almelo",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "capacity_available": 12,
        "capacity_maximum": 25,
        "description": "Schulden saneren voor jongeren van 18 tot en met 27 jaar, in ruil voor een tegenprestatie.",
    },
    {
        "id": "doorbraakmethode",
        "name": "Doorbraakmethode",
        "organisation": "Schuldenlab Almelo",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "capacity_available": 30,
        "capacity_maximum": 125,
        "description": "Een plan op maat voor huishoudens met hoge kosten en risico's; 375 huishoudens in drie jaar.",
    },
    {
        "id": "budgetcoaching-salland",
        "name": "Budgetcoaching",
        "organisation": "Humanitas Salland",
        "phase": "early_intervention",
        "municipalities": ["GM0150", "GM0175", "GM0177", "GM0163", "GM1742"],
        "capacity_available": 25,
        "capacity_maximum": 40,
        "volunteer_role": "budget_coach",
        "description": "Een getrainde vrijwillige budgetcoach helpt een jaar lang met overzicht in de financiën.",
    },
    {
        "id": "schuldhulpmaatje-deventer",
        "name": "SchuldHulpMaatje",
        "organisation": "SchuldHulpMaatje Deventer",
        "phase": "early_intervention",
        "municipalities": ["GM0150"],
        "capacity_available": 0,
        "capacity_maximum": 20,
        "volunteer_role": "debt_buddy",
        "description": "Een maatje naast huishoudens met schulden.",
    },
    {
        "id": "collectief-schuldregelen",
        "name": "Collectief schuldregelen",
        "organisation": "Gemeente Almelo",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "capacity_available": 15,
        "capacity_maximum": 30,
        "description": "Een regeling met alle schuldeisers tegelijk.",
    },
]

VOLUNTEERS_DEMO = [
    ("vw-anna", "Anna de Vries", ["debt_buddy"], ["GM0141"], 3, "Bolk Transport"),
    ("vw-mehmet", "Mehmet Yilmaz", ["debt_buddy", "budget_coach"], ["GM0141", "GM0163"], 2, "Rabobank Salland"),
    ("vw-joke", "Joke Hendriks", ["budget_coach"], ["GM0150", "GM0175", "GM0177"], 4, ""),
    ("vw-sander", "Sander Bos", ["budget_coach", "guest_teacher"], ["GM0150"], 2, "Saxion"),
]

SIGNALS_DEMO = [
    ("woonstad-almelo", "rent", "GM0141", "7607 AB", 12, 61_500, 75, True),
    ("menzis", "health_insurance", "GM0141", "7607 AB", 12, 48_000, 140, False),
    ("enexis-energie", "energy", "GM0141", "7604 GH", 3, 23_000, 40, False),
    ("vitens", "water", "GM0150", "7411 KT", 88, 9_800, 60, False),
    ("woonstad-almelo", "rent", "GM0141", "7601 DK", 41, 112_000, 95, False),
    ("menzis", "health_insurance", "GM0177", "8101 AA", 7, 35_500, 180, False),
]
PARTNER_KEYS = {
    "woonstad-almelo": "dev-key-woonstad-almelo",
    "menzis": "dev-key-menzis",
    "enexis-energie": "dev-key-enexis",
    "vitens": "dev-key-vitens",
}


def wait_ready(client: httpx.Client, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    for base in (SIGNALS, REFERRALS, VOLUNTEERS, REPORTING):
        while True:
            try:
                if client.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"[demo] {base} is not ready; see .local/logs")
            time.sleep(0.5)


def load(client: httpx.Client) -> None:
    for offer in OFFERS:
        client.put(f"{REFERRALS}/api/v1/offers/{offer['id']}", json=offer).raise_for_status()
    for volunteer_id, name, roles, municipalities, max_households, employer in VOLUNTEERS_DEMO:
        client.put(
            f"{VOLUNTEERS}/api/v1/volunteers/{volunteer_id}",
            json={
                "id": volunteer_id,
                "name": name,
                "roles": roles,
                "municipalities": municipalities,
                "max_households": max_households,
                "status": "active",
                "trained_roles": roles,
                "certificate_of_conduct_date": (date.today() - timedelta(days=200)).isoformat(),
                "recruited_through": employer,
            },
        ).raise_for_status()
    for number, (partner, kind, municipality, postcode, house, cents, days, eviction) in enumerate(SIGNALS_DEMO):
        client.post(
            f"{SIGNALS}/api/v1/signals",
            headers={"X-Api-Key": PARTNER_KEYS[partner], "Idempotency-Key": f"demo-{number}"},
            json={
                "creditor_type": kind,
                "municipality": municipality,
                "person": {"name": f"Demo huishouden {number + 1}"},
                "address": {"postcode": postcode, "house_number": house},
                "arrears_cents": cents,
                "arrears_since": (date.today() - timedelta(days=days)).isoformat(),
                "contract_reference": f"DEMO-{number:04d}",
                "eviction_planned": eviction,
            },
        ).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wait-ready", action="store_true", help="wait for the four services first")
    args = parser.parse_args()
    with httpx.Client(timeout=10) as client:
        if args.wait_ready:
            wait_ready(client)
        load(client)
    print(
        f"[demo] loaded {len(OFFERS)} offers, {len(VOLUNTEERS_DEMO)} volunteers, {len(SIGNALS_DEMO)} signals",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
