#!/bin/bash
# Cluster benchmark: S storages x F GeoTIFF tiles on real servers on loopback, scanned by 1, 2 and 3 real `Pcrs.Silo run`
# processes on a PostgreSQL database this script creates (ADO.NET clustering, as deploy/local-cluster.sh). Per
# configuration: full scan and unchanged rescan (files/s), peak memory per silo (VmHWM), database size, bytes the
# servers sent; rclone listing the same trees as a baseline. Appends a section to RESULTS.md (never rewrites it).
#
# usage: tests/Benchmarks/Cluster/run.sh [--storages 100] [--files 1000] [--silos "1 2 3"] [--no-rclone]
#        [--max-connections 4] [--label TEXT] [--repo DIR] [--per-dir 250] [--cpu-per-silo CPUS] [--ss-per-storage]
#        [--netns] [--mix national] [--delay-ms D] [--platform]
# --repo DIR runs the Silo and driver of another checkout (e.g. a `git worktree` of an earlier commit) against the same
# trees, servers and database instance: cpu-per-file.sh uses it to compare two commits in one run.
# --per-dir D puts D files in each directory (more directories for the same files). --cpu-per-silo C (e.g. 0.5) runs each
# silo in a CPU cgroup of its own capped at C CPUs (cgroup v2 cpu.max, or the v1 cpu controller's CFS quota where v2 has
# no cpu controller); PostgreSQL, nginx and the driver stay unlimited. The table then gives each silo's throttled time.
# --ss-per-storage keeps every 0.5 s sample of the established connections per storage and per silo process
# (out/ss-N.tsv: time, storage port, silo pid, connections; pid "-" where the silo is in another network namespace) and
# names the samples where one storage had more than --max-connections (out/ss-over-N.txt).
# --netns runs each silo in a network namespace of its own (tests/netns/netns.sh, tag cbench), joined to the root
# namespace by a veth link on a bridge: nginx and PostgreSQL listen on the bridge's address, each silo advertises its own
# (Orleans:Endpoints:AdvertisedIPAddress), as silos on several machines would; connections are counted at nginx.
# --mix national serves the storages over the protocols users have (FTP, explicit FTPS, nginx, Apache, SFTP: see
# national-mix.sh) instead of one nginx, on ports 9420-9439 only (PostgreSQL 9425, silos 9426+, gateways 9429+), in its
# own work dir (default /tmp/pcrs-cluster-bench-mix); the table's reads and bytes are counted per protocol on the servers.
# --delay-ms D (with --mix) puts every storage behind tests/Benchmarks/Latency/delay_relay.py, D ms each way (20 ms of
# round trip for D=10); the relay's CPU is then part of the servers' CPU column. --platform (with --mix) first runs the
# platform's approach on one storage of each kind (national-mix.sh, mix_platform) and compares it with the full scan.
# Needs: nginx, PostgreSQL 15 binaries, rclone, GDAL python (tests/peers/start.sh installs them). Uses ports
# 18000+ (nginx, one server per storage), 55610 (PostgreSQL), 11200+/30200+ (silos). Work dir: $CLUSTER_BENCH_DIR
# (default /tmp/pcrs-cluster-bench); the trees stay there between runs (the generator is idempotent).
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
REPO=$(readlink -f "$HERE/../../..")
STORAGES=100 FILES=1000 SILOS="1 2 3" RCLONE=1 MAXCONN=4 LABEL="" PRODUCT=$REPO PER_DIR=250 CPU_PER_SILO="" SS_LOG=0 NETNS=0 MIX="" DELAY_MS="" PLATFORM=""
while [ $# -gt 0 ]; do
  case $1 in
    --storages) STORAGES=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --silos) SILOS=$2; shift 2 ;;
    --no-rclone) RCLONE=0; shift ;;
    --max-connections) MAXCONN=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    --repo) PRODUCT=$(readlink -f "$2"); shift 2 ;;
    --per-dir) PER_DIR=$2; shift 2 ;;
    --cpu-per-silo) CPU_PER_SILO=$2; shift 2 ;;
    --ss-per-storage) SS_LOG=1; shift ;;
    --netns) NETNS=1; shift ;;
    --delay-ms) DELAY_MS=$2; shift 2 ;;
    --platform) PLATFORM=1; shift ;;
    --mix) MIX=$2; shift 2; [ "$MIX" = national ] || { echo "unknown mix $MIX (national)" >&2; exit 64; } ;;
    *) echo "unknown argument $1" >&2; exit 64 ;;
  esac
