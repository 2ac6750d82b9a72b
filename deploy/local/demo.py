"""Loads demo data through the services' own HTTP APIs, so that a newcomer sees meaningful pages.

Safe to run again: offers and volunteers are put by id and signals carry an idempotency key.
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the Schuldenlab's demo data beside this script
from demo_lab import PROJECTS, load_lab

SIGNALS, REFERRALS, VOLUNTEERS, REPORTING = (f"http://127.0.0.1:{port}" for port in (8001, 8002, 8003, 8004))

SALLAND = ["GM0150", "GM0175", "GM0177", "GM0163", "GM1742"]
TWENTE = ["GM0141", "GM0163", "GM1742"]  # the Twente municipalities of the region, where the RUB runs
OFFERS = [
    {
        "id": "vroeg-erop-af-almelo",
        "name": "Vroeg erop af!",
        "organisation": "Gemeente Almelo",
        "organisation_id": "gemeente-almelo",
        "kind": "outreach",  # where households come from: never referred to
        "phase": "early_intervention",
        "municipalities": ["GM0141"],
        "needs": ["debt_help", "budget_coaching"],
        "capacity_available": 40,
        "capacity_maximum": 40,
        "volunteer_role": "debt_buddy",
        "description": "Vroegsignalering door directe actie (erop af) bij achterstanden in huur of zorgpremie; "
        "een schuldhulpmaatje gaat mee op huisbezoek.",
    },
    {
        "id": "schuldenspecialisten-almelo",
        "name": "Inzet schuldenspecialisten",
        "organisation": "Gemeente Almelo",
        "organisation_id": "gemeente-almelo",
        "kind": "debt_help",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "needs": ["debt_help", "budget_coaching"],
        "capacity_available": 60,
        "capacity_maximum": 60,
        "description": "Schuldenspecialisten in de multidisciplinaire wijkteams: het oplossen van de schulden hoort "
        "bij het plan dat het team samen met de inwoner maakt.",
    },
    {
        "id": "jongeren-perspectief-fonds",
        "name": "Jongeren Perspectief Fonds",
        "organisation": "Gemeente Almelo",
        "organisation_id": "gemeente-almelo",
        "kind": "youth",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "needs": ["debt_help", "debt_settlement", "youth"],
        "age_minimum": 18,
        "age_maximum": 27,
        "eligibility": "Jongeren met problematische schulden die werken aan opleiding of werk (tegenprestatie).",
        "capacity_available": 12,
        "capacity_maximum": 12,
        "description": "De gemeente lost de schulden af; de jongere betaalt terug met een tegenprestatie.",
    },
    {
        "id": "doorbraakmethode",
        "name": "Doorbraakmethode",
        "organisation": "Schuldenlab Almelo",
        "organisation_id": "schuldenlab-almelo",
        "kind": "debt_help",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "needs": ["debt_help", "social_support"],
        "capacity_available": 30,
        "capacity_maximum": 30,
        "eligibility": "Huishoudens met hoge maatschappelijke kosten en problemen op meerdere terreinen.",
        "description": "Een plan op maat met een budget om te doorbreken wat vastzit; 375 huishoudens in drie jaar.",
    },
    {
        "id": "collectief-schuldregelen",
        "name": "Collectief schuldregelen",
        "organisation": "Gemeente Almelo",
        "organisation_id": "gemeente-almelo",
        "kind": "debt_settlement",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "needs": ["debt_settlement"],
        "capacity_available": 15,
        "capacity_maximum": 15,
        "description": "Een regeling met alle schuldeisers tegelijk, volgens de afspraken van de NVVK.",
    },
    {
        "id": "rub-zorgverzekering",
        "name": "Regeling Uitstroom Bijstandsgerechtigden (RUB)",
        "organisation": "Gemeente Almelo",
        "organisation_id": "gemeente-almelo",
        "kind": "income_support",
        "phase": "curative",
        "municipalities": TWENTE,
        "needs": ["debt_help", "income_management"],
        "capacity_available": 50,
        "capacity_maximum": 50,
        "eligibility": "Inwoners met een bijstandsuitkering in de wanbetalersregeling zorgverzekering van het CAK.",
        "description": "Met de zorgverzekeraars (Menzis, Zilveren Kruis) en het CAK: de gemeente houdt de premie in op "
        "de uitkering, zodat de inwoner uitstroomt uit de wanbetalersregeling.",
    },
    {
        "id": "bewindvoering-twente",
        "name": "Beschermingsbewind",
        "organisation": "Bewindvoering Twente",
        "organisation_id": "bewind-twente",
        "kind": "income_management",
        "phase": "curative",
        "municipalities": ["GM0141"],
        "needs": ["income_management"],
        "capacity_available": 8,
        "capacity_maximum": 8,
        "description": "Een bewindvoerder beheert inkomen en betalingen; de rechter stelt het bewind in.",
    },
    {
        "id": "budgetcoaching-salland",
        "name": "Budgetcoaching",
        "organisation": "Humanitas Salland",
        "organisation_id": "humanitas-salland",
        "notify_email": "verwijzingen@humanitas-salland.example",  # each new referral: an e-mail in .local/mail
        "kind": "budget_coaching",
        "phase": "early_intervention",
        "municipalities": SALLAND,
        "needs": ["debt_help", "budget_coaching"],
        "capacity_available": 25,
        "capacity_maximum": 25,
        "volunteer_role": "budget_coach",
        "description": "Een getrainde vrijwillige budgetcoach helpt een jaar lang met overzicht in de financiën.",
    },
    {
        "id": "schuldhulpmaatje-deventer",
        "name": "SchuldHulpMaatje",
        "organisation": "SchuldHulpMaatje Deventer",
        "organisation_id": "shm-deventer",
        "kind": "debt_help",
        "phase": "early_intervention",
        "municipalities": ["GM0150"],
        "needs": ["debt_help"],
        "capacity_available": 0,
        "capacity_maximum": 0,
        "volunteer_role": "debt_buddy",
        "description": "Een maatje naast huishoudens met schulden.",
    },
]

VOLUNTEERS_DEMO = [
    ("vw-anna", "Anna de Vries", ["debt_buddy"], ["GM0141"], 3, "Bolk Transport"),
    ("vw-mehmet", "Mehmet Yilmaz", ["debt_buddy", "budget_coach"], ["GM0141", "GM0163"], 2, "Rabobank Salland"),
    ("vw-joke", "Joke Hendriks", ["budget_coach"], ["GM0150", "GM0175", "GM0177"], 4, ""),
    ("vw-sander", "Sander Bos", ["budget_coach", "guest_teacher"], ["GM0150"], 2, "Saxion"),
]

# birth dates of some demo people: the energy arrears in Almelo are of a 22-year-old, whom the Youth Perspective Fund
# (18-27) helps when the case is handed on
BORN = {2: (date.today() - timedelta(days=22 * 365 + 100)).isoformat()}
SIGNALS_DEMO = [
    ("woonstad-almelo", "rent", "GM0141", "7607 AB", 12, 61_500, 75, True),
    ("menzis", "health_insurance", "GM0141", "7607 AB", 12, 48_000, 140, False),
    ("enexis-energie", "energy", "GM0141", "7604 GH", 3, 23_000, 40, False),
    ("vitens", "water", "GM0150", "7411 KT", 88, 9_800, 60, False),
    ("woonstad-almelo", "rent", "GM0141", "7601 DK", 41, 112_000, 95, False),
    ("menzis", "health_insurance", "GM0177", "8101 AA", 7, 35_500, 180, False),
    ("cak", "defaulters_scheme", "GM0141", "7601 DK", 41, 98_000, 240, False),  # joins the rent arrears above
]
ALL = ["GM0141", *SALLAND, "GM0193"]
MEMBERS = [  # id, name, type, municipalities
    ("woonstad-almelo", "Woonstad Almelo", "housing", ["GM0141"]),
    ("menzis", "Menzis", "health_insurer", ALL),
    ("enexis-energie", "Enexis Energie", "energy", ALL),
    ("vitens", "Vitens", "water", ALL),
    ("cak", "CAK", "defaulters_scheme", ALL),  # runs the health-insurance defaulters scheme (wanbetalersregeling)
    ("gemeente-almelo", "Gemeente Almelo", "municipality", ["GM0141"]),
    ("schuldenlab-almelo", "Schuldenlab Almelo", "debt_help", ["GM0141"]),
    ("landstede", "Landstede MBO", "school", ["GM0193", "GM0150"]),
    ("humanitas-salland", "Humanitas Salland", "debt_help", SALLAND),
    ("ten-cate", "Ten Cate", "employer", TWENTE),  # on the employer debt-help desk: a desk code when it joins
]
DEMO_PASSWORD = "redzaam-demo-2026"
# username: (name, role, municipalities, organisation)
ACCOUNTS = {
    "outreach": ("Olga Outreach", "outreach_worker", ALL, ""),
    "schuldhulp": ("Sem Schuldhulp", "debt_specialist", ["GM0141"], ""),
    "noord": ("Nina Noord", "outreach_worker", ["GM0141"], ""),  # Wijkteam Almelo-Noord: sees its team's cases
    "coordinator": ("Cor Coördinator", "volunteer_coordinator", ALL, ""),
    "coordinator-almelo": ("Carla Coördinator", "volunteer_coordinator", ["GM0141"], ""),  # sees Almelo only
    "schuldenlab": ("Sara Schuldenlab", "partner_employee", [], "schuldenlab-almelo"),
    # accepts and starts the referral of the Deventer household below: /aanbod for its offers and places
    "humanitas": ("Hanna Humanitas", "partner_employee", [], "humanitas-salland"),
    "programmaleider": ("Pim Programma", "programme_lead", [], ""),
    "werkgever": ("Wendy Werkgever", "employer_hr", [], "ten-cate"),  # Ten Cate's HR contact: /werkgeversloket
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


def bearer(client: httpx.Client, form: dict[str, str]) -> dict[str, str]:
    response = client.post(f"{SIGNALS}/api/v1/oauth/token", data=form)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def members_and_accounts(client: httpx.Client, admin: dict[str, str]) -> dict[str, dict[str, str]]:
    """Registers the member organisations and the demo staff; returns a token per partner system."""
    tokens = {}
    for partner_id, name, kind, municipalities in MEMBERS:
        member = {"id": partner_id, "name": name, "type": kind, "municipalities": municipalities}
        response = client.post(f"{SIGNALS}/api/v1/partners", json=member, headers=admin)
        if response.status_code == 409:  # registered by an earlier run: its secret was shown once, so issue a new one
            response = client.post(f"{SIGNALS}/api/v1/partners/{partner_id}/secret", headers=admin)
        response.raise_for_status()
        secret = response.json()["client_secret"]
        tokens[partner_id] = bearer(
            client, {"grant_type": "client_credentials", "client_id": partner_id, "client_secret": secret}
        )
    for username, (name, role, municipalities, organisation) in ACCOUNTS.items():
        account = {
            "username": username,
            "name": name,
            "role": role,
            "municipalities": municipalities,
            "organisation": organisation,
            "password": DEMO_PASSWORD,
        }
        response = client.post(f"{SIGNALS}/api/v1/accounts", json=account, headers=admin)
        if response.status_code != 409:
            response.raise_for_status()
    return tokens


def staff(client: httpx.Client, username: str) -> dict[str, str]:
    return bearer(client, {"grant_type": "password", "username": username, "password": DEMO_PASSWORD})


# what the administrator set on /beheer/gemeenten (the rest stays the environment's default): service, code, values
MUNICIPALITY_SETTINGS = [
    (SIGNALS, "GM0150", {"term_working_days": 8}),  # Deventer reaches out within 8 working days
    (SIGNALS, "GM0175", {"threshold_cents": 7_500}),  # Olst-Wijhe works cases from EUR 75
    # Almelo weighs cases of the same deadline day: the queue says each case's priority and why
    (SIGNALS, "GM0141", {"queue_weights": {"crisis": 100, "creditors": 20, "amount": 1, "age": 1}}),
    (VOLUNTEERS, "GM0177", {"manual_assignment": True}),  # in Raalte a coordinator confirms each volunteer
]


# neighbourhood teams (/beheer/teams): name, municipality, postcode areas, members, mailbox; 7604 has no team
TEAMS = [
    ("Wijkteam Almelo-Centrum", "GM0141", ["7607", "7608", "7609"], ["outreach", "schuldhulp"], None),
    ("Wijkteam Almelo-Noord", "GM0141", ["7601", "7602", "7603"], ["noord"], "noord@almelo.example"),
    ("Wijkteam Deventer-Binnenstad", "GM0150", ["7411", "7412"], ["outreach"], "binnenstad@deventer.example"),
]


def teams(client: httpx.Client, admin: dict[str, str]) -> None:
    """The teams, made before the signals come in so that their cases are routed at intake; an earlier run's stay."""
    for name, code, areas, members, mailbox in TEAMS:
        known = client.get(f"{SIGNALS}/api/v1/teams", params={"municipality": code}, headers=admin).json()
        if all(team["name"] != name for team in known):
            team = {"municipality": code, "name": name, "postcode_areas": areas, "members": members, "mailbox": mailbox}
            client.post(f"{SIGNALS}/api/v1/teams", json=team, headers=admin).raise_for_status()


