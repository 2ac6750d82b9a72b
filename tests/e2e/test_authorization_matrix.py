"""Every role and every kind of partner system against every endpoint and page of every service.

The policy below is the specification: each route lists who may use it. The test fails when a service has a route
the policy does not list, so a new endpoint cannot ship without deciding who may use it. A refusal is 401 (API,
no valid token), 403 (token does not allow it) or, for a page without a session, a redirect to the sign-in page;
an admitted caller may still get 404 or 422 for the made-up ids and empty bodies used here, never 401 or 403.
"""

import re
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from services.referrals.app import create_app as referrals_app
from services.referrals.settings import ReferralsSettings
from services.reporting.app import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.signals.app import create_app as signals_app
from services.signals.settings import SignalsSettings
from services.volunteers.app import create_app as volunteers_app
from services.volunteers.settings import VolunteersSettings
from tests.e2e.platform import Platform

pytestmark = pytest.mark.e2e

CASEWORKERS = {"outreach_worker", "debt_specialist"}
STAFF = CASEWORKERS | {"volunteer_coordinator", "partner_employee", "programme_lead", "administrator"}
PARTNERS = {"partner:housing", "partner:energy", "partner:debt_help", "partner:school"}
CREDITORS = {"partner:housing", "partner:energy"}
HELP_OFFER = {"partner:debt_help"}
ADMIN = {"administrator"}
COORDINATOR = {"volunteer_coordinator"}
LEAD = {"programme_lead"}
HR = {"employer_hr"}  # an employer's HR contact: its own desk only, none of the cooperative's pages
EVERYONE = {"anonymous"} | STAFF | HR | PARTNERS

