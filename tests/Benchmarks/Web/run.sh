#!/bin/bash
# Load test of the web front's public routes with wrk, on a deliverable of 100,000 tiles that the product itself scanned.
#
# 1. gen_tiles.py writes 100,000 small GeoTIFFs (distinct Lambert-93 footprints, 200 m tiles, 160 directories) under
#    the peers' nginx (PEERS_DIR/data/bench-web), once.
# 2. The web front (Release build) starts on its own database on the peers' PostgreSQL; a project is created, an HTTP
#    storage on nginx declared through the API, and the product's scan fills the catalogue (timed).
# 3. wrk --latency on each public route, in three configurations of the same database:
#      A. rate limit off, output cache on (defaults otherwise)  B. rate limit off, output cache off
#      C. rate limit on (WebFront:PublicRequestsPerMinute=600): the limiter's 429 answers under load.
# Writes RESULTS.md next to this script (NOTES.md appended). Needs the peers (tests/peers/start.sh) and wrk.
# Usage: tests/Benchmarks/Web/run.sh [--duration 15] [--connections 16] [--tiles 100000] [--keep-db] [--reuse-db]
#   --keep-db leaves the database (webload_bench) behind; --reuse-db measures on it again without a new scan.
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
REPO=$(readlink -f "$HERE/../../..")
P=${PEERS_DIR:-/tmp/pcrs-peers}
PG_PORT=${PG_PORT:-55491}
NGINX_PORT=${NGINX_PORT:-8081}
DURATION=15
CONNECTIONS=16
TILES=100000
KEEP_DB=0
REUSE_DB=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --tiles) TILES=$2; shift 2 ;;
    --keep-db) KEEP_DB=1; shift ;;
    --reuse-db) REUSE_DB=1; KEEP_DB=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d)
DB=webload_bench
PORT=${WEB_PORT:-5391}
BASE="http://127.0.0.1:$PORT"
ADMIN_TOKEN=load-test-admin-token   # local bench only; fixed so that --reuse-db can still write
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
WEB_PID=

stop_web() {
  if [ -n "$WEB_PID" ] && kill -0 "$WEB_PID" 2>/dev/null; then
    kill "$WEB_PID"; wait "$WEB_PID" 2>/dev/null || true
  fi
  WEB_PID=
}
cleanup() {
  stop_web
  [ "$KEEP_DB" = 1 ] || "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- 1. tiles on nginx -------------------------------------------------------------------------------------------
gdal_create -q -of GTiff -outsize 4000 4000 -bands 3 -ot Byte -a_srs EPSG:2154 -a_ullr 574000 6280200 574200 6280000 \
  -co SPARSE_OK=TRUE -co BLOCKYSIZE=4000 -co PHOTOMETRIC=RGB "$WORK/template.tif"
/usr/bin/python3 "$HERE/gen_tiles.py" "$WORK/template.tif" "$P/data/bench-web" --tiles "$TILES"
curl -sf "http://127.0.0.1:$NGINX_PORT/bench-web/" >/dev/null || { echo "nginx does not serve $P/data/bench-web" >&2; exit 1; }

# --- 2. web front, project, scan ---------------------------------------------------------------------------------
dotnet build -c Release "$REPO/WebFront/WebFront.csproj" 2>&1 | tail -2
DLL="$REPO/WebFront/bin/Release/net10.0/Pcrs.WebFront.dll"
if [ "$REUSE_DB" = 0 ]; then
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
fi

# start_web NAME [Key=value ...]: the web front with the bench's settings plus overrides; waits for /health.
start_web() {
  local name=$1; shift
  env ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__Pcrs="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$DB;Maximum Pool Size=50" \
    Auth__AdminTokenHashes__0="$(printf %s "$ADMIN_TOKEN" | sha256sum | cut -d' ' -f1)" \
    Scanning__AllowedNetworks__0=127.0.0.0/8 \
    Orleans__ClusterId=webload-bench Orleans__Endpoints__SiloPort="$(free_port)" Orleans__Endpoints__GatewayPort="$(free_port)" \
    Serilog__MinimumLevel__Default=Warning Serilog__MinimumLevel__Override__Microsoft.AspNetCore=Warning \
    WebFront__PublicRequestsPerMinute=0 "$@" \
    dotnet "$DLL" --urls "$BASE" --contentRoot "$REPO/WebFront" >"$WORK/web-$name.log" 2>&1 &
  WEB_PID=$!
  for _ in $(seq 1 120); do
    curl -sf "$BASE/health" >/dev/null 2>&1 && return 0
    kill -0 "$WEB_PID" 2>/dev/null || { cat "$WORK/web-$name.log" >&2; exit 1; }
    sleep 1
  done
  echo "web front did not become healthy" >&2; cat "$WORK/web-$name.log" >&2; exit 1
}
peak_rss() { awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$WEB_PID/status"; }

# wait_scan ROUTE PREVIOUS_SUCCESS: until the deliverable's scan succeeds with a lastSuccessAt other than PREVIOUS_SUCCESS.
wait_scan() {
  local scan
  while :; do
    scan=$(curl -sf "$BASE$1/scan")
    case $(jq -r .status <<<"$scan") in
      succeeded) [ "$(jq -r .lastSuccessAt <<<"$scan")" != "$2" ] && return 0 ;;
      failed) echo "scan failed: $scan" >&2; exit 1 ;;
    esac
    sleep 2
  done
}
scan_facts() { curl -sf "$BASE/api/projects/$PID_" | jq -c '.deliverables[0].storage.scan | {tiles,filesScanned,errors,format,epsg,nature}'; }

