#!/usr/bin/env bash
# Local Kafka (KRaft, from Maven Central, run with the JDK) and FerretDB (SQLite backend, built with Go),
# for machines without a Docker engine. Idempotent: artifacts and data are cached under $REDZAAM_LOCAL_DIR.
#
#   deploy/local/infra.sh fetch    resolve the Kafka jars and build the FerretDB launcher
#   deploy/local/infra.sh start    start whichever server is not running yet
#   deploy/local/infra.sh wait     block until a real produce/consume and a real MongoDB ping succeed
#   deploy/local/infra.sh up       fetch + start + wait
#   deploy/local/infra.sh stop     stop the servers this script started, by PID
#   deploy/local/infra.sh restart kafka|ferretdb   restart one of them and wait until both answer
#   deploy/local/infra.sh status   say what runs where
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
state="${REDZAAM_LOCAL_DIR:-$repo/.local}"
kafka_port="${REDZAAM_LOCAL_KAFKA_PORT:-9092}"
controller_port="${REDZAAM_LOCAL_KAFKA_CONTROLLER_PORT:-9093}"
ferretdb_port="${REDZAAM_LOCAL_FERRETDB_PORT:-27017}"
python="${REDZAAM_PYTHON:-$repo/.venv/bin/python}"

kafka_dir="$state/kafka"
ferretdb_dir="$state/ferretdb"

log() { printf '[infra] %s\n' "$*" >&2; }

need() {
  command -v "$1" >/dev/null 2>&1 || { log "missing '$1': $2"; exit 1; }
}

fetch_kafka() {
  local pom="$here/kafka/pom.xml"
  local stamp="$kafka_dir/libs/.pom.sha256"
  local want
  want="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return
  fi
  need mvn "install Maven (Debian: apt-get install maven)"
  log "resolving Kafka from Maven Central"
  rm -rf "$kafka_dir/libs"
  mkdir -p "$kafka_dir/libs"
  mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$kafka_dir/libs"
  echo "$want" >"$stamp"
}

fetch_ferretdb() {
  local bin="$ferretdb_dir/bin/ferretdb-local"
  local stamp="$ferretdb_dir/bin/.source.sha256"
  local want
  want="$(cat "$here/ferretdb/go.mod" "$here/ferretdb/go.sum" "$here/ferretdb/main.go" | sha256sum | cut -d' ' -f1)"
  if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return
  fi
  need go "install Go 1.24 or newer"
  log "building FerretDB launcher (first build takes a few minutes)"
  mkdir -p "$ferretdb_dir/bin"
  (cd "$here/ferretdb" && go build -trimpath -o "$bin" .)
  echo "$want" >"$stamp"
}

running() {
  local pidfile="$1"
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start_kafka() {
  local pidfile="$kafka_dir/kafka.pid"
  if running "$pidfile"; then
    log "kafka already running (pid $(cat "$pidfile"))"
    return
  fi
  need java "install a JDK, version 17 or newer"
  mkdir -p "$kafka_dir/data" "$kafka_dir/logs"
  sed -e "s#@KAFKA_PORT@#$kafka_port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" \
    -e "s#@DATA_DIR@#$kafka_dir/data#g" "$here/kafka/server.properties" >"$kafka_dir/server.properties"
  local java_opts=(-Xms256m -Xmx1g -XX:+UseG1GC
    "-Dlog4j2.configurationFile=$here/kafka/log4j2.yaml" "-Dkafka.logs.dir=$kafka_dir/logs")
  local cp="$kafka_dir/libs/*"
  if [[ ! -f "$kafka_dir/data/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid)"
    log "formatting Kafka storage (cluster $cluster_id)"
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$kafka_dir/server.properties" >"$kafka_dir/logs/format.log" 2>&1
  fi
  log "starting kafka on 127.0.0.1:$kafka_port"
  # every partition holds a few files open; many test topics can exceed a low default limit
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  nohup java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$kafka_dir/server.properties" \
    >"$kafka_dir/logs/stdout.log" 2>&1 &
  echo $! >"$pidfile"
}

start_ferretdb() {
  local pidfile="$ferretdb_dir/ferretdb.pid"
  if running "$pidfile"; then
    log "ferretdb already running (pid $(cat "$pidfile"))"
    return
  fi
  mkdir -p "$ferretdb_dir/data"
  log "starting ferretdb on 127.0.0.1:$ferretdb_port"
  nohup "$ferretdb_dir/bin/ferretdb-local" -listen-addr "127.0.0.1:$ferretdb_port" \
    -data-dir "$ferretdb_dir/data" >"$ferretdb_dir/ferretdb.log" 2>&1 &
  echo $! >"$pidfile"
}

stop_one() {
  local name="$1" pidfile="$2"
  if ! running "$pidfile"; then
    rm -f "$pidfile"
    return
  fi
  local pid
  pid="$(cat "$pidfile")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop in 30 s; killing pid $pid"
    kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}

wait_ready() {
  local timeout="${1:-120}"
  [[ -x "$python" ]] || { log "no Python environment at $python: run deploy/local/python.sh first"; exit 1; }
  "$python" "$here/readiness.py" --kafka "127.0.0.1:$kafka_port" \
    --mongo "mongodb://127.0.0.1:$ferretdb_port/" --timeout "$timeout" || {
    log "servers not ready; logs: $kafka_dir/logs/server.log, $ferretdb_dir/ferretdb.log"
    exit 1
  }
}

status() {
  local name pidfile
  for name in kafka ferretdb; do
    pidfile="$state/$name/$name.pid"
    if running "$pidfile"; then
      echo "$name: running (pid $(cat "$pidfile"))"
    else
      echo "$name: stopped"
    fi
  done
  echo "kafka bootstrap: 127.0.0.1:$kafka_port"
  echo "mongodb uri:     mongodb://127.0.0.1:$ferretdb_port/"
}

case "${1:-}" in
  fetch) fetch_kafka; fetch_ferretdb ;;
  start) start_kafka; start_ferretdb ;;
  wait) wait_ready "${2:-120}" ;;
  up) fetch_kafka; fetch_ferretdb; start_kafka; start_ferretdb; wait_ready "${2:-120}" ;;
  stop) stop_one ferretdb "$ferretdb_dir/ferretdb.pid"; stop_one kafka "$kafka_dir/kafka.pid" ;;
  status) status ;;
  restart)  # one server, as the fault-injection tests do: restart kafka|ferretdb
    case "${2:-}" in
      kafka) stop_one kafka "$kafka_dir/kafka.pid"; start_kafka ;;
      ferretdb) stop_one ferretdb "$ferretdb_dir/ferretdb.pid"; start_ferretdb ;;
      *) echo "usage: $0 restart kafka|ferretdb" >&2; exit 2 ;;
    esac
    wait_ready 120 ;;
  *) echo "usage: $0 fetch|start|wait|up|stop|status|restart" >&2; exit 2 ;;
esac
