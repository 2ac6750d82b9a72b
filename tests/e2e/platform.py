"""Starts the four services as separate uvicorn processes on the test servers, in a namespace of their own."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import Servers

REPO = Path(__file__).resolve().parents[2]
SERVICES = {"signals": 18001, "referrals": 18002, "volunteers": 18003, "reporting": 18004}
PARTNER = "woonstad-almelo"
PARTNER_KEY = "e2e-partner-key-woonstad-0001"


@dataclass
class Platform:
    namespace: str
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

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
                "REDZAAM_PARTNER_KEYS": f'{{"{PARTNER}": "{PARTNER_KEY}"}}',
                "REDZAAM_OUTBOX_SCAN_SECONDS": "5",
                "REDZAAM_MANUAL_ASSIGNMENT_MUNICIPALITIES": '["GM0193"]',
                **{f"REDZAAM_{name.upper()}_URL": self.url(name) for name in SERVICES},
            }
        )
        return env

    def start(self, servers: Servers) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        for service, port in SERVICES.items():
            log = (self.logs / f"{service}.log").open("wb")
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
                env=self.environment(servers, service),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for service in SERVICES:
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
        f"{platform.url('signals')}/api/v1/cases/{case_id}/close", json={"outcome": "follow_up_financial"}
    )
    assert response.status_code == 204, response.text
