#!/usr/bin/env bash
# A local multi-silo PCRS cluster on this machine: N worker silos + the web front, one Orleans cluster whose
# membership and reminders live in PostgreSQL.
#
#   deploy/local-cluster.sh start N   build, then start the web front and N `Pcrs.Silo run` processes
#   deploy/local-cluster.sh stop      stop the silos, then the web front (which stops an embedded PostgreSQL)
#   deploy/local-cluster.sh status    show the processes and the membership table
#
# Database: ConnectionStrings__Pcrs if set (external PostgreSQL). Otherwise the web front runs the embedded
# PostgreSQL in PCRS_DATA_DIR (same layout as the single-node default) and the silos connect to it with the
# generated credentials it writes there.
# Knobs: PCRS_DATA_DIR (default /var/lib/pcrs as root, else ~/.local/share/pcrs), PCRS_RUN_DIR (pids and logs,
# default /tmp/pcrs-local-cluster), PCRS_URL (default http://127.0.0.1:5080), PCRS_CLUSTER_ID (default pcrs-local),
# PCRS_SILO_PORT / PCRS_GATEWAY_PORT (first ports, default 11111 / 30000; each process takes the next pair),
# PCRS_CONFIGURATION (Debug), PCRS_NO_BUILD=1 to skip the build.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
RUN=${PCRS_RUN_DIR:-/tmp/pcrs-local-cluster}
CFG=${PCRS_CONFIGURATION:-Debug}
URL=${PCRS_URL:-http://127.0.0.1:5080}
CLUSTER=${PCRS_CLUSTER_ID:-pcrs-local}
SILO_PORT=${PCRS_SILO_PORT:-11111}
GATEWAY_PORT=${PCRS_GATEWAY_PORT:-30000}
if [ "$(id -u)" = 0 ]; then DEFAULT_DATA=/var/lib/pcrs; else DEFAULT_DATA=${XDG_DATA_HOME:-$HOME/.local/share}/pcrs; fi
DATA=${PCRS_DATA_DIR:-$DEFAULT_DATA}
SILO_DLL="$ROOT/Silo/bin/$CFG/net10.0/Pcrs.Silo.dll"
WEB_DLL="$ROOT/WebFront/bin/$CFG/net10.0/Pcrs.WebFront.dll"

log() { printf '[local-cluster] %s\n' "$*"; }
die() { printf '[local-cluster] %s\n' "$*" >&2; exit 1; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_one() { # pid file; SIGTERM, then wait up to 60 s
  local pidfile=$1 pid
  alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "$(basename "$pidfile" .pid) did not stop in 60 s; killing it"; kill -KILL "$pid"; fi
  rm -f "$pidfile"
}

start() {
  local count=${1:-2}
  [[ "$count" =~ ^[0-9]+$ ]] || die "usage: $0 start N"
  mkdir -p "$RUN"
  if alive "$RUN/webfront.pid"; then die "already running (see $0 status); stop it first"; fi
  if [ "${PCRS_NO_BUILD:-0}" != 1 ]; then
    log "building ($CFG)"
    dotnet build "$ROOT/Silo/Silo.csproj" -c "$CFG" -nologo -v quiet -clp:ErrorsOnly
    dotnet build "$ROOT/WebFront/WebFront.csproj" -c "$CFG" -nologo -v quiet -clp:ErrorsOnly
  fi
  export Orleans__ClusterId="$CLUSTER" Orleans__ServiceId="${PCRS_SERVICE_ID:-pcrs}" Pcrs__Clustering=AdoNet
  # Every process must encrypt and read the key ring with the same key-encryption key.
  export Secrets__KeyFile="${Secrets__KeyFile:-$DATA/key-encryption.key}"

  log "starting the web front on $URL (silo port $SILO_PORT, gateway $GATEWAY_PORT)"
  Database__DataDirectory="$DATA" Orleans__Endpoints__SiloPort=$SILO_PORT Orleans__Endpoints__GatewayPort=$GATEWAY_PORT \
    Orleans__SiloName=webfront nohup dotnet "$WEB_DLL" --urls "$URL" >"$RUN/webfront.log" 2>&1 &
  echo $! >"$RUN/webfront.pid"
  for _ in $(seq 300); do
    curl -fs "$URL/alive" >/dev/null 2>&1 && break
    alive "$RUN/webfront.pid" || die "the web front stopped; see $RUN/webfront.log"
    sleep 0.5
  done
  curl -fs "$URL/alive" >/dev/null || die "the web front did not answer on $URL/alive; see $RUN/webfront.log"

  if [ -z "${ConnectionStrings__Pcrs:-}" ]; then
    # The web front runs the embedded server; the silos use the credentials it generated (never printed).
    local state="$DATA/embedded-postgres.json" port password
    port=$(sed -n 's/.*"Port":\([0-9]*\).*/\1/p' "$state")
    password=$(sed -n 's/.*"Password":"\([0-9a-f]*\)".*/\1/p' "$state")
    [ -n "$port" ] && [ -n "$password" ] || die "cannot read $state"
    export ConnectionStrings__Pcrs="Host=127.0.0.1;Port=$port;Username=pcrs;Password=$password;Database=pcrs"
    log "embedded PostgreSQL on 127.0.0.1:$port (data in $DATA)"
  fi

  for i in $(seq 1 "$count"); do
    local sp=$((SILO_PORT + i)) gp=$((GATEWAY_PORT + i))
    log "starting silo-$i (silo port $sp, gateway $gp)"
    Orleans__Endpoints__SiloPort=$sp Orleans__Endpoints__GatewayPort=$gp Orleans__SiloName="silo-$i" \
      nohup dotnet "$SILO_DLL" run >"$RUN/silo-$i.log" 2>&1 &
    echo $! >"$RUN/silo-$i.pid"
  done
  log "started; logs and pids in $RUN. Membership: $0 status"
}

stop() {
  [ -d "$RUN" ] || { log "nothing to stop"; return 0; }
  for pidfile in "$RUN"/silo-*.pid; do
    [ -e "$pidfile" ] || continue
    log "stopping $(basename "$pidfile" .pid)"
    stop_one "$pidfile" &
  done
  wait
  if [ -e "$RUN/webfront.pid" ]; then log "stopping the web front"; stop_one "$RUN/webfront.pid"; fi
  log "stopped"
}

status() {
  for pidfile in "$RUN"/*.pid; do
    [ -e "$pidfile" ] || continue
    if alive "$pidfile"; then state=running; else state=stopped; fi
    printf '%-10s pid %-8s %s\n' "$(basename "$pidfile" .pid)" "$(cat "$pidfile")" "$state"
  done
  curl -s "$URL/health" && echo " ($URL/health)" || echo "web front not answering on $URL"
}

case "${1:-}" in
  start) start "${2:-2}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start N | stop | status" >&2; exit 64 ;;
esac
