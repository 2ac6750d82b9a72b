"""The platform benchmark's cluster mode at its smoke size, so that it does not silently stop working; it checks its
own counts. The figures come from full runs, in the README."""

import os
import subprocess
import sys

import pytest

from tests.conftest import Servers
from tests.e2e.platform import REPO

pytestmark = pytest.mark.cluster


def test_platform_benchmark_on_the_cluster_completes_with_exact_counts(cluster: Servers) -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "platform_load.py"), "--smoke", "--cluster"],
        cwd=REPO / "benchmarks",
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "a three-node Kafka cluster" in completed.stdout
    assert "counted 30 of 30 signals (exact)" in completed.stdout
    assert "largest consumer lag per replica" in completed.stdout