done
W=${CLUSTER_BENCH_DIR:-/tmp/pcrs-cluster-bench${MIX:+-mix}}
TREE=$W/tree
PGBIN=/usr/lib/postgresql/15/bin
if [ -n "$MIX" ]; then
  PGPORT=${CLUSTER_BENCH_PG_PORT:-9425} SILO_PORT=9425 GATEWAY_PORT=9428 RCLONE=0
else
  PGPORT=${CLUSTER_BENCH_PG_PORT:-55610} SILO_PORT=11200 GATEWAY_PORT=30200
fi
HTTP_BASE=${CLUSTER_BENCH_HTTP_BASE:-18000}
[ -z "$MIX" ] && SILO_PORT=${CLUSTER_BENCH_SILO_PORT:-$SILO_PORT} GATEWAY_PORT=${CLUSTER_BENCH_GATEWAY_PORT:-$GATEWAY_PORT}
[ -n "$MIX" ] && [ "$NETNS" = 1 ] && { echo "--mix and --netns do not combine (the mix serves on loopback)" >&2; exit 64; }
# Where the silos reach nginx and PostgreSQL: loopback, or the namespaces' bridge (--netns).
NETNS_TAG=cbench NETNS_OCTET=${CLUSTER_BENCH_NETNS_OCTET:-77}
HOST=127.0.0.1
[ "$NETNS" = 1 ] && HOST=10.$NETNS_OCTET.0.1
NETNS_SH=$REPO/tests/netns/netns.sh
# Timeout=60: opening a PostgreSQL connection may take long on a saturated machine, and a proof whose catalogue write timed
# out leaves its storage queued until the StorageGrain re-activates (seen at load ~70 with Npgsql's default 15 s).
CS="Host=$HOST;Port=$PGPORT;Username=postgres;Database=pcrs_bench;Maximum Pool Size=40;Timeout=60"
mkdir -p "$W"/{logs,run,out}
log() { printf '[cluster-bench] %s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
SILO_PIDS=() SILO_CGROUPS=()
# shellcheck source=silo-cgroup.sh
. "$HERE/silo-cgroup.sh"

tree_ticks() { # CPU ticks of a process and its children (exited children count through cutime/cstime)
  local root=$1 total
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$root/stat" 2>/dev/null || echo 0)
  for child in $(pgrep -P "$root" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
servers_ticks() { # PostgreSQL, then the storage servers (nginx, or every server of the mix)
  local servers=0
  for pid in $([ -n "$MIX" ] && mix_pids || cat "$W/run/nginx.pid"); do servers=$((servers + $(tree_ticks "$pid"))); done
  echo "$(tree_ticks "$(head -1 "$W/pg/postmaster.pid")") $servers"
}

stop_silos() {
  for pid in "${SILO_PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SILO_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  done
  SILO_PIDS=()
  for dir in "${SILO_CGROUPS[@]:-}"; do [ -n "$dir" ] && cap_remove "$dir"; done
  SILO_CGROUPS=()
}
cleanup() {
  for pid in "${SAMPLER_PID:-}" "${CONN_SAMPLER_PID:-}" "${BYTES_SAMPLER_PID:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  stop_silos
  [ -n "$MIX" ] && mix_stop
  [ -f "$W/run/nginx.pid" ] && kill -QUIT "$(cat "$W/run/nginx.pid")" 2>/dev/null || true
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg" -m fast stop >/dev/null 2>&1 || true
  [ "$NETNS" = 1 ] && bash "$NETNS_SH" down "$NETNS_TAG" || true
}
trap cleanup EXIT

# ---------- 1. the trees ----------
log "trees: $STORAGES storages x $FILES files"
/usr/bin/python3 "$HERE/gen_cluster_tree.py" "$TREE" --storages "$STORAGES" --files "$FILES" --per-dir "$PER_DIR" >&2

# ---------- 2. nginx: one server (one storage identity: its own port) per storage ----------
if [ "$NETNS" = 1 ]; then
  bash "$NETNS_SH" down "$NETNS_TAG"
  # One namespace per silo the largest configuration needs; smaller ones use the first.
  most=$(printf '%s\n' $SILOS | sort -n | tail -1)
  bash "$NETNS_SH" up "$NETNS_TAG" "$NETNS_OCTET" $(seq -f 'silo%g' 1 "$most") > "$W/run/netns-hosts.txt"
  log "network namespaces: $(tr '\n' ' ' < "$W/run/netns-hosts.txt")"
fi
# ---------- 2. nginx: one server (one storage identity: its own port) per storage; or the national mix ----------
if [ -n "$MIX" ]; then
  # shellcheck source=national-mix.sh
  . "$HERE/national-mix.sh"
  mix_start "$STORAGES" "$TREE"
  [ -n "$DELAY_MS" ] && mix_delay "$DELAY_MS"
  [ -n "$PLATFORM" ] && mix_platform
else
{
  echo "worker_processes 2; pid $W/run/nginx.pid; error_log $W/logs/nginx-error.log warn;"
  echo "worker_rlimit_nofile 8192; events { worker_connections 4096; }"
  echo "http { include /etc/nginx/mime.types; default_type application/octet-stream; sendfile on;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $W/run/$t;"; done
  echo "  log_format bench '\$msec \$status \$body_bytes_sent \$server_port \"\$request\"';"
  echo "  access_log $W/logs/nginx-access.log bench buffer=256k flush=1s;"
  for i in $(seq 0 $((STORAGES - 1))); do
    printf '  server { listen %s:%d; root %s/s%03d; location / { autoindex on; autoindex_exact_size on; } }\n' \
      "$HOST" $((HTTP_BASE + i)) "$TREE" "$i"
  done
  echo "}"
} > "$W/run/nginx.conf"
[ -f "$W/run/nginx.pid" ] && kill -QUIT "$(cat "$W/run/nginx.pid")" 2>/dev/null && sleep 1 || true
nginx -c "$W/run/nginx.conf" -p "$W/run"
curl -fs "http://$HOST:$HTTP_BASE/lot00/" >/dev/null || { log "nginx does not answer on $HOST:$HTTP_BASE"; exit 1; }
: > "$W/run/storages.tsv"
for i in $(seq 0 $((STORAGES - 1))); do printf 'http\t%s\t%d\t/\n' "$HOST" $((HTTP_BASE + i)) >> "$W/run/storages.tsv"; done
fi

# ---------- 3. PostgreSQL: an instance of our own (the peers' one serves other tests) ----------
if [ ! -s "$W/pg/PG_VERSION" ]; then
  mkdir -p "$W/pg" && chown postgres:postgres "$W/pg"
  runuser -u postgres -- "$PGBIN/initdb" -D "$W/pg" -U postgres --auth=trust -E UTF8 >/dev/null
fi
mkdir -p "$W/pgsock" && chown postgres:postgres "$W/pgsock"
PG_LISTEN=127.0.0.1
[ "$NETNS" = 1 ] && PG_LISTEN=127.0.0.1,$HOST
if [ "$NETNS" = 1 ] && ! grep -q "10.$NETNS_OCTET.0.0/24" "$W/pg/pg_hba.conf"; then
  echo "host all all 10.$NETNS_OCTET.0.0/24 trust" >> "$W/pg/pg_hba.conf"
fi
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg" -l "$W/pgsock/postgres.log" -w \
  -o "-p $PGPORT -k $W/pgsock -c listen_addresses=$PG_LISTEN -c max_connections=300 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on" start >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -X -q -t -A)

# ---------- 4. build ----------
log "building (Release) $PRODUCT at $(git -C "$PRODUCT" rev-parse --short HEAD)"
dotnet build "$PRODUCT/Silo/Silo.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
dotnet build "$PRODUCT/tests/Benchmarks/Cluster/Benchmarks.Cluster.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
SILO_DLL=$PRODUCT/Silo/bin/Release/net10.0/Pcrs.Silo.dll
DRIVER_DLL=$PRODUCT/tests/Benchmarks/Cluster/bin/Release/net10.0/Pcrs.Benchmarks.Cluster.dll

# ---------- 5. rclone baseline: list every tree (listing only, no header read) ----------
RCLONE_LINE="not run (--no-rclone)"
if [ "$RCLONE" = 1 ]; then
  log "rclone lsjson -R --http-no-head over $STORAGES storages, 4 at a time"
  start=$(date +%s.%N)
  seq 0 $((STORAGES - 1)) | xargs -P 4 -I{} sh -c \
    'rclone lsjson -R --http-no-head --files-only ":http,url=\"http://127.0.0.1:$(( '"$HTTP_BASE"' + {} ))/\":" | grep -c "\"Path\"" > '"$W"'/out/rclone-{}.count'
  end=$(date +%s.%N)
  listed=$(cat "$W"/out/rclone-*.count | paste -sd+ | bc)
  secs=$(echo "$end - $start" | bc)
  RCLONE_LINE="rclone 1.60 \`lsjson -R --http-no-head --files-only\`, 4 storages at a time: $listed files listed in $(printf '%.1f' "$secs") s = $(echo "$listed / $secs" | bc) files/s (listing only, no byte of any file read); load $(cut -d' ' -f1-3 /proc/loadavg)"
  rm -f "$W"/out/rclone-*.count
  log "$RCLONE_LINE"
fi

# ---------- 6. per silo count: fresh database, N silos, the driver ----------
ROWS=()
for n in $SILOS; do
  log "=== $n silo(s): fresh database"
  # CLUSTER_BENCH_DB_TEMPLATE=NAME starts from a copy of database NAME (a catalogue an earlier run filled: the "full scan"
  # phase then finds every storage declared and scanned, so only the unchanged rescans are measured; profiling aid).
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS pcrs_bench WITH (FORCE)" \
    -c "CREATE DATABASE pcrs_bench${CLUSTER_BENCH_DB_TEMPLATE:+ TEMPLATE $CLUSTER_BENCH_DB_TEMPLATE}" postgres
  ConnectionStrings__Pcrs="$CS" dotnet "$SILO_DLL" migrate >"$W/logs/migrate.log" 2>&1
  cluster="bench-$n-$(date +%s)"
  for i in $(seq 1 "$n"); do
    cgroup=""
    [ -n "$CPU_PER_SILO" ] && { cgroup=$(cap_create "pcrs-bench-silo-$i" "$CPU_PER_SILO") || exit 1; SILO_CGROUPS+=("$cgroup"); }
    # --netns: the silo runs in namespace cbench-siloI and advertises that namespace's address (ip netns exec keeps the pid).
    in_ns=() advertised=()
    if [ "$NETNS" = 1 ]; then
      in_ns=(ip netns exec "$NETNS_TAG-silo$i")
      advertised=("Orleans__Endpoints__AdvertisedIPAddress=$(awk -v h="silo$i" '$1 == h { print $2 }' "$W/run/netns-hosts.txt")")
    fi
    # The silo enters its cgroup before exec, so every thread it ever starts is capped (sh's pid becomes the silo's).
    env ConnectionStrings__Pcrs="$CS" Pcrs__Clustering=AdoNet Orleans__ClusterId="$cluster" Orleans__ServiceId=bench \
      Orleans__SiloName="silo-$i" Orleans__Endpoints__SiloPort=$((SILO_PORT + i)) Orleans__Endpoints__GatewayPort=$((GATEWAY_PORT + i)) \
      "${advertised[@]}" Scanning__AllowedNetworks__0=127.0.0.0/8 Scanning__AllowedNetworks__1="$HOST/32" \
      Scanning__MaxConnectionsPerStorage="$MAXCONN" Secrets__KeyFile="$W/run/key-encryption.key" DOTNET_PerfMapEnabled=${CLUSTER_BENCH_PERF:+1} \
      nohup "${in_ns[@]}" sh -c '[ -z "$0" ] || echo $$ > "$0/cgroup.procs"; exec dotnet "$1" run' "$cgroup" "$SILO_DLL" >"$W/logs/silo-$n-$i.log" 2>&1 &
    SILO_PIDS+=($!)
  done
  for _ in $(seq 240); do
    active=$("${PSQL[@]}" -c "SELECT count(*) FROM orleans_members WHERE deployment_id = '$cluster' AND status = 3" pcrs_bench 2>/dev/null || echo 0)
    [ "$active" = "$n" ] && break
    sleep 0.5
  done
  [ "$active" = "$n" ] || { log "only $active of $n silos became active; see $W/logs"; exit 1; }
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  access_before=$(wc -l < "$W/logs/nginx-access.log" 2>/dev/null || echo 0)
  log "$n silo(s) active; driver starts (load $load_before)"
  read -r pg_before nginx_before <<<"$(servers_ticks)"
  silo_before=()
  for pid in "${SILO_PIDS[@]}"; do silo_before+=("$(awk '{print $14 + $15}' "/proc/$pid/stat")"); done
  # Silo CPU ticks sampled every 0.5 s with a timestamp: the phases' CPU is read at the driver's phase clocks.
  ( while :; do
      t=0; for pid in "${SILO_PIDS[@]}"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0))); done
      echo "$(date +%s.%N) $t"; sleep 0.5
    done ) > "$W/out/cpu-$n.tsv" &
  SAMPLER_PID=$!
  # Established connections to each storage every 0.5 s: the per-storage limit held across all silos. nginx: counted at
  # its end of each connection (its port is the storage), whatever namespace the silo is in; the mix: a storage is a
  # server address and control port (FTP data connections left out). With --ss-per-storage (nginx only) every sample is
  # kept, per storage and per silo process (the client ends name the process on loopback).
  : > "$W/out/ss-$n.tsv"
  ( while :; do
      now=$(date +%s.%N)
      if [ -n "$MIX" ]; then
        ss -Htn state established "( dport >= :$MIX_PORT_BASE and dport <= :$((MIX_PORT_BASE + 4)) )" 2>/dev/null \
          | awk '{ n[$4]++ } END { m = 0; for (p in n) if (n[p] > m) m = n[p]; print m }'
      else
        ss -Htn state established "( sport >= :$HTTP_BASE and sport < :$((HTTP_BASE + STORAGES)) )" 2>/dev/null \
          | awk '{ split($3, a, ":"); n[a[length(a)]]++ } END { m = 0; for (p in n) if (n[p] > m) m = n[p]; print m }'
      fi
      if [ "$SS_LOG" = 1 ] && [ -z "$MIX" ]; then
        if [ "$NETNS" = 1 ]; then
          ss -Htn state established "( sport >= :$HTTP_BASE and sport < :$((HTTP_BASE + STORAGES)) )" 2>/dev/null \
            | awk -v t="$now" '{ split($3, a, ":"); n[a[length(a)]]++ } END { for (p in n) print t "\t" p "\t-\t" n[p] }'
        else
          ss -Htnp state established "( dport >= :$HTTP_BASE and dport < :$((HTTP_BASE + STORAGES)) )" 2>/dev/null \
            | awk -v t="$now" '{ split($4, a, ":"); pid = "?"; if (match($0, /pid=[0-9]+/)) pid = substr($0, RSTART + 4, RLENGTH - 4)
                                 n[a[length(a)] "\t" pid]++ } END { for (k in n) print t "\t" k "\t" n[k] }'
        fi >> "$W/out/ss-$n.tsv"
      fi
      sleep 0.5
    done ) > "$W/out/conns-$n.txt" &
  CONN_SAMPLER_PID=$!
  BYTES_SAMPLER_PID=""
  if [ -n "$MIX" ]; then
    # Sizes of the servers' read logs every 0.5 s with a timestamp: mix_reads.py cuts each phase's lines out of them.
    mix_log_files > "$W/out/mixlogs-$n.txt"
    ( while :; do echo "$(date +%s.%N) $(xargs stat -c %s < "$W/out/mixlogs-$n.txt" | paste -sd' ')"; sleep 0.5; done ) > "$W/out/mixsizes-$n.tsv" &
    BYTES_SAMPLER_PID=$!
  fi
  cap_before=()
  for dir in "${SILO_CGROUPS[@]:-}"; do [ -n "$dir" ] && cap_before+=("$(cap_stat "$dir")"); done
  "${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" pcrs_bench >/dev/null
  if [ -n "${CLUSTER_BENCH_TRACE:-}" ]; then
    # CPU sampling of the first silo for the whole driver run (profiling aid, not part of the measured table).
    ~/.dotnet/tools/dotnet-trace collect -p "${SILO_PIDS[0]}" --profile dotnet-sampled-thread-time --format Speedscope \
      -o "$W/out/trace-$n.nettrace" >"$W/logs/trace-$n.log" 2>&1 &
    TRACE_PID=$!
  fi
  if [ -n "${CLUSTER_BENCH_PERF:-}" ]; then
    # CPU samples of the first silo with `perf` (JIT frames named through the perf map the silo writes; profiling aid).
    perf record -F 499 -g -p "${SILO_PIDS[0]}" -o "$W/out/perf-$n.data" >"$W/logs/perf-$n.log" 2>&1 &
    PERF_PID=$!
  fi
  dotnet "$DRIVER_DLL" --connection "$CS" --cluster-id "$cluster" --service-id bench --storages "$W/run/storages.tsv" \
    --out "$W/out/driver-$n.json" --timeout-minutes "${CLUSTER_BENCH_DRIVER_MINUTES:-240}" --key-file "$W/run/key-encryption.key" || log "the driver reports failures (see $W/out/driver-$n.json)"
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  sleep 1.5 # the samples must reach past the rescan's end + 1 s (mix_reads.py)
  kill "$SAMPLER_PID" "$CONN_SAMPLER_PID" $BYTES_SAMPLER_PID 2>/dev/null || true
  wait "$SAMPLER_PID" "$CONN_SAMPLER_PID" $BYTES_SAMPLER_PID 2>/dev/null || true
  mix_json=""
  [ -n "$MIX" ] && mix_json=$(python3 "$HERE/mix_reads.py" "$W/out/mixsizes-$n.tsv" "$W/out/mixlogs-$n.txt" "$W/out/driver-$n.json")
  max_conns=$(sort -n "$W/out/conns-$n.txt" | tail -1)
  if [ "$SS_LOG" = 1 ]; then
    # Samples where one storage had more than the limit: the storage, its connections per silo process at that instant.
    awk -F'\t' -v limit="$MAXCONN" '{ total[$1 "\t" $2] += $4; parts[$1 "\t" $2] = parts[$1 "\t" $2] " " $3 "=" $4 }
      END { for (k in total) if (total[k] > limit) print k "\t" total[k] "\t" parts[k] }' "$W/out/ss-$n.tsv" | sort > "$W/out/ss-over-$n.txt"
    log "samples with a storage over $MAXCONN connections: $(wc -l < "$W/out/ss-over-$n.txt") (out/ss-over-$n.txt)"
  fi
  # Per capped silo: the share of 100 ms periods in which it was throttled, and the seconds it waited throttled.
  throttled="-"
  if [ -n "$CPU_PER_SILO" ]; then
    throttled="" k=0
    for dir in "${SILO_CGROUPS[@]}"; do
      read -r p0 t0 s0 <<<"${cap_before[$k]}"; read -r p1 t1 s1 <<<"$(cap_stat "$dir")"
      throttled+="${throttled:+ / }$(awk -v p=$((p1 - p0)) -v t=$((t1 - t0)) -v a="$s0" -v b="$s1" 'BEGIN { printf "%.0f %% of periods, %.0f s", p ? 100 * t / p : 0, b - a }')"
      k=$((k + 1))
    done
  fi
  [ -n "${PERF_PID:-}" ] && { kill -INT "$PERF_PID" 2>/dev/null; wait "$PERF_PID" || true; PERF_PID=""; }
  read -r pg_after nginx_after <<<"$(servers_ticks)"
  hz=$(getconf CLK_TCK)
  secs() { awk -v t="$1" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }'; } # CPU ticks as seconds, one decimal
  servers_cpu="$(secs $((pg_after - pg_before))) s / $(secs $((nginx_after - nginx_before))) s"
  mem=""
  cpu=""
  "${PSQL[@]}" -F ' | ' -c "SELECT round(total_exec_time::numeric / 1000, 1) AS exec_s, round(total_plan_time::numeric / 1000, 1) AS plan_s, calls, left(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 15" pcrs_bench > "$W/out/pg-statements-$n.txt" || true
  k=0
  for pid in "${SILO_PIDS[@]}"; do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    cpu+="${cpu:+ / }$(secs $((ticks - ${silo_before[$k]}))) s"
    k=$((k + 1))
    hwm=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status" 2>/dev/null || echo "?")
    mem+="${mem:+ / }${hwm} MB"
  done
  dbsize=$("${PSQL[@]}" -c "SELECT pg_size_pretty(pg_database_size('pcrs_bench'))" postgres)
  tiles=$("${PSQL[@]}" -c "SELECT count(*) FROM pcrs_tiles WHERE error IS NULL" pcrs_bench 2>/dev/null || echo "?")
  sleep 1.5 # nginx flushes its access log buffer every second; PostgreSQL its table statistics as often
  # Row writes on the entries table: a fresh database, so inserts are the full scan's and updates the rescan's rewrites.
  entry_writes=$("${PSQL[@]}" -c "SELECT n_tup_ins || ' / ' || n_tup_upd FROM pg_stat_user_tables WHERE relname = 'pcrs_entries'" pcrs_bench)
  # Bytes of file content nginx sent during each phase (range reads answer 206; listings answer 200 with a '/' URL).
  tail -n +$((access_before + 1)) "$W/logs/nginx-access.log" > "$W/out/access-$n.log" 2>/dev/null || : > "$W/out/access-$n.log"
  stop_silos
  # The trace ends with the silo it samples (a background job ignores SIGINT, so it is not stopped by a signal).
  [ -n "${TRACE_PID:-}" ] && { wait "$TRACE_PID" || true; TRACE_PID=""; }
  ROWS+=("$(python3 - "$W/out/driver-$n.json" "$n" "$mem" "$cpu" "$dbsize" "$tiles" "$entry_writes" "$servers_cpu" "$load_before" "$load_after" "$W/out/access-$n.log" "$W/out/cpu-$n.tsv" "$(getconf CLK_TCK)" "$W/out/summary-$n.json" "$max_conns" "$throttled" "$mix_json" "$W/run/storages.tsv" "$W/out/protocols-$n.txt" <<'EOF'
import bisect, json, sys
d = json.load(open(sys.argv[1])); n, mem, cpu, db, tiles, entries, servers, lb, la, access, samples, hz, summary, conns, throttled, mix, listed, protocols = sys.argv[2:20]
f, r = d['full'], d['rescan']
mix_reads = json.loads(mix) if mix else None
# Per protocol (the mix's addresses 127.0.<k>.x say which server): its files over the time its last storage finished.
kinds = {'1': 'nginx', '2': 'apache', '3': 'ftp', '4': 'ftps', '5': 'sftp'}
rows = [l.rstrip('\n').split('\t') for l in open(listed) if l.strip()]
kind_of = [kinds.get(row[1].split('.')[2], 'http') if mix_reads is not None else 'http' for row in rows]
def per_protocol(phase):
    out = []
    for k in sorted(set(kind_of)):
        idx = [i for i, x in enumerate(kind_of) if x == k]
        files, last = sum(phase['StorageFiles'][i] for i in idx), max(phase['StorageSeconds'][i] for i in idx)
        out.append(f"{k} ({len(idx)} storages) {files:,} files, last done at {last:.1f} s = {files / max(last, 0.01):,.0f} files/s")
    return '; '.join(out)
with open(protocols, 'w') as p:
    p.write(f"{n} silo(s), per protocol (files / time its last storage finished): full scan: {per_protocol(f)}. Rescan: {per_protocol(r)}.\n")
# nginx's access log split at the phases' clocks: file content reads answer 206, listings 200.
def reads(phase):
    if mix_reads is not None:  # the mix: counted per protocol on each server (mix_reads.py)
        per = mix_reads['full' if phase is f else 'rescan']
        return ', '.join(f"{k} {v[0]:,} / {v[1] / 1e6:,.1f} MB" for k, v in sorted(per.items()))
    lines = [l.split() for l in open(access)]
    hit = [l for l in lines if l[1] == '206' and phase['StartedAt'] <= float(l[0]) <= phase['EndedAt'] + 1]
    return f"{len(hit):,} / {sum(int(l[2]) for l in hit) / 1e6:,.1f} MB"
# Silo CPU (all silos) inside a phase's clock, from the 0.5 s samples nearest its start and end.
cpu_samples = [tuple(map(float, l.split())) for l in open(samples) if len(l.split()) == 2]
times = [t for t, _ in cpu_samples]
def ticks_at(t):
    i = min(max(bisect.bisect_left(times, t), 0), len(times) - 1)
    return cpu_samples[i][1]
def cpu_ms_per_file(phase):
    return (ticks_at(phase['EndedAt']) - ticks_at(phase['StartedAt'])) / float(hz) * 1000 / max(phase['Files'], 1)
full_ms, rescan_ms = cpu_ms_per_file(f), cpu_ms_per_file(r)
json.dump({'silos': int(n), 'files': f['Files'], 'fullFilesPerSecond': f['FilesPerSecond'], 'errors': f['Errors'],
           'rescanSpeedup': d['rescanSpeedup'], 'fullCpuMsPerFile': full_ms, 'rescanCpuMsPerFile': rescan_ms,
           'peakRss': mem, 'load': f"{lb} → {la}", 'rescanFilesPerSecond': r['FilesPerSecond'],
           'maxConnectionsPerStorage': conns, 'throttled': throttled, 'mixReads': mix_reads}, open(summary, 'w'))
print(f"| {n} | {f['Files']:,} | {f['Seconds']:.1f} | **{f['FilesPerSecond']:,.0f}** | {f['Errors']} | {r['Seconds']:.1f} | **{r['FilesPerSecond']:,.0f}** | "
      f"{r['Unchanged']:,} | **{d['rescanSpeedup']:.1f}x** | {mem} | {cpu} | **{full_ms:.3f} / {rescan_ms:.3f}** | {servers} | {db} | {tiles} | {entries} | {reads(f)} | {reads(r)} | {conns} | {throttled} | {lb} → {la} |")
EOF
)")
  log "${ROWS[-1]}"
