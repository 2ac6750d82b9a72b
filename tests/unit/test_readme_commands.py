"""The README's two commands are the ones the Makefile and CI really run."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    blocks = re.findall(r"```\n(.*?)```", (REPO / "README.md").read_text(), flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def make_recipe(target: str) -> list[str]:
    makefile = (REPO / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, flags=re.M)
    assert match, f"Makefile has no target {target}"
    return [line.strip() for line in match.group(1).splitlines()]


def test_readme_gives_one_command_to_run_and_one_to_test() -> None:
    commands = readme_commands()
    assert "make run" in commands
    assert "make test" in commands


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert "make test" in [line.strip() for line in ci]


def test_make_targets_call_the_run_and_test_scripts() -> None:
    assert make_recipe("run") == ["bash deploy/local/run.sh"]
    assert make_recipe("test") == ["bash deploy/local/test.sh $(ARGS)"]
    for script in ("run.sh", "test.sh", "infra.sh", "python.sh"):
        assert (REPO / "deploy" / "local" / script).exists()


def test_test_script_runs_pytest_on_the_configured_test_paths() -> None:
    script = (REPO / "deploy" / "local" / "test.sh").read_text()
    assert '-m pytest "$@"' in script
    assert 'testpaths = ["tests"]' in (REPO / "pyproject.toml").read_text()


def test_ci_runs_the_cluster_fault_test_after_the_suite() -> None:
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert ci.index("make test-cluster") > ci.index("make test")
    recipe = " ".join(make_recipe("test-cluster"))
    assert "infra.sh up --cluster" in recipe and "REDZAAM_CLUSTER_TESTS=1" in recipe and "tests/cluster" in recipe


def test_the_development_settings_are_a_file_bash_can_source() -> None:
    import subprocess
    from pathlib import Path

    env_file = Path(__file__).resolve().parents[2] / "deploy" / "local" / "dev.env"
    shown = subprocess.run(
        ["bash", "-c", f'set -euo pipefail; set -a; source "{env_file}"; set +a; echo "$REDZAAM_TEAM_MAILBOXES"'],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0 and not shown.stderr, shown.stderr
    assert shown.stdout.strip().startswith("{") and "wijkteam@almelo.example" in shown.stdout