start_web scan
AUTH=(-H "Authorization: Bearer $ADMIN_TOKEN" -H "Content-Type: application/json")
if [ "$REUSE_DB" = 1 ]; then
  PID_=$("${PSQL[@]}" -d "$DB" -c "SELECT id FROM pcrs_projects WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1")
  DID=$("${PSQL[@]}" -d "$DB" -c "SELECT id FROM pcrs_deliverables WHERE project_id = '$PID_' ORDER BY position LIMIT 1")
  SCAN_REPORT="reused from an earlier run of this script ($(scan_facts))"
else
  CREATED=$(curl -sf "${AUTH[@]}" -X POST "$BASE/api/projects" -d '{"name":"Toulouse Métropole (banc de charge)","regime":"production",
    "nature":"raster","budget":450000,"perimeters":["epci:243100518"],
    "steps":[{"status":"investigation","startDate":"2022-01-01"},{"status":"disponible","startDate":"2024-06-01"}],
    "actors":[{"siren":"243100518","name":"Toulouse Métropole","role":"porteur","phone":null,"email":null,"financingPercent":100,"financingEuros":null}],
    "subsidies":[],"sources":[],
    "deliverables":[{"id":null,"name":"Orthophotographie 5 cm","nature":"geotiff","licence":"ouvert_lo","diffusion":"none",
                     "diffusionUrl":null,"diffusionLayer":null,"deliveryDate":null,"progress":null}]}')
  PID_=$(jq -r .id <<<"$CREATED"); DID=$(jq -r '.deliverableIds[0]' <<<"$CREATED")
  SCAN_START=$(date +%s)
  curl -sf "${AUTH[@]}" -X PUT "$BASE/api/projects/$PID_/deliverables/$DID/storage" \
    -d "{\"type\":\"http\",\"url\":\"http://127.0.0.1:$NGINX_PORT/bench-web/\",\"username\":null,\"password\":null,\"publicConnection\":true,\"downloadAllowed\":true}" >/dev/null
  wait_scan "/api/projects/$PID_/deliverables/$DID" null
  SCAN_REPORT="first scan $(( $(date +%s) - SCAN_START )) s ($(scan_facts), load $(cut -d' ' -f1 /proc/loadavg))"