def assign(client: httpx.Client, worker: dict[str, str], case_id: str, assignee: str) -> None:
    version = client.get(f"{SIGNALS}/api/v1/cases/{case_id}", headers=worker).json()["version"]
    change = {"assignee": assignee, "version": version}
    assigned = client.put(f"{SIGNALS}/api/v1/cases/{case_id}/assignment", json=change, headers=worker)
    if assigned.status_code != 409:  # 409: closed meanwhile
        assigned.raise_for_status()


def municipality_settings(client: httpx.Client, admin: dict[str, str]) -> None:
    for service, code, values in MUNICIPALITY_SETTINGS:
        response = client.put(f"{service}/api/v1/municipalities/{code}/settings", json=values, headers=admin)
        response.raise_for_status()


def load(client: httpx.Client) -> None:
    admin_password = os.environ.get("REDZAAM_ADMIN_PASSWORD", "dev-beheerder-wachtwoord")
    admin = bearer(client, {"grant_type": "password", "username": "beheerder", "password": admin_password})
    partners = members_and_accounts(client, admin)
    municipality_settings(client, admin)
    teams(client, admin)
    outreach, coordinator = staff(client, "outreach"), staff(client, "coordinator")
    for offer in OFFERS:
        client.put(f"{REFERRALS}/api/v1/offers/{offer['id']}", json=offer, headers=admin).raise_for_status()
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
                "email": f"{volunteer_id.removeprefix('vw-')}@vrijwilligers.example",
            },
            headers=coordinator,
        ).raise_for_status()
    case_ids = []
    for number, (partner, kind, municipality, postcode, house, cents, days, eviction) in enumerate(SIGNALS_DEMO):
        response = client.post(
            f"{SIGNALS}/api/v1/signals",
            headers={**partners[partner], "Idempotency-Key": f"demo-{number}"},
            json={
                "creditor_type": kind,
                "municipality": municipality,
                "person": {"name": f"Demo huishouden {number + 1}", "birth_date": BORN.get(number)},
                "address": {"postcode": postcode, "house_number": house},
                "arrears_cents": cents,
                "arrears_since": (date.today() - timedelta(days=days)).isoformat(),
                "contract_reference": f"DEMO-{number:04d}",
                "eviction_planned": eviction,
            },
        )
        response.raise_for_status()
        case_ids.append(response.json()["case_id"])
    for case_id in (case_ids[2], case_ids[3]):  # outreach done: these households are handed on for help
        closed = client.post(
            f"{SIGNALS}/api/v1/cases/{case_id}/close", json={"outcome": "follow_up_financial"}, headers=outreach
        )
        if closed.status_code not in (204, 409):  # 409: closed by an earlier run of this script
            closed.raise_for_status()
    help_started(client, staff(client, "humanitas"), case_ids[3])
    assign(client, outreach, case_ids[0], "outreach")  # taken on by Olga (Almelo-Centrum): "Mijn casussen"
    assign(client, staff(client, "noord"), case_ids[4], "noord")  # Nina's, in Almelo-Noord
    soon = (date.today() + timedelta(days=21)).isoformat()
    enrolled = client.post(
        f"{REFERRALS}/api/v1/cohorts/doorbraak/members",
        json={
            "household_ref": "hh-00000000000000000000d0b1",
            "municipality": "GM0141",
            "goals": ["Huurachterstand ingelopen", "Vaste lasten automatisch betaald"],
            "steps": [
                {"text": "Budgetplan met de bewindvoerder", "due": soon},
                {"text": "Betalingsregeling met de woningcorporatie", "due": soon},
            ],
            "reviews": [soon],
        },
        headers=outreach,
    )
    if enrolled.status_code not in (201, 409):
        enrolled.raise_for_status()
    volunteer_work(client, coordinator)
    load_lab(client, staff(client, "programmaleider"))
    desk_requests(client, staff(client, "werkgever"))
    self_reported_requests(client)


