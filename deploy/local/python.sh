#!/usr/bin/env bash
# Creates .venv with the project and its development tools; cheap when nothing changed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$repo/.venv"
stamp="$venv/.pyproject.sha256"
want="$(sha256sum "$repo/pyproject.toml" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "[python] Python 3.11 or newer is needed" >&2
  exit 1
}
echo "[python] installing the project into $venv" >&2
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q -e "$repo[dev]"
echo "$want" >"$stamp"