fi
# Files in error (e.g. timeouts on a loaded machine) are retried by the next scan; unchanged files are not read again.
if [ "$(scan_facts | jq .errors)" != 0 ]; then
  LAST=$(curl -sf "$BASE/api/projects/$PID_/deliverables/$DID/scan" | jq -r .lastSuccessAt)
  SCAN_START=$(date +%s)
  curl -sf "${AUTH[@]}" -X POST "$BASE/api/projects/$PID_/deliverables/$DID/scan" >/dev/null
  wait_scan "/api/projects/$PID_/deliverables/$DID" "$LAST"
  SCAN_REPORT="$SCAN_REPORT; rescan $(( $(date +%s) - SCAN_START )) s ($(scan_facts), load $(cut -d' ' -f1 /proc/loadavg))"
fi

SCAN_RSS=$(peak_rss)
TILES_IN_DB=$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM pcrs_tiles WHERE error IS NULL")
echo "scan: $SCAN_REPORT; tiles in catalogue: $TILES_IN_DB, peak RSS $SCAN_RSS"

# A box of about 300 tiles (3.6 km x 3.4 km) in the middle of the grid, in WGS84.
read -r W S E N < <(curl -sf "$BASE/api/projects" | jq -r '.[0].bbox | "\(.[0]) \(.[1]) \(.[2]) \(.[3])"')
BBOX=$(/usr/bin/python3 -c "w,s,e,n=$W,$S,$E,$N; cx,cy=(w+e)/2,(s+n)/2; dx,dy=(e-w)*0.045/2,(n-s)*0.068/2; print(f'{cx-dx:.6f},{cy-dy:.6f},{cx+dx:.6f},{cy+dy:.6f}')")
T="/api/projects/$PID_/deliverables/$DID"
ROUTES=("/" "/api/projects" "/api/projects/$PID_" "$T/scan" "$T/tiles?bbox=$BBOX" "$T/tiles"
        "/api/exports/projets.csv" "/api/exports/livrables.csv" "/api/exports/livrables.geojson" "/api/exports/dalles.geojson")
label() { sed -e "s|$PID_|{id}|" -e "s|$DID|{did}|" -e "s|bbox=.*|bbox=(~300 tiles)|" <<<"$1"; }
# Big answers (whole tiles, dalles.geojson) get 2 connections: 16 clients each pulling 40 MB measure the loopback, not us.
is_big() { [[ "$1" == "$T/tiles" || "$1" == */dalles.geojson ]]; }

