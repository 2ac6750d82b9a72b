#!/usr/bin/env bash
# Runs the whole platform on this machine: Kafka, the local MongoDB-wire server and the four services, with demo data.
# Stays up until Ctrl-C, then stops everything it started.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

bash "$here/python.sh"
infra_status="$(bash "$here/infra.sh" status)"
infra_was_running=0
[[ "$infra_status" == *"kafka: running"*"mongo: running"* ]] && infra_was_running=1
bash "$here/infra.sh" up

set -a
# shellcheck source=deploy/local/dev.env
source "$here/dev.env"
set +a

logs="$repo/.local/logs"
mkdir -p "$logs"
declare -A ports=([signals]=8001 [referrals]=8002 [volunteers]=8003 [reporting]=8004)
pids=()

cleanup() {
  trap - INT TERM EXIT
  stopping=1
  echo
  echo "[run] stopping services"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ "$infra_was_running" == 0 ]]; then
    bash "$here/infra.sh" stop
  fi
}
stopping=0
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

# the mail catcher: a real SMTP server on 127.0.0.1:1025 that keeps every notification in a maildir to read
mail="$repo/.local/mail"
mkdir -p "$mail/tmp" "$mail/new" "$mail/cur"  # a maildir
setsid "$repo/.venv/bin/python" -m aiosmtpd -n -l 127.0.0.1:1025 -c aiosmtpd.handlers.Mailbox "$mail" \
  >"$logs/mail.log" 2>&1 &
pids+=($!)

for service in signals referrals volunteers reporting; do
  # a session of its own: Ctrl-C reaches this script, which stops the services in order, not each service at once
  setsid "$repo/.venv/bin/uvicorn" --factory "services.$service.app:create_app" \
    --host 127.0.0.1 --port "${ports[$service]}" --no-access-log >"$logs/$service.log" 2>&1 &
  pids+=($!)
done

"$repo/.venv/bin/python" "$here/demo.py" --wait-ready

cat <<MSG

Redzaam runs. Staff pages:
  signalen       http://127.0.0.1:8001/
  verwijzingen   http://127.0.0.1:8002/
  vrijwilligers  http://127.0.0.1:8003/
  rapportage     http://127.0.0.1:8004/
API documentation at /docs of each; logs in $logs; e-mail notifications in $mail/new.
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}" || true
[[ "$stopping" == 1 ]] || echo "[run] a service stopped unexpectedly; see $logs" >&2
