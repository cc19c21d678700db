#!/bin/bash
# Latency benchmark: ours (`Pcrs.Silo scan`) vs the platform's approach (GDAL /vsicurl/ per file; FTP at concurrency 1
# through a per-request FTP proxy), on nginx :8081 and a vsftpd of its own (:2131), direct and behind +20 ms of round trip.
# The kernel has no netem, so the delay comes from delay_relay.py (userspace, 10 ms each way) listening on 127.0.0.2.
# Needs the peers (tests/peers/start.sh). Writes RESULTS.md next to this script.
# Usage: tests/Benchmarks/Latency/run.sh [--connections 4] [--ftp-sample 40] [--only http,ftp] [--conditions direct,delayed]
# LATENCY_DELAY_MS=40 (each way) measures a far authority, +80 ms: written to RESULTS-80ms.md, RESULTS.md keeps +20 ms.
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
REPO=$(readlink -f "$HERE/../../..")
P=${PEERS_DIR:-/tmp/pcrs-peers}
DIRS=${LATENCY_DIRS:-50}
FILES=${LATENCY_FILES:-20}
DELAY_MS=${LATENCY_DELAY_MS:-10}
PY=/usr/bin/python3
# Our own vsftpd (same build and settings as the peers' :2121, same data root) with its own passive range: other
# sessions' tests hammer :2121, whose 20 passive ports then collide with ours and spoil the FTP numbers.
export PEERS_VSFTPD_PORT=${LATENCY_FTP_PORT:-2131}
PASV_MIN=${LATENCY_PASV_MIN:-31200}
PASV_MAX=${LATENCY_PASV_MAX:-31239}
WORK=$(mktemp -d)
RELAY_PID=
FTPD_PID=
cleanup() {
  [ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null
  [ -n "$FTPD_PID" ] && kill "$FTPD_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

$PY "$HERE/gen_latency_tree.py" "$P/data/latency" --dirs "$DIRS" --files "$FILES"
dotnet build -c Release "$REPO/Silo/Silo.csproj" 2>&1 | tail -2
SILO="$REPO/Silo/bin/Release/net10.0/Pcrs.Silo.dll"

cat > "$WORK/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$PEERS_VSFTPD_PORT
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
chroot_local_user=YES
local_root=$P/data
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$PASV_MIN
pasv_max_port=$PASV_MAX
secure_chroot_dir=$P/run/empty
pam_service_name=vsftpd
seccomp_sandbox=NO
xferlog_enable=NO
EOF
setsid /usr/sbin/vsftpd "$WORK/vsftpd.conf" > "$WORK/vsftpd.out" 2>&1 &
FTPD_PID=$!
for _ in $(seq 50); do ss -ltn | grep -q "127.0.0.1:$PEERS_VSFTPD_PORT " && break; sleep 0.1; done

# nginx, our vsftpd's control port and its passive range, each relayed from 127.0.0.2 to 127.0.0.1.
$PY "$HERE/delay_relay.py" --listen 127.0.0.2 --target 127.0.0.1 --delay-ms "$DELAY_MS" --ports "8081,$PEERS_VSFTPD_PORT,$PASV_MIN-$PASV_MAX" \
  --stats "$WORK/relay.json" > "$WORK/relay.out" 2>&1 &
RELAY_PID=$!
for _ in $(seq 50); do grep -q ready "$WORK/relay.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$WORK/relay.out" || { cat "$WORK/relay.out"; exit 1; }

ADDED_MS=$(( 2 * DELAY_MS ))
OUT="$HERE/RESULTS.md"
[ "$DELAY_MS" != 10 ] && OUT="$HERE/RESULTS-${ADDED_MS}ms.md"
START=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
RTT=$($PY "$HERE/measure_rtt.py" 127.0.0.1 127.0.0.2 8081 /latency/ 100)
echo "relay: $RTT"
$PY "$HERE/bench.py" --silo "$SILO" --root /latency/ --out "$WORK/table.md" --relay-pid "$RELAY_PID" --relay-stats "$WORK/relay.json" "$@"
RTT_AFTER=$($PY "$HERE/measure_rtt.py" 127.0.0.1 127.0.0.2 8081 /latency/ 100)

{
  echo "# Latency benchmark: ours vs the platform's approach, direct and behind +${ADDED_MS} ms of round trip"
  echo
  echo "Run: $START by \`tests/Benchmarks/Latency/run.sh $*\` (this file is rewritten by the script; method in NOTES.md)."
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(gdalinfo --version), .NET $(dotnet --version), nginx 1.22, vsftpd 3.0.3"
  echo
  echo '```'
  free -h
  echo "load average at the start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  echo
  echo "Tree: \`$P/data/latency\` = $DIRS directories x $FILES distinct GDAL-written tiles (half GeoTIFF, half JPEG 2000), 20 MB each (sparse tail)."
  echo
  echo "Servers: the peers' nginx on :8081; FTP: a vsftpd 3.0.3 started by run.sh on :$PEERS_VSFTPD_PORT (passive $PASV_MIN-$PASV_MAX), same settings and data root as the peers' :2121."
  echo
  echo "Delay: delay_relay.py, ${DELAY_MS} ms each way, on 127.0.0.2 (ports 8081, $PEERS_VSFTPD_PORT, $PASV_MIN-$PASV_MAX -> 127.0.0.1)."
  echo "Added round trip measured with 100 sequential HEAD requests on one keep-alive connection, relay vs direct:"
  echo
  echo "- before the run: \`$RTT\`"
  echo "- after the run: \`$RTT_AFTER\`"
  echo
  cat "$WORK/table.md"
  echo
  echo "Commands:"
  echo '```'
  echo "$PY tests/Benchmarks/Latency/delay_relay.py --listen 127.0.0.2 --target 127.0.0.1 --delay-ms $DELAY_MS --ports 8081,$PEERS_VSFTPD_PORT,$PASV_MIN-$PASV_MAX"
  echo "dotnet Silo/bin/Release/net10.0/Pcrs.Silo.dll scan http://HOST:8081/latency/ --json --max-connections N"
  echo "PCRS_BENCH_PASSWORD=... dotnet Silo/bin/Release/net10.0/Pcrs.Silo.dll scan ftp://peer@HOST:$PEERS_VSFTPD_PORT/latency/ --json --password-env PCRS_BENCH_PASSWORD --max-connections N"
  echo "$PY tests/Benchmarks/Latency/platform_scan.py http http://HOST:8081/latency/ --analysis N --listing 4"
  echo "$PY tests/Benchmarks/Latency/platform_scan.py ftp HOST $PEERS_VSFTPD_PORT peer PASSWORD /latency --sample S"
  echo "# HOST = 127.0.0.1 (direct) or 127.0.0.2 (through the relay)"
  echo '```'
  echo
  cat "$HERE/NOTES.md"
} > "$OUT"
cat "$OUT"