POLICY: dict[str, dict[str, set[str]]] = {
    "signals": {
        "POST /api/v1/oauth/token": EVERYONE,
        "GET /api/v1/partners": ADMIN,
        "POST /api/v1/partners": ADMIN,
        "POST /api/v1/partners/{partner_id}/leave": ADMIN,
        "POST /api/v1/partners/{partner_id}/secret": ADMIN,
        "GET /api/v1/accounts": ADMIN,
        "POST /api/v1/accounts": ADMIN,
        "POST /api/v1/accounts/{username}/deactivate": ADMIN,
        "GET /api/v1/audit": ADMIN,
        "POST /api/v1/account/totp": STAFF | HR,
        "POST /api/v1/account/totp/confirm": STAFF | HR,
        "GET /account/tweestaps": STAFF | HR,
        "POST /account/tweestaps": STAFF | HR,
        "POST /api/v1/signals": CREDITORS,
        "POST /api/v1/signals/batch": CREDITORS,
        "GET /api/v1/feedback": CREDITORS,
        "POST /api/v1/evictions": {"partner:housing"},
        "GET /api/v1/cases": CASEWORKERS,
        "GET /api/v1/cases/{case_id}": CASEWORKERS,
        "POST /api/v1/cases/{case_id}/contact-attempts": CASEWORKERS,
        "POST /api/v1/cases/{case_id}/close": CASEWORKERS,
        "GET /api/v1/export/ddas": CASEWORKERS,
        "POST /api/v1/retention/run": ADMIN,
        "GET /beheer/logboek": ADMIN,
        "POST /beheer/opschonen": ADMIN,
        "GET /export/ddas.csv": CASEWORKERS | LEAD,
        "GET /inloggen": EVERYONE,
        "POST /inloggen": EVERYONE,
        # Hulp vragen: the residents' self-test and help request, public (limits: plumbing.public_forms)
        "GET /hulp-vragen": EVERYONE,
        "POST /hulp-vragen/uitslag": EVERYONE,
        "POST /hulp-vragen/aanvraag": EVERYONE,
        "POST /api/v1/help-requests": EVERYONE,
        "POST /uitloggen": STAFF | HR,
        "GET /beheer": ADMIN,
        "POST /beheer/leden": ADMIN,
        "POST /beheer/leden/{partner_id}/vertrek": ADMIN,
        "POST /beheer/accounts": ADMIN,
        "POST /beheer/accounts/{username}/deactiveren": ADMIN,
        # the employer desk; an HR contact only for its own employer, so not for the made-up id here (403: tested
        # in tests/integration/signals/test_employer_desk.py)
        "GET /werkgeversloket": HR,
        "POST /werkgeversloket/hulpvraag": HR,
        "POST /werkgeversloket/code": HR,
        "POST /beheer/leden/{partner_id}/loketcode": ADMIN,
        "GET /api/v1/employer-desk/{partner_id}": ADMIN,
        "POST /api/v1/employer-desk/{partner_id}/code": ADMIN,
        "GET /api/v1/municipalities/{code}/settings": ADMIN,
        "PUT /api/v1/municipalities/{code}/settings": ADMIN,
        "GET /beheer/gemeenten": ADMIN,
        "GET /beheer/gemeenten/{code}": ADMIN,
        "POST /beheer/gemeenten/{code}": ADMIN,
        "GET /": CASEWORKERS,
        "GET /casussen/{case_id}": CASEWORKERS,
        "POST /casussen/{case_id}/contactpoging": CASEWORKERS,
        "POST /casussen/{case_id}/afsluiten": CASEWORKERS,
        # teams, assignment and the queue's list tools (teams_api, assignment_api, team_pages, worklist_pages)
        "GET /api/v1/teams": ADMIN,
        "POST /api/v1/teams": ADMIN,
        "PUT /api/v1/teams/{team_id}": ADMIN,
        "PUT /api/v1/cases/{case_id}/assignment": CASEWORKERS,
        "POST /api/v1/cases/assignments": CASEWORKERS,
        "GET /mijn-casussen": CASEWORKERS,
        "GET /werkvoorraad.csv": CASEWORKERS,
        "POST /werkvoorraad/toewijzen": CASEWORKERS,
        "POST /casussen/{case_id}/toewijzen": CASEWORKERS,
        "GET /beheer/teams": ADMIN,
        "POST /beheer/teams": ADMIN,
        "POST /beheer/teams/{team_id}": ADMIN,
        "POST /beheer/teams-volgorde": ADMIN,
    },
    "referrals": {
        "GET /api/v1/audit": ADMIN,
        "PUT /api/v1/offers/{offer_id}": ADMIN | {"partner_employee"} | HELP_OFFER,
        "GET /api/v1/offers": STAFF | HR | PARTNERS,
        "GET /api/v1/catalogue/hsds": STAFF | HR | PARTNERS,
        "POST /api/v1/catalogue/hsds": ADMIN,
        "POST /api/v1/cohorts/doorbraak/members": CASEWORKERS,
        "POST /api/v1/cohorts/doorbraak/members/{household_ref}/steps/{index}/done": CASEWORKERS,
        "POST /api/v1/cohorts/doorbraak/members/{household_ref}/exit": CASEWORKERS,
        "POST /api/v1/retention/run": ADMIN,
        "GET /beheer/logboek": ADMIN,
        "POST /beheer/opschonen": ADMIN,
        "GET /api/v1/cohorts/doorbraak": CASEWORKERS,
        "POST /api/v1/referrals": CASEWORKERS | HELP_OFFER,
        "GET /api/v1/referrals": CASEWORKERS | {"partner_employee"} | HELP_OFFER,
        "GET /api/v1/referral-updates": {"partner_employee"} | HELP_OFFER,
        "GET /api/v1/referrals/{referral_id}": CASEWORKERS | {"partner_employee"} | HELP_OFFER,
        "POST /api/v1/referrals/{referral_id}/accept": CASEWORKERS | {"partner_employee"} | HELP_OFFER,
        "POST /api/v1/referrals/{referral_id}/decline": CASEWORKERS | {"partner_employee"} | HELP_OFFER,
        "POST /api/v1/referrals/{referral_id}/start": CASEWORKERS | {"partner_employee"} | HELP_OFFER,
        "POST /api/v1/referrals/{referral_id}/complete": CASEWORKERS | {"partner_employee"} | HELP_OFFER,
        "POST /api/v1/referrals/{referral_id}/cancel": CASEWORKERS | {"partner_employee"} | HELP_OFFER,
        "POST /api/v1/match": CASEWORKERS | HELP_OFFER,
        "GET /": CASEWORKERS | {"partner_employee"},
        "GET /verwijzingen/{referral_id}": CASEWORKERS | {"partner_employee"},
        "POST /verwijzingen/{referral_id}/{action}": CASEWORKERS | {"partner_employee"},
        "GET /doorbraak": CASEWORKERS,
        "GET /doorbraak/inschrijven": CASEWORKERS,
        "POST /doorbraak/inschrijven": CASEWORKERS,
        "GET /doorbraak/{household_ref}": CASEWORKERS,
        "POST /doorbraak/{household_ref}/stappen": CASEWORKERS,
        "POST /doorbraak/{household_ref}/uitschrijven": CASEWORKERS,
        "GET /verwijzen": CASEWORKERS,
        "POST /verwijzen": CASEWORKERS,
        "GET /aanbod": ADMIN | {"partner_employee"},
        "GET /aanbod/nieuw": ADMIN | {"partner_employee"},
        "GET /aanbod/{offer_id}": ADMIN | {"partner_employee"},
        "POST /aanbod": ADMIN | {"partner_employee"},
    },
    "volunteers": {
        "PUT /api/v1/volunteers/{volunteer_id}": COORDINATOR,
        "POST /api/v1/sign-ups": EVERYONE,
        "POST /api/v1/volunteers/{volunteer_id}/screening": COORDINATOR,
        "GET /api/v1/assignments": COORDINATOR,
        "GET /api/v1/assignments/{request_id}/candidates": COORDINATOR,
        "POST /api/v1/assignments/{request_id}/assign": COORDINATOR,
        "POST /api/v1/assignments/{request_id}/release": COORDINATOR,
        "POST /api/v1/assignments/{request_id}/hours": COORDINATOR,
        "POST /api/v1/lesson-requests": COORDINATOR | {"partner:school"},
        "POST /api/v1/assignments/{request_id}/lesson-given": COORDINATOR,
        "GET /api/v1/audit": ADMIN,
        "POST /api/v1/retention/run": ADMIN,
        "GET /beheer/logboek": ADMIN,
        "POST /beheer/opschonen": ADMIN,
        "POST /vrijwilligers/{volunteer_id}/{change}": COORDINATOR,
        "GET /koppelingen/{request_id}": COORDINATOR,
        "POST /koppelingen/{request_id}/uren": COORDINATOR,
        "POST /koppelingen/{request_id}/beeindigen": COORDINATOR,
        "POST /koppelingen/{request_id}/les-gegeven": COORDINATOR,
        "GET /gastlessen/nieuw": COORDINATOR,
        "POST /gastlessen/nieuw": COORDINATOR,
        "GET /api/v1/municipalities/{code}/settings": ADMIN,
        "PUT /api/v1/municipalities/{code}/settings": ADMIN,
        "GET /beheer/gemeenten": ADMIN,
        "GET /beheer/gemeenten/{code}": ADMIN,
        "POST /beheer/gemeenten/{code}": ADMIN,
        "GET /": COORDINATOR,
        "POST /koppelingen/{request_id}": COORDINATOR,
        "GET /vrijwilligers/{volunteer_id}": COORDINATOR,
        "POST /vrijwilligers/{volunteer_id}/screening": COORDINATOR,
        "GET /aanmelden": EVERYONE,
        "POST /aanmelden": EVERYONE,
    },
    "reporting": {
        "GET /api/v1/audit": ADMIN,
        "GET /api/v1/counters": STAFF,
        "GET /api/v1/breakdown/{metric}": STAFF,
        "GET /api/v1/targets": STAFF,
        "GET /api/v1/export.csv": STAFF,
        "PUT /api/v1/targets/{target_id}": LEAD,
        "POST /api/v1/retention/run": ADMIN,
        "GET /beheer/logboek": ADMIN,
        "POST /beheer/opschonen": ADMIN,
        "GET /export": STAFF,
        "GET /export/tellingen.csv": STAFF,
        "GET /export/ddas": STAFF,
        "GET /": STAFF,
        "GET /doelen": LEAD,
        "POST /doelen/{target_id}": LEAD,
        # the Schuldenlab: staff read it; the lead registers, starts and decides; a project's own leader (any member
        # of staff named as its leader) changes its details, MKBA and KPIs, which the use case checks per project
        "GET /api/v1/lab/projects": STAFF,
        "POST /api/v1/lab/projects": LEAD,
        "GET /api/v1/lab/projects/{project_id}": STAFF,
        "PUT /api/v1/lab/projects/{project_id}": STAFF,
        "POST /api/v1/lab/projects/{project_id}/start": LEAD,
        "POST /api/v1/lab/projects/{project_id}/decisions": LEAD,
        "PUT /api/v1/lab/projects/{project_id}/analysis": STAFF,
        "PUT /api/v1/lab/projects/{project_id}/kpis": STAFF,
        "GET /api/v1/lab/prices": STAFF,
        "PUT /api/v1/lab/prices": LEAD,
        "GET /api/v1/lab/summary": STAFF,
        "GET /api/v1/lab/portfolio.json": STAFF,
        "GET /api/v1/lab/portfolio.csv": STAFF,
        "GET /lab": STAFF,
        "GET /lab/nieuw": LEAD,
        "POST /lab/nieuw": LEAD,
        "GET /lab/prijzen": STAFF,
        "POST /lab/prijzen": LEAD,
        "GET /lab/{project_id}": STAFF,
        "POST /lab/{project_id}/start": LEAD,
        "POST /lab/{project_id}/besluit": LEAD,
        "GET /lab/{project_id}/wijzigen": STAFF,
        "POST /lab/{project_id}/wijzigen": STAFF,
        "GET /lab/{project_id}/mkba": STAFF,
        "POST /lab/{project_id}/mkba": STAFF,
        "POST /lab/{project_id}/kpis": STAFF,
        "POST /lab/{project_id}/kpis/{kpi_id}/verwijderen": STAFF,
    },
}
OPERATIONS = {"GET /healthz", "GET /readyz", "GET /metrics"}  # the same in every service, for the orchestrator
ACCOUNT_OF_ROLE = {
    "outreach_worker": "almelo",
    "debt_specialist": "schuldhulp",
    "volunteer_coordinator": "coordinator",
    "partner_employee": "humanitas",
    "programme_lead": "lead",
    "administrator": "beheerder",
    "employer_hr": "werkgever",
}
PARTNER_OF_TYPE = {
    "partner:housing": "woonstad-almelo",
    "partner:energy": "enexis",
    "partner:debt_help": "humanitas",
    "partner:school": "landstede",
}
SIGN_OUT = "POST /uitloggen"
PATH_VALUES = {"index": "0", "action": "accepteren", "metric": "signals_raised"}


