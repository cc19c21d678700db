#!/bin/bash
# Browser benchmark of the site with national data: the national map with 500 projects (each scanned: 4 tiles apiece
# near ten cities) and the page of a project whose deliverable has 100,000 tiles (the Web benchmark's tree).
# 1. Tiles: seed.py writes the 500 small grids under PEERS_DIR/data/site-bench; ../Web/gen_tiles.py the 100,000 tiles
#    under PEERS_DIR/data/bench-web (both once, kept).
# 2. The web front (Release) on its own database on the peers' PostgreSQL; projects created and storages declared
#    through the API, scanned by the product over nginx.
# 3. Pcrs.Benchmarks.Site drives Debian's Chromium (1920x1080): per page, cold loads measuring first contentful paint,
#    the time until the data is drawn, long tasks, then 20 map pans with the longest frame.
# 4. With --baseline REV: REV's web front (git archive, Release build) is then started on the same database and
#    measured the same way, after a restart (its caches empty, as after its own scans), for a before/after in one run.
# Writes RESULTS.md next to this script. Needs the peers (tests/peers/start.sh).
# Usage: tests/Benchmarks/Site/run.sh [--runs 3] [--projects 500] [--tiles 100000] [--baseline REV]
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
REPO=$(readlink -f "$HERE/../../..")
P=${PEERS_DIR:-/tmp/pcrs-peers}
PG_PORT=${PG_PORT:-55491}
NGINX_PORT=${NGINX_PORT:-8081}
RUNS=3; PROJECTS=500; TILES=100000; BASELINE=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --projects) PROJECTS=$2; shift 2 ;;
    --tiles) TILES=$2; shift 2 ;;
    --baseline) BASELINE=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
