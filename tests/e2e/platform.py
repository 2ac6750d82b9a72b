"""Starts the four services as separate uvicorn processes on the test servers, in a namespace of their own."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.sync_api import Page

from plumbing.reference import municipalities as region
from services.signals.access import totp
from tests.conftest import Servers

REPO = Path(__file__).resolve().parents[2]
SERVICES = {"signals": 18001, "referrals": 18002, "volunteers": 18003, "reporting": 18004}
PARTNER = "woonstad-almelo"
# further members, one of each kind of partner system: id: type
MEMBERS = {"enexis": "energy", "humanitas": "debt_help", "landstede": "school", "ten-cate": "employer"}
ADMIN_PASSWORD = "e2e-admin-password-0123456789"
STAFF_PASSWORD = "e2e-wachtwoord-0123456789"
# username: (role, municipalities, organisation)
ACCOUNTS = {
    "outreach": ("outreach_worker", list(region()), ""),
    "almelo": ("outreach_worker", ["GM0141"], ""),
    "schuldhulp": ("debt_specialist", ["GM0141"], ""),
    "coordinator": ("volunteer_coordinator", list(region()), ""),
    "humanitas": ("partner_employee", [], "humanitas"),
    "lead": ("programme_lead", [], ""),
    "werkgever": ("employer_hr", [], "ten-cate"),  # the HR contact of an employer member: its desk
}


@dataclass
class Platform:
    namespace: str
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    servers: Servers | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    admin_totp: str = ""

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{SERVICES[service]}"

    def environment(self, servers: Servers, service: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "REDZAAM_DEV_MODE": "false",
                "REDZAAM_KAFKA_BOOTSTRAP": servers.kafka_bootstrap,
                "REDZAAM_MONGO_URI": servers.mongo_uri,
                "REDZAAM_MONGO_DATABASE": f"{self.namespace}_{service}",
                "REDZAAM_TOPIC_PREFIX": self.namespace,
                "REDZAAM_PSEUDONYM_KEY": "e2e-pseudonym-key-0123456789abcdef",
                "REDZAAM_DATA_KEY": "e2e-data-key-0123456789abcdef",
                "REDZAAM_TOKEN_KEY": f"e2e-token-key-{self.namespace}-0123456789",
                "REDZAAM_ADMIN_PASSWORD": ADMIN_PASSWORD,
                "REDZAAM_OUTBOX_SCAN_SECONDS": "5",
                "REDZAAM_MANUAL_ASSIGNMENT_MUNICIPALITIES": '["GM0193"]',
                **{f"REDZAAM_{name.upper()}_URL": self.url(name) for name in SERVICES},
            }
        )
        return env

    def start(self, servers: Servers) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.servers = servers
        for service in SERVICES:
            self.start_one(service)

    def start_one(self, service: str) -> None:
        port = SERVICES[service]
        with (self.logs / f"{service}.log").open("ab") as log:
            self.processes[service] = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    f"services.{service}.app:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=REPO,
                env=self.environment(self.servers, service),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self, service: str) -> None:
        """SIGKILL: no shutdown, nothing flushed or committed, as when a machine dies."""
        self.processes[service].send_signal(signal.SIGKILL)
        self.processes[service].wait(timeout=10)

    def restart(self, service: str) -> None:
        self.start_one(service)
        self.wait_ready(services=[service])

    def wait_ready(self, timeout: float = 60, services: list[str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        for service in services or list(SERVICES):
            while True:
                if self.processes[service].poll() is not None:
                    raise RuntimeError(f"{service} exited; see {self.logs / (service + '.log')}")
                try:
                    if httpx.get(f"{self.url(service)}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{service} not ready in {timeout} s; see {self.logs}")
                time.sleep(0.3)

    def set_up_access(self) -> None:
        """The administrator registers the housing partner (its client secret comes back once) and the staff."""
        admin = self.headers("beheerder")
        for partner_id, kind in {PARTNER: "housing", **MEMBERS}.items():
            member = {
                "id": partner_id,
                "name": partner_id.title(),
                "type": kind,
                "municipalities": list(region()),
            }
            response = httpx.post(f"{self.url('signals')}/api/v1/partners", json=member, headers=admin)
            assert response.status_code == 201, response.text
            self.secrets[partner_id] = response.json()["client_secret"]
        for username, (role, municipalities, organisation) in ACCOUNTS.items():
            account = {
                "username": username,
                "name": username.title(),
                "role": role,
                "municipalities": municipalities,
                "organisation": organisation,
                "password": STAFF_PASSWORD,
            }
            response = httpx.post(f"{self.url('signals')}/api/v1/accounts", json=account, headers=admin)
            assert response.status_code == 201, response.text

    def headers(self, username: str) -> dict[str, str]:
        """A bearer token for a staff account, got the way a script would: the OAuth2 password grant. The
        administrator first sets up the second factor it must sign in with."""
        if username == "beheerder" and not self.admin_totp:
            self.enrol_administrator()
        if username not in self.tokens:
            password = ADMIN_PASSWORD if username == "beheerder" else STAFF_PASSWORD
            form = {"grant_type": "password", "username": username, "password": password}
            if username == "beheerder":
                form["totp"] = self.admin_code()
            response = httpx.post(f"{self.url('signals')}/api/v1/oauth/token", data=form)
            assert response.status_code == 200, response.text
            self.tokens[username] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def enrol_administrator(self) -> None:
        form = {"grant_type": "password", "username": "beheerder", "password": ADMIN_PASSWORD}
        response = httpx.post(f"{self.url('signals')}/api/v1/oauth/token", data=form)
        assert response.status_code == 200, response.text
        password_only = {"Authorization": f"Bearer {response.json()['access_token']}"}
        refused = httpx.get(f"{self.url('signals')}/api/v1/partners", headers=password_only)
        assert refused.status_code == 403 and "second factor" in refused.json()["detail"]
        started = httpx.post(f"{self.url('signals')}/api/v1/account/totp", headers=password_only)
        assert started.status_code == 200, started.text
        self.admin_totp = started.json()["secret"]
        confirmed = httpx.post(
            f"{self.url('signals')}/api/v1/account/totp/confirm",
            json={"code": self.admin_code()},
            headers=password_only,
        )
        assert confirmed.status_code == 204, confirmed.text

    def admin_code(self) -> str:
        return totp.code_at(self.admin_totp, time.time())

    def partner_headers(self, partner_id: str = PARTNER) -> dict[str, str]:
        """A partner's system (the housing corporation unless named): client credentials for a token."""
        key = f"partner:{partner_id}"
        if key not in self.tokens:
            secret = self.secrets[partner_id]
            form = {"grant_type": "client_credentials", "client_id": partner_id, "client_secret": secret}
            response = httpx.post(f"{self.url('signals')}/api/v1/oauth/token", data=form)
            assert response.status_code == 200, response.text
            self.tokens[key] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    def stop(self) -> dict[str, int]:
        """SIGTERM to each, as an orchestrator would; returns the exit codes."""
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        codes = {}
        for service, process in self.processes.items():
            try:
                codes[service] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[service] = process.wait()
        return codes


def hand_on(platform: Platform, case_id: str) -> None:
    """An outreach worker closes the case with a financial follow-up, which refers the household on."""
    response = httpx.post(
        f"{platform.url('signals')}/api/v1/cases/{case_id}/close",
        json={"outcome": "follow_up_financial"},
        headers=platform.headers("outreach"),
    )
    assert response.status_code == 204, response.text


def sign_in(page: Page, platform: Platform, username: str, password: str = STAFF_PASSWORD, code: str = "") -> None:
    """Signs in through the sign-in page, as staff do; the session cookie then works on every service."""
    page.context.clear_cookies()
    page.goto(f"{platform.url('signals')}/inloggen")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    if code:
        page.get_by_label("Code uit de authenticator-app (als u tweestapsverificatie gebruikt)").fill(code)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
