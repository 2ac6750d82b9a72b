import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from pymongo import MongoClient

from tests.conftest import Servers, delete_topics
from tests.e2e.platform import REPO, Platform


@pytest.fixture(scope="module")
def platform(servers: Servers) -> Iterator[Platform]:
    import uuid

    namespace = f"e2e{uuid.uuid4().hex[:10]}"
    running = Platform(namespace, logs=REPO / "test-artifacts" / namespace)
    running.start(servers)
    try:
        running.wait_ready()
        running.set_up_access()
        yield running
    finally:
        codes = running.stop()
        # uvicorn re-raises SIGTERM after its graceful shutdown, so -SIGTERM is a clean exit too
        assert all(code in (0, -signal.SIGTERM) for code in codes.values()), f"unclean exit: {codes}"
        with MongoClient(servers.mongo_uri) as client:
            for service in codes:
                client.drop_database(f"{namespace}_{service}")
        asyncio.run(delete_topics(servers.kafka_bootstrap, namespace))
        for service in codes:
            log = (running.logs / f"{service}.log").read_text()
            assert "Application shutdown complete" in log, f"{service} did not shut down gracefully"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


CHROMIUM = os.environ.get("REDZAAM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    """Headless Debian Chromium driven by Playwright; a missing browser fails the run."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's chromium package (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        browser.close()
