#!/usr/bin/env bash
# Runs the whole test suite on real servers. Starts the local Kafka and MongoDB-wire server unless the environment names
# other endpoints (REDZAAM_TEST_KAFKA_BOOTSTRAP and REDZAAM_TEST_MONGO_URI), and stops what it started.
# Extra arguments go to pytest, e.g. `make test ARGS="tests/unit -x"`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

bash "$here/python.sh"
# the npm packages the browser tests inject (axe-core), from package-lock.json
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  command -v npm >/dev/null || { echo "[test] npm is needed for the browser checks (Debian: apt-get install npm)" >&2; exit 1; }
  npm ci --no-audit --no-fund --silent
fi
echo "[test] lint and types" >&2
"$repo/.venv/bin/ruff" check --quiet .
"$repo/.venv/bin/ruff" format --check --quiet .
"$repo/.venv/bin/mypy"

started_infra=0
if [[ -z "${REDZAAM_TEST_KAFKA_BOOTSTRAP:-}" || -z "${REDZAAM_TEST_MONGO_URI:-}" ]]; then
  infra_status="$(bash "$here/infra.sh" status)"
  if [[ "$infra_status" != *"kafka: running"* || "$infra_status" != *"mongo: running"* ]]; then
    started_infra=1
  fi
  bash "$here/infra.sh" up
fi
started_secured=0
cleanup() {
  if [[ "$started_secured" == 1 ]]; then bash "$here/infra.sh" stop --secured; fi
  if [[ "$started_infra" == 1 ]]; then bash "$here/infra.sh" stop; fi
}
trap cleanup EXIT
# the partners' SASL listener with Kafka's ACLs, for tests/integration/partners (a broker of its own)
if [[ -z "${REDZAAM_TEST_SECURED_KAFKA:-}" ]]; then
  if [[ "$(bash "$here/infra.sh" status --secured)" != *"secured kafka: running"* ]]; then
    started_secured=1
  fi
  bash "$here/infra.sh" up --secured
fi

set +e
"$repo/.venv/bin/python" -m pytest "$@"
status=$?
set -e
if [[ "$status" == 5 ]]; then
  echo "[test] pytest collected no tests: that is a failure here" >&2
fi
exit "$status"