def volunteer_work(client: httpx.Client, coordinator: dict[str, str]) -> None:
    """A guest lesson at Deltion in Deventer, taken by Sander, with the hours of preparing it (the coordinator's
    assignment page shows them and offers "lesson given" and release), and Fatima paused for the holidays. Once:
    a later run finds the lesson and the pause."""
    school = "Deltion College Deventer"
    existing = client.get(f"{VOLUNTEERS}/api/v1/assignments", params={"per_page": 200}, headers=coordinator).json()
    if not any(item["school"] == school for item in existing["items"]):
        when = (date.today() + timedelta(days=14)).isoformat()
        lesson = {"school": school, "municipality": "GM0150", "lesson_date": when, "group_size": 24, "level": 2}
        asked = client.post(f"{VOLUNTEERS}/api/v1/lesson-requests", json=lesson, headers=coordinator)
        asked.raise_for_status()
        if asked.json()["state"] == "assigned":
            hours = {"on": (date.today() - timedelta(days=1)).isoformat(), "hours": 1.5, "by": "Sander Bos"}
            logged = client.post(
                f"{VOLUNTEERS}/api/v1/assignments/{asked.json()['id']}/hours", json=hours, headers=coordinator
            )
            logged.raise_for_status()
    fatima = {
        "id": "vw-fatima",
        "name": "Fatima El Amrani",
        "roles": ["debt_buddy"],
        "municipalities": ["GM0141"],
        "languages": ["nl", "ar"],
        "status": "active",
        "trained_roles": ["debt_buddy"],
        "certificate_of_conduct_date": (date.today() - timedelta(days=90)).isoformat(),
    }
    current = client.get(f"{VOLUNTEERS}/vrijwilligers/vw-fatima", headers=coordinator)
    if current.status_code == 404:
        client.put(f"{VOLUNTEERS}/api/v1/volunteers/vw-fatima", json=fatima, headers=coordinator).raise_for_status()
        paused = client.post(f"{VOLUNTEERS}/vrijwilligers/vw-fatima/pauzeren", headers=coordinator)
        if paused.status_code not in (303, 409):
            paused.raise_for_status()