def app_routes(app: FastAPI) -> set[str]:
    return {
        f"{method} {route.path}"
        for router in app.state.routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }


def apps() -> dict[str, FastAPI]:
    return {
        "signals": signals_app(
            SignalsSettings(pseudonym_key="matrix-pseudonym-key-0123456789", data_key="matrix-data-key-0123456789")
        ),
        "referrals": referrals_app(ReferralsSettings()),
        "volunteers": volunteers_app(VolunteersSettings()),
        "reporting": reporting_app(ReportingSettings()),
    }


def test_the_policy_names_every_route_of_every_service() -> None:
    for service, app in apps().items():
        routes = app_routes(app) - OPERATIONS
        assert routes == set(POLICY[service]), f"{service}: routes and policy differ"


@dataclass(frozen=True)
class Outcome:
    service: str
    route: str
    caller: str
    status: int
    location: str
    www_authenticate: bool

    @property
    def refused(self) -> bool:
        """401 with a challenge (not the sign-in page's own 401 for a wrong password), 403, or off to sign in."""
        return (
            (self.status == 401 and self.www_authenticate)
            or self.status == 403
            or (self.status == 303 and "/inloggen?volgende=" in self.location)
        )


def test_every_caller_is_admitted_exactly_where_the_policy_says(platform: Platform) -> None:
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    callers.update({role: platform.headers(account) for role, account in ACCOUNT_OF_ROLE.items()})
    callers.update({kind: platform.partner_headers(partner) for kind, partner in PARTNER_OF_TYPE.items()})
    wrong: list[Outcome] = []
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        # signing out ends the session of the caller's token in every service: that route comes last
        checks = [
            (service, route, admitted) for service, routes in POLICY.items() for route, admitted in routes.items()
        ]
        for service, route, admitted in sorted(checks, key=lambda check: check[1] == SIGN_OUT):
            method, template = route.split(" ", 1)
            path = re.sub(r"\{(\w+)\}", lambda match: PATH_VALUES.get(match.group(1), "x"), template)
            for caller, headers in callers.items():
                response = client.request(method, platform.url(service) + path, headers=headers)
                location = response.headers.get("location", "")
                challenged = "www-authenticate" in response.headers
                outcome = Outcome(service, route, caller, response.status_code, location, challenged)
                if outcome.refused == (caller in admitted):
                    wrong.append(outcome)
    assert not wrong, "\n".join(f"{o.service} {o.route} as {o.caller}: {o.status} {o.location}" for o in wrong)