# measure CONFIG: one table row per route (size and features from one curl, then wrk).
measure() {
  local config=$1 route connections threads out rps p50 p99 non2xx size features
  for route in "${ROUTES[@]}"; do
    connections=$CONNECTIONS; threads=2
    is_big "$route" && { connections=2; threads=2; }
    curl -s -o "$WORK/body" -w '%{http_code} %{size_download} %{time_total}\n' "$BASE$route" > "$WORK/first"
    size=$(awk '{printf "%.1f KB", $2/1024}' "$WORK/first")
    features=$(grep -o '"Feature"' "$WORK/body" | wc -l || true)
    [[ "$route" == *.csv ]] && features="$(( $(wc -l < "$WORK/body") - 1 )) rows"
    [[ "$route" == "/" ]] && features="-"
    out=$(wrk -t"$threads" -c"$connections" -d"${DURATION}s" --timeout 60s --latency "$BASE$route")
    echo "$out" > "$WORK/wrk-$config-$(label "$route" | tr '/?=(~) ' '________')"
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '/^ +50%/ {print $2}' <<<"$out")
    p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out"); non2xx=${non2xx:-0}
    echo "| $config | \`$(label "$route")\` | $connections | $rps | $p50 | $p99 | $non2xx | $size | $features | $(awk '{printf "%.0f ms", $3*1000}' "$WORK/first") |" | tee -a "$WORK/table.md"
  done
  echo "| $config | web front peak RSS (VmHWM) after the runs: $(peak_rss) | | | | | | | | |" | tee -a "$WORK/table.md"
}
{
  echo "| config | route | conns | req/s | p50 | p99 | non-2xx | size | features / rows | first call |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} > "$WORK/table.md"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
measure "A cache on"
stop_web
start_web nocache WebFront__ScanDataCacheDuration=00:00:00
measure "B cache off"
stop_web

# C: the limiter on, 600 requests per minute per address: wrk from one address gets 429 once the window is spent.
LIMITED_ROUTE=/api/exports/livrables.csv
start_web limited WebFront__PublicRequestsPerMinute=600
LIMIT_OUT=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$BASE$LIMITED_ROUTE")
LIMIT_RPS=$(awk '/^Requests\/sec/ {print $2}' <<<"$LIMIT_OUT")
LIMIT_TOTAL=$(awk '/requests in/ {print $1}' <<<"$LIMIT_OUT")
LIMIT_NON2XX=$(awk '/Non-2xx/ {print $5}' <<<"$LIMIT_OUT"); LIMIT_NON2XX=${LIMIT_NON2XX:-0}
LIMIT_P99=$(awk '/^ +99%/ {print $2}' <<<"$LIMIT_OUT")
LIMIT_SAMPLE=$(curl -s -D - -o "$WORK/limited.json" "$BASE$LIMITED_ROUTE" | grep -i -E '^(HTTP|retry-after|content-type)' | tr -d '\r' | paste -sd ' ')
LIMIT_BODY=$(cat "$WORK/limited.json")
stop_web
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

START=$(date -u '+%Y-%m-%d %H:%M UTC')
{
  echo "# Web front load test: public routes with wrk, 100,000-tile deliverable"
  echo
  echo "Run: $START (this file is rewritten by \`tests/Benchmarks/Web/run.sh\`; notes below the tables are kept in NOTES.md)."
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), .NET $(dotnet --version), PostgreSQL $("${PSQL[@]}" -d postgres -c 'SHOW server_version' | cut -d' ' -f1) (peers, port $PG_PORT)"
  echo
  echo '```'
  free -h
  echo "load average before the wrk runs: $LOAD_BEFORE; after: $LOAD_AFTER"
  echo '```'
  echo
  echo "Data: $TILES GeoTIFF tiles (\`gen_tiles.py\`, 200 m at 5 cm, EPSG:2154, 160 directories of 625) on nginx :$NGINX_PORT,"
  echo "declared as one HTTP storage and scanned by the product (co-hosted silo, defaults): $SCAN_REPORT;"
  echo "$TILES_IN_DB readable tile rows; web front peak RSS after the scan $SCAN_RSS."
  echo
  echo "wrk: 2 threads, $CONNECTIONS connections ($( [ "$CONNECTIONS" = 2 ] || echo 2) for the two 100,000-feature answers), ${DURATION} s per route, \`--timeout 60s --latency\`."
  echo "A: defaults with \`WebFront:PublicRequestsPerMinute=0\`; B: also \`WebFront:ScanDataCacheDuration=00:00:00\` (no output cache)."
  echo "\"first call\" is one curl before wrk (in A, the call that fills the cache)."
  echo
  cat "$WORK/table.md"
  echo
  echo "C: limiter on (\`WebFront:PublicRequestsPerMinute=600\`), \`wrk -t2 -c$CONNECTIONS -d${DURATION}s $BASE$LIMITED_ROUTE\`:"
  echo "$LIMIT_TOTAL requests, $LIMIT_NON2XX answered non-2xx (429), $LIMIT_RPS req/s, p99 $LIMIT_P99. The next call: \`$LIMIT_SAMPLE\`"
  echo
  echo '```json'
  echo "$LIMIT_BODY"
  echo '```'
  echo
  echo "Commands:"
  echo '```'
  echo "/usr/bin/python3 tests/Benchmarks/Web/gen_tiles.py template.tif $P/data/bench-web --tiles $TILES"
  echo "dotnet WebFront/bin/Release/net10.0/Pcrs.WebFront.dll --urls $BASE   # env: ConnectionStrings__Pcrs (database $DB), WebFront__* per config"
  echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s --timeout 60s --latency $BASE<route>"
  echo '```'
  [ -f "$HERE/NOTES.md" ] && { echo; cat "$HERE/NOTES.md"; }
} > "$HERE/RESULTS.md"
cat "$HERE/RESULTS.md"
