#!/usr/bin/env bash
# Local Kafka (KRaft) and a MongoDB-wire server (mongo-java-server, H2 MVStore backend, committing per write), both
# from Maven Central and run with the JDK, for machines without a Docker engine. Idempotent: artifacts and data are
# cached under $REDZAAM_LOCAL_DIR, so the data survives between starts.
#
#   deploy/local/infra.sh fetch    resolve the Kafka and mongo-java-server jars and compile the mongo launcher
#   deploy/local/infra.sh start    start whichever server is not running yet
#   deploy/local/infra.sh wait     block until a real produce/consume and a real MongoDB ping succeed
#   deploy/local/infra.sh up       fetch + start + wait
#   deploy/local/infra.sh stop     stop the servers this script started, by PID
#   deploy/local/infra.sh restart kafka|mongo   restart one of them and wait until both answer
#   deploy/local/infra.sh kill kafka|mongo      SIGKILL one of them (fault tests), then start it again and wait
#   deploy/local/infra.sh status   say what runs where
#
# Beside it, a three-node KRaft cluster (each node controller and broker; brokers on 9192/9292/9392, controllers on
# 9193/9293/9393; replication factor 3, min.insync.replicas 2, no unclean leader election), state under
# $REDZAAM_LOCAL_DIR/kafka-cluster, from the same jars. It uses the same MongoDB-wire server.
#   deploy/local/infra.sh up --cluster       fetch + start the three nodes (and mongo) + wait
#   deploy/local/infra.sh stop --cluster     stop the three nodes, by PID (mongo and the single broker keep running)
#   deploy/local/infra.sh status --cluster   say which nodes run
#   deploy/local/infra.sh wait --cluster     block until a produce/consume on the cluster succeeds
#   deploy/local/infra.sh kill-broker N      SIGKILL node N (1-3), as a crash would; it stays down
#   deploy/local/infra.sh start-broker N     start node N again (does not wait)
#
# And a secured single broker as compose.partner-kafka.yml sets one up: PLAINTEXT on 9592 for the services (a super
# user), the partners' SASL/SCRAM-SHA-512 listener on 9594 with Kafka's ACL authorizer, controller on 9593; state
# under $REDZAAM_LOCAL_DIR/kafka-secured. The partner topic tests and the example consumer's smoke run use it.
#   deploy/local/infra.sh up --secured       fetch + start it + wait
#   deploy/local/infra.sh stop --secured     stop it, by PID
#   deploy/local/infra.sh status --secured   say whether it runs
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
state="${REDZAAM_LOCAL_DIR:-$repo/.local}"
kafka_port="${REDZAAM_LOCAL_KAFKA_PORT:-9092}"
controller_port="${REDZAAM_LOCAL_KAFKA_CONTROLLER_PORT:-9093}"
mongo_port="${REDZAAM_LOCAL_MONGO_PORT:-27017}"
python="${REDZAAM_PYTHON:-$repo/.venv/bin/python}"

kafka_dir="$state/kafka"
mongo_dir="$state/mongo"
cluster_dir="$state/kafka-cluster"
cluster_nodes=(1 2 3)
node_port() { echo $((9092 + 100 * $1)); }
node_controller_port() { echo $((9093 + 100 * $1)); }
cluster_bootstrap="127.0.0.1:9192,127.0.0.1:9292,127.0.0.1:9392"
secured_dir="$state/kafka-secured"
secured_port="${REDZAAM_LOCAL_SECURED_KAFKA_PORT:-9592}"
secured_controller_port="${REDZAAM_LOCAL_SECURED_CONTROLLER_PORT:-9593}"
secured_partners_port="${REDZAAM_LOCAL_SECURED_PARTNERS_PORT:-9594}"

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

