import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Servers
from tests.e2e.platform import REPO, Platform


@pytest.fixture(scope="module")
def platform(servers: Servers) -> Iterator[Platform]:
    import uuid

    namespace = f"e2e{uuid.uuid4().hex[:10]}"
    running = Platform(namespace, logs=REPO / "test-artifacts" / namespace)
    running.start(servers)
    try:
        running.wait_ready()
        yield running
    finally:
        codes = running.stop()
        # uvicorn re-raises SIGTERM after its graceful shutdown, so -SIGTERM is a clean exit too
        assert all(code in (0, -signal.SIGTERM) for code in codes.values()), f"unclean exit: {codes}"
        for service in codes:
            log = (running.logs / f"{service}.log").read_text()
            assert "Application shutdown complete" in log, f"{service} did not shut down gracefully"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