done

# ---------- 7. results ----------
# cpu-per-file.sh writes its own comparison table from out/summary-N.json.
[ -n "${CLUSTER_BENCH_NO_APPEND:-}" ] && exit 0
{
  echo
  echo "## Run $(date -u '+%Y-%m-%d %H:%M UTC')${LABEL:+: $LABEL}"
  echo
  echo "\`tests/Benchmarks/Cluster/run.sh --storages $STORAGES --files $FILES --silos \"$SILOS\" --max-connections $MAXCONN --per-dir $PER_DIR${CPU_PER_SILO:+ --cpu-per-silo $CPU_PER_SILO}$([ "$SS_LOG" = 1 ] && echo ' --ss-per-storage')$([ "$NETNS" = 1 ] && echo ' --netns')${MIX:+ --mix $MIX}${DELAY_MS:+ --delay-ms $DELAY_MS}${PLATFORM:+ --platform}\`"
  echo
  echo "Commit: $(git -C "$PRODUCT" rev-parse --short HEAD)$(git -C "$PRODUCT" diff --quiet HEAD -- Grains Grains.Interfaces Silo || echo ' (with uncommitted product changes)')"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), .NET $(dotnet --version), nginx $(nginx -v 2>&1 | cut -d/ -f2), PostgreSQL $("${PSQL[@]}" -c 'SHOW server_version' postgres)"
  echo
  echo '```'
  free -h
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  echo
  if [ -n "$MIX" ]; then read -r c_ftp c_ftps c_nginx c_apache c_sftp <<<"$(mix_counts "$STORAGES")"
    echo "Data: $STORAGES storages x $FILES distinct GeoTIFF tiles = $((STORAGES * FILES)) files, $PER_DIR per directory, in the national mix (national-mix.sh): $c_ftp FTP and $c_ftps explicit FTPS (vsftpd $(dpkg-query -W -f '${Version}' vsftpd), TLS session reuse required), $c_nginx nginx (exact sizes) and $c_apache Apache $(apache2 -v | sed -n 's/.*Apache\/\([0-9.]*\).*/\1/p') (default listing, sizes rounded), $c_sftp SFTP (OpenSSH $(dpkg-query -W -f '${Version}' openssh-server)) storages, each its own address; reads and bytes counted in the servers' logs; CPU 'nginx' column = all the mix's servers."
  else
  echo "Data: $STORAGES HTTP storages (nginx, one server per port = one storage identity each) x $FILES distinct GeoTIFF tiles = $((STORAGES * FILES)) files, $PER_DIR per directory.${CPU_PER_SILO:+ Each silo capped at $CPU_PER_SILO CPU ($(cap_hierarchy | cut -d' ' -f1) cgroup CFS quota, $CAP_PERIOD_US µs period); PostgreSQL and nginx unlimited.}$([ "$NETNS" = 1 ] && echo " Each silo in a network namespace of its own, joined by a veth link to a bridge where nginx and PostgreSQL listen ($HOST); silos advertise their own addresses.")"
  fi
  echo
  echo "| silos | files | full scan (s) | full files/s | errors | rescan (s) | rescan files/s | unchanged | rescan speed-up | peak RSS per silo (VmHWM) | CPU per silo (driver run) | silo CPU ms per file: full / rescan | CPU PostgreSQL / nginx (driver run) | database | tile rows | entry rows ins / upd | full: reads / bytes | rescan: reads / bytes | most connections to one storage (ss) | silo throttled (cgroup) | load before → after |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for row in "${ROWS[@]}"; do echo "$row"; done
  echo
  for n in $SILOS; do [ -s "$W/out/protocols-$n.txt" ] && { cat "$W/out/protocols-$n.txt"; echo; }; done
  if [ -n "$PLATFORM" ]; then for n in $SILOS; do echo "$n silo(s): $(mix_platform_line "$W/out/driver-$n.json")"; echo; done; fi
  echo "Baseline: $RCLONE_LINE"
} >> "$HERE/RESULTS.md"
log "appended to $HERE/RESULTS.md"