WORK=$(mktemp -d)
DB=site_bench
ADMIN_TOKEN=site-bench-admin-token   # local bench only
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port); BASE="http://127.0.0.1:$PORT"; WEB_PID=
cleanup() {
  [ -n "$WEB_PID" ] && kill "$WEB_PID" 2>/dev/null && wait "$WEB_PID" 2>/dev/null || true
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- 1. tiles --------------------------------------------------------------------------------------------------
gdal_create -q -of GTiff -outsize 4000 4000 -bands 3 -ot Byte -a_srs EPSG:2154 -a_ullr 574000 6280200 574200 6280000 \
  -co SPARSE_OK=TRUE -co BLOCKYSIZE=4000 -co PHOTOMETRIC=RGB "$WORK/template.tif"
/usr/bin/python3 "$REPO/tests/Benchmarks/Web/gen_tiles.py" "$WORK/template.tif" "$P/data/bench-web" --tiles "$TILES"

# --- 2. web front, projects, scans -----------------------------------------------------------------------------
dotnet build -c Release "$REPO/WebFront/WebFront.csproj" -nologo -v quiet -clp:ErrorsOnly
dotnet build -c Release "$HERE/Benchmarks.Site.csproj" -nologo -v quiet -clp:ErrorsOnly
if [ -n "$BASELINE" ]; then
  BASELINE_COMMIT=$(git -C "$REPO" rev-parse --short "$BASELINE")
  mkdir -p "$WORK/baseline"
  git -C "$REPO" archive "$BASELINE" | tar -x -C "$WORK/baseline"
  # Built while the current build scans; waited for before anything is measured.
  dotnet build -c Release "$WORK/baseline/WebFront/WebFront.csproj" -nologo -v quiet -clp:ErrorsOnly >"$WORK/baseline-build.log" 2>&1 &
  BASELINE_BUILD=$!
fi
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
# start_web ROOT: the web front built under ROOT, on this run's database and port.
start_web() {
env ASPNETCORE_ENVIRONMENT=Development \
  ConnectionStrings__Pcrs="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$DB;Maximum Pool Size=50" \
  Auth__AdminTokenHashes__0="$(printf %s "$ADMIN_TOKEN" | sha256sum | cut -d' ' -f1)" \
  Scanning__AllowedNetworks__0=127.0.0.0/8 \
  Orleans__ClusterId=site-bench Orleans__Endpoints__SiloPort="$(free_port)" Orleans__Endpoints__GatewayPort="$(free_port)" \
  Serilog__MinimumLevel__Default=Warning WebFront__PublicRequestsPerMinute=0 \
  dotnet "$1/WebFront/bin/Release/net10.0/Pcrs.WebFront.dll" --urls "$BASE" --contentRoot "$1/WebFront" >>"$WORK/web.log" 2>&1 &
WEB_PID=$!
for _ in $(seq 1 300); do curl -sf "$BASE/health" >/dev/null 2>&1 && break; sleep 1; done
curl -sf "$BASE/health" >/dev/null || { cat "$WORK/web.log" >&2; exit 1; }
}
stop_web() { kill "$WEB_PID"; wait "$WEB_PID" 2>/dev/null || true; WEB_PID=; }
start_web "$REPO"

/usr/bin/python3 "$HERE/seed.py" "$BASE" "$ADMIN_TOKEN" "$P/data/site-bench" "http://127.0.0.1:$NGINX_PORT/site-bench" \
  --projects "$PROJECTS" --tiles-per-project 4 >"$WORK/projects.txt"
BIG=$(curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" -H "Content-Type: application/json" -X POST "$BASE/api/projects" -d '{
  "name":"Toulouse Métropole (100 000 dalles)","regime":"production","nature":"raster","budget":450000,"perimeters":["epci:243100518"],
  "steps":[{"status":"disponible","startDate":"2024-06-01"}],"actors":[],"subsidies":[],"sources":[],
  "deliverables":[{"id":null,"name":"Orthophotographie 5 cm","nature":"geotiff","licence":"ouvert_lo","diffusion":"none",
                   "diffusionUrl":null,"diffusionLayer":null,"deliveryDate":null,"progress":null}]}')
BIG_ID=$(jq -r .id <<<"$BIG"); BIG_DID=$(jq -r '.deliverableIds[0]' <<<"$BIG")
curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" -H "Content-Type: application/json" -X PUT \
  "$BASE/api/projects/$BIG_ID/deliverables/$BIG_DID/storage" \
  -d "{\"type\":\"http\",\"url\":\"http://127.0.0.1:$NGINX_PORT/bench-web/\",\"publicConnection\":false,\"downloadAllowed\":true}" >/dev/null
scan_started=$(date +%s)
while [ "$(curl -sf "$BASE/api/projects/$BIG_ID/deliverables/$BIG_DID/scan" | jq -r .status)" != succeeded ]; do sleep 3; done
until [ "$(curl -sf "$BASE/api/projects" | jq '[.[] | select(.bbox != null)] | length')" -ge "$((PROJECTS + 1))" ]; do sleep 3; done
SCAN_S=$(( $(date +%s) - scan_started ))
FIRST=$(head -1 "$WORK/projects.txt")

# --- 3. browser --------------------------------------------------------------------------------------------------
# measure LABEL: the three pages (the 100,000-tile project twice: as loaded, and zoomed to 15 where its tiles are drawn).
measure() {
  dotnet "$HERE/bin/Release/net10.0/Pcrs.Benchmarks.Site.dll" "$BASE" "$RUNS" \
    "$1carte-nationale=/=#carte[data-ready=true]" \
    "$1projet-100000-dalles=/projects/$BIG_ID=#projet[data-ready=true]" \
    "$1projet-100000-dalles-zoom15=/projects/$BIG_ID=#projet[data-ready=true]=15" \
    "$1projet-4-dalles=/projects/$FIRST=#projet[data-ready=true]"
}
if [ -n "$BASELINE" ]; then wait "$BASELINE_BUILD" || { cat "$WORK/baseline-build.log" >&2; exit 1; }; fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
CURRENT_COMMIT=$(git -C "$REPO" rev-parse --short HEAD)
measure "" | tee "$WORK/bench.out"
if [ -n "$BASELINE" ]; then
  stop_web
  start_web "$WORK/baseline"
  curl -sf "$BASE/api/projects" >/dev/null   # as after its scans: the projects' boxes computed, the extents not
  measure "avant: " | tee "$WORK/baseline.out"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# Site browser benchmark"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores (shared with other work: load $LOAD_BEFORE before, $LOAD_AFTER after),"
  echo "Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}') headless at 1920x1080, web front Release on its own PostgreSQL database."
  echo "Data: $PROJECTS projects with 4 scanned tiles each plus one project of $TILES tiles (scanned by the product in ${SCAN_S} s)."
  echo "Command: \`tests/Benchmarks/Site/run.sh --runs $RUNS --projects $PROJECTS --tiles $TILES${BASELINE:+ --baseline $BASELINE}\`"
  echo "Measured: $CURRENT_COMMIT (rows without prefix)${BASELINE:+; before: $BASELINE_COMMIT (rows \"avant:\"), restarted on the same database}."
  echo
  echo "Medians over $RUNS cold loads (fresh browser context each). \"Data drawn\" is when the page sets data-ready: the"
  echo "projects or tiles are on the map and the list is filled. Panning: 20 pans of 300x200 px, 120 ms apart."
  echo
  sed -n '/^| page/,$p' "$WORK/bench.out"
  [ -n "$BASELINE" ] && sed -n '/^| avant/p' "$WORK/baseline.out"
  echo
  echo "Raw samples:"
  echo
  echo '```'
  grep '^{' "$WORK/bench.out"
  [ -n "$BASELINE" ] && grep '^{' "$WORK/baseline.out"
  echo '```'
} >"$HERE/RESULTS.md"
echo "wrote $HERE/RESULTS.md"
