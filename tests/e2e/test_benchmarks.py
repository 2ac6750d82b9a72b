"""Every benchmark runs at its smoke size, so that none silently stops working. Each checks its own counts and
fails when they are not exact; speed is never asserted here (the figures come from full runs, in the README)."""

import os
import subprocess
import sys

import pytest

from tests.conftest import Servers
from tests.e2e.platform import REPO

pytestmark = pytest.mark.e2e

BENCHMARKS = ["signals_intake.py", "reporting_rebuild.py", "referrals_matching.py", "platform_load.py"]


@pytest.mark.parametrize("script", BENCHMARKS)
def test_benchmark_smoke_run_completes_with_exact_counts(script: str, servers: Servers) -> None:
    if servers.origin != "local" and script == "platform_load.py":
        pytest.skip("platform_load starts the project's own local servers")
    completed = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), "--smoke"],
        cwd=REPO / "benchmarks",
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert completed.stdout.startswith("machine: ") or "\nmachine: " in completed.stdout