fetch_mongo() {
  local stamp="$mongo_dir/classes/.source.sha256"
  local want
  want="$(cat "$here/mongo/pom.xml" "$here/mongo/RedzaamMongoServer.java" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return
  fi
  need mvn "install Maven (Debian: apt-get install maven)"
  need javac "install a JDK, version 17 or newer"
  log "resolving mongo-java-server from Maven Central"
  rm -rf "$mongo_dir/libs" "$mongo_dir/classes"
  mkdir -p "$mongo_dir/libs" "$mongo_dir/classes"
  mvn -q -B -Dstyle.color=never -f "$here/mongo/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$mongo_dir/libs"
  javac -nowarn -cp "$mongo_dir/libs/*" -d "$mongo_dir/classes" "$here/mongo/RedzaamMongoServer.java"
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

start_mongo() {
  local pidfile="$mongo_dir/mongo.pid"
  if running "$pidfile"; then
    log "mongo already running (pid $(cat "$pidfile"))"
    return
  fi
  need java "install a JDK, version 17 or newer"
  mkdir -p "$mongo_dir/data"
  log "starting mongo-java-server on 127.0.0.1:$mongo_port"
  nohup java -Xms128m -Xmx2g -XX:+UseG1GC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$mongo_dir/classes:$mongo_dir/libs/*" RedzaamMongoServer 127.0.0.1 "$mongo_port" "$mongo_dir/data/redzaam-bson.mv.db" \
    >>"$mongo_dir/mongo.log" 2>&1 &
  echo $! >"$pidfile"
}

start_node() {  # one node of the three-node cluster
  local node="$1"
  [[ " ${cluster_nodes[*]} " == *" $node "* ]] || { log "no cluster node '$node' (1, 2 or 3)"; exit 2; }
  local dir="$cluster_dir/node-$node" pidfile="$cluster_dir/node-$node/kafka.pid"
  if running "$pidfile"; then
    log "cluster node $node already running (pid $(cat "$pidfile"))"
    return
  fi
  need java "install a JDK, version 17 or newer"
  mkdir -p "$dir/data" "$dir/logs"
  local voters="" n
  for n in "${cluster_nodes[@]}"; do
    voters+="${voters:+,}$n@127.0.0.1:$(node_controller_port "$n")"
  done
  sed -e "s#@NODE_ID@#$node#g" -e "s#@KAFKA_PORT@#$(node_port "$node")#g" \
    -e "s#@CONTROLLER_PORT@#$(node_controller_port "$node")#g" -e "s#@VOTERS@#$voters#g" \
    -e "s#@DATA_DIR@#$dir/data#g" "$here/kafka/cluster.properties" >"$dir/server.properties"
  # three JVMs share a small machine: small heaps
  local java_opts=(-Xms256m -Xmx512m -XX:+UseG1GC
    "-Dlog4j2.configurationFile=$here/kafka/log4j2.yaml" "-Dkafka.logs.dir=$dir/logs")
  local cp="$kafka_dir/libs/*"
  if [[ ! -f "$cluster_dir/cluster.id" ]]; then
    mkdir -p "$cluster_dir"
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid >"$cluster_dir/cluster.id"
  fi
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    log "formatting cluster node $node (cluster $(cat "$cluster_dir/cluster.id"))"
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format \
      -t "$(cat "$cluster_dir/cluster.id")" -c "$dir/server.properties" >"$dir/logs/format.log" 2>&1
  fi
  log "starting cluster node $node: broker 127.0.0.1:$(node_port "$node"), controller $(node_controller_port "$node")"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  nohup java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" >"$dir/logs/stdout.log" 2>&1 &
  echo $! >"$pidfile"
}

start_secured() {  # the broker with the partners' SASL listener and ACLs
  local pidfile="$secured_dir/kafka.pid"
  if running "$pidfile"; then
    log "secured kafka already running (pid $(cat "$pidfile"))"
    return
  fi
  need java "install a JDK, version 17 or newer"
  mkdir -p "$secured_dir/data" "$secured_dir/logs"
  sed -e "s#@KAFKA_PORT@#$secured_port#g" -e "s#@CONTROLLER_PORT@#$secured_controller_port#g" \
    -e "s#@PARTNERS_PORT@#$secured_partners_port#g" -e "s#@DATA_DIR@#$secured_dir/data#g" \
    "$here/kafka/secured.properties" >"$secured_dir/server.properties"
  local java_opts=(-Xms256m -Xmx512m -XX:+UseG1GC
    "-Dlog4j2.configurationFile=$here/kafka/log4j2.yaml" "-Dkafka.logs.dir=$secured_dir/logs")
  local cp="$kafka_dir/libs/*"
  if [[ ! -f "$secured_dir/data/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid)"
    log "formatting the secured Kafka's storage (cluster $cluster_id)"
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$secured_dir/server.properties" >"$secured_dir/logs/format.log" 2>&1
  fi
  log "starting secured kafka: services 127.0.0.1:$secured_port, partners (SASL) 127.0.0.1:$secured_partners_port"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  nohup java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$secured_dir/server.properties" \
    >"$secured_dir/logs/stdout.log" 2>&1 &
  echo $! >"$pidfile"
}

cluster_status() {
  local node pidfile
  for node in "${cluster_nodes[@]}"; do
    pidfile="$cluster_dir/node-$node/kafka.pid"
    if running "$pidfile"; then
      echo "cluster node $node: running (pid $(cat "$pidfile")), broker 127.0.0.1:$(node_port "$node")"
    else
      echo "cluster node $node: stopped"
    fi
  done
  echo "kafka bootstrap: $cluster_bootstrap"
  echo "mongodb uri:     mongodb://127.0.0.1:$mongo_port/"
}

wait_cluster() {
  local timeout="${1:-120}"
  [[ -x "$python" ]] || { log "no Python environment at $python: run deploy/local/python.sh first"; exit 1; }
  "$python" "$here/readiness.py" --kafka "$cluster_bootstrap" \
    --mongo "mongodb://127.0.0.1:$mongo_port/" --timeout "$timeout" || {
    log "cluster not ready; logs: $cluster_dir/node-*/logs/server.log"
    exit 1
  }
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

kill_one() {  # SIGKILL, as a crash would: no shutdown hook, no flush
  local name="$1" pidfile="$2"
  if running "$pidfile"; then
    log "killing $name (pid $(cat "$pidfile")) with SIGKILL"
    kill -KILL "$(cat "$pidfile")"
    while kill -0 "$(cat "$pidfile")" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pidfile"
}

wait_ready() {
  local timeout="${1:-120}"
  [[ -x "$python" ]] || { log "no Python environment at $python: run deploy/local/python.sh first"; exit 1; }
  "$python" "$here/readiness.py" --kafka "127.0.0.1:$kafka_port" \
    --mongo "mongodb://127.0.0.1:$mongo_port/" --timeout "$timeout" || {
    log "servers not ready; logs: $kafka_dir/logs/server.log, $mongo_dir/mongo.log"
    exit 1
  }
}

status() {
  local name pidfile
  for name in kafka mongo; do
    pidfile="$state/$name/$name.pid"
    if running "$pidfile"; then
      echo "$name: running (pid $(cat "$pidfile"))"
    else
      echo "$name: stopped"
    fi
  done
  echo "kafka bootstrap: 127.0.0.1:$kafka_port"
  echo "mongodb uri:     mongodb://127.0.0.1:$mongo_port/"
}

if [[ "${2:-}" == "--secured" ]]; then
  case "${1:-}" in
    up)
      fetch_kafka; start_secured
      "$python" "$here/readiness.py" --kafka "127.0.0.1:$secured_port" --mongo "mongodb://127.0.0.1:$mongo_port/" --timeout "${3:-120}" || {
        log "secured kafka not ready; logs: $secured_dir/logs/server.log"
        exit 1
      } ;;
    stop) stop_one "secured kafka" "$secured_dir/kafka.pid" ;;
    status)
      if running "$secured_dir/kafka.pid"; then echo "secured kafka: running (pid $(cat "$secured_dir/kafka.pid"))"
      else echo "secured kafka: stopped"; fi
      echo "services: 127.0.0.1:$secured_port, partners (SASL/SCRAM-SHA-512): 127.0.0.1:$secured_partners_port" ;;
    *) echo "usage: $0 up|stop|status --secured" >&2; exit 2 ;;
  esac
  exit 0