def desk_requests(client: httpx.Client, hr: dict[str, str]) -> None:
    """Two requests through Ten Cate's employer desk: one its HR contact asks for an employee who consents, one an
    employee sends with the desk code on the resident's form. Sent again on a later run within the duplicate
    window, each is stored once."""
    asked = client.post(
        f"{SIGNALS}/werkgeversloket/hulpvraag",
        headers=hr,
        data={
            "naam": "Demo werknemer 1",
            "contact": "phone",
            "telefoon": "06 12341234",
            "postcode": "7602 BA",
            "huisnummer": "14",
            "gemeente": "GM0141",
            "inkomen": "short",
            "achterstanden": ["rent", "health_insurance"],
            "toestemming": "ja",
        },
    )
    if asked.status_code != 303:
        asked.raise_for_status()
    code = client.get(f"{SIGNALS}/api/v1/employer-desk/ten-cate", headers=hr).json()["desk_code"]
    client.post(
        f"{SIGNALS}/api/v1/help-requests",
        json={
            "test": {"income": "tight", "arrears": ["energy"], "worries": ["sleep"], "municipality": "GM1742"},
            "consent": True,
            "name": "Demo werknemer 2",
            "contact_by": "email",
            "email": "werknemer2@example.nl",
            "postcode": "7461 AB",
            "house_number": 3,
            "employer_code": code,
        },
    ).raise_for_status()