fi

if [[ "${2:-}" == "--cluster" ]]; then
  case "${1:-}" in
    up)
      fetch_kafka; fetch_mongo
      for node in "${cluster_nodes[@]}"; do start_node "$node"; done
      start_mongo; wait_cluster "${3:-120}" ;;
    start) for node in "${cluster_nodes[@]}"; do start_node "$node"; done ;;
    wait) wait_cluster "${3:-120}" ;;
    stop) for node in 3 2 1; do stop_one "cluster node $node" "$cluster_dir/node-$node/kafka.pid"; done ;;
    status) cluster_status ;;
    *) echo "usage: $0 up|start|wait|stop|status --cluster" >&2; exit 2 ;;
  esac
  exit 0
fi

case "${1:-}" in
  fetch) fetch_kafka; fetch_mongo ;;
  start) start_kafka; start_mongo ;;
  wait) wait_ready "${2:-120}" ;;
  up) fetch_kafka; fetch_mongo; start_kafka; start_mongo; wait_ready "${2:-120}" ;;
  stop) stop_one mongo "$mongo_dir/mongo.pid"; stop_one kafka "$kafka_dir/kafka.pid" ;;
  status) status ;;
  kill-broker)  # one node of the cluster, SIGKILLed as a crash would; it stays down until start-broker
    [[ " ${cluster_nodes[*]} " == *" ${2:-} "* ]] || { echo "usage: $0 kill-broker 1|2|3" >&2; exit 2; }
    kill_one "cluster node $2" "$cluster_dir/node-$2/kafka.pid" ;;
  start-broker)
    [[ " ${cluster_nodes[*]} " == *" ${2:-} "* ]] || { echo "usage: $0 start-broker 1|2|3" >&2; exit 2; }
    start_node "$2" ;;
  restart)  # one server, stopped gracefully: restart kafka|mongo
    case "${2:-}" in
      kafka) stop_one kafka "$kafka_dir/kafka.pid"; start_kafka ;;
      mongo) stop_one mongo "$mongo_dir/mongo.pid"; start_mongo ;;
      *) echo "usage: $0 restart kafka|mongo" >&2; exit 2 ;;
    esac
    wait_ready 120 ;;
  kill)  # one server, killed as a crash would kill it, as the fault-injection tests do: kill kafka|mongo
    case "${2:-}" in
      kafka) kill_one kafka "$kafka_dir/kafka.pid"; start_kafka ;;
      mongo) kill_one mongo "$mongo_dir/mongo.pid"; start_mongo ;;
      *) echo "usage: $0 kill kafka|mongo" >&2; exit 2 ;;
    esac
    wait_ready 120 ;;
  *) echo "usage: $0 fetch|start|wait|up|stop|status|restart|kill|kill-broker|start-broker [--cluster]" >&2; exit 2 ;;
esac