def self_reported_requests(client: httpx.Client) -> None:
    """Two residents ask for help themselves (Hulp vragen): one in Almelo through the page, with an announced
    eviction (a crisis: three working days), one in Deventer through the public API, who asks for a confirmation by
    e-mail (the local mail catcher shows it). Both show in the queue as "Zelf aangemeld"; sent again on a later run
    within the duplicate window, each is stored once."""
    page = client.post(
        f"{SIGNALS}/hulp-vragen/aanvraag",
        data={
            "inkomen": "short",
            "achterstanden": ["rent", "energy"],
            "zorgen": ["eviction"],
            "gemeente": "GM0141",
            "toestemming": "ja",
            "naam": "Demo bewoner 1",
            "contact": "phone",
            "telefoon": "06 55501234",
            "postcode": "7607 AB",
            "huisnummer": "90",
        },
    )
    page.raise_for_status()
    client.post(
        f"{SIGNALS}/api/v1/help-requests",
        json={
            "test": {
                "income": "tight",
                "arrears": ["health_insurance"],
                "worries": ["sleep"],
                "municipality": "GM0150",
            },
            "consent": True,
            "name": "Demo bewoner 2",
            "contact_by": "email",
            "email": "bewoner2@example.nl",
            "postcode": "7411 AB",
            "house_number": 8,
            "confirmation_email": True,
        },
    ).raise_for_status()


def help_started(client: httpx.Client, partner: dict[str, str], case_id: str, timeout: float = 30) -> None:
    """The partner accepts and starts the referral that closing the case made (a moment later, by event), so that
    the case page shows what became of it."""
    deadline = time.monotonic() + timeout
    while (found := client.get(f"{REFERRALS}/api/v1/referrals/{case_id}", headers=partner)).status_code == 404:
        if time.monotonic() > deadline:
            print(f"[demo] no referral for {case_id} yet; not accepted", file=sys.stderr)
            return
        time.sleep(1)
    if found.status_code == 403:  # matched to another organisation's offer: nothing for this partner to do
        return
    found.raise_for_status()
    for state, step in (("requested", "accept"), ("accepted", "start")):
        if client.get(f"{REFERRALS}/api/v1/referrals/{case_id}", headers=partner).json()["state"] == state:
            client.post(f"{REFERRALS}/api/v1/referrals/{case_id}/{step}", headers=partner).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wait-ready", action="store_true", help="wait for the four services first")
    args = parser.parse_args()
    with httpx.Client(timeout=10) as client:
        if args.wait_ready:
            wait_ready(client)
        load(client)
    print(
        f"[demo] loaded {len(MEMBERS)} members, {len(OFFERS)} offers, {len(VOLUNTEERS_DEMO)} volunteers, "
        f"{len(SIGNALS_DEMO)} signals, {len(PROJECTS)} Schuldenlab projects; "
        f"sign in at {SIGNALS}/inloggen as {', '.join(ACCOUNTS)} "
        f"(password {DEMO_PASSWORD}) or beheerder (REDZAAM_ADMIN_PASSWORD)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
