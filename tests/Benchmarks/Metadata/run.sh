#!/bin/bash
# Memory of the metadata files at département scale: the static STAC catalogue ZIP, the Shapefile ZIP (as the route
# writes it now, and into memory as it did before) and the GeoPackage, each of N synthetic tiles (default 100,000),
# each in a process of its own (Pcrs.Benchmarks.Metadata, Release). No server needed: the tiles come from an in-process
# catalogue streamed in path order like the PostgreSQL reader's. Writes RESULTS.md next to this script.
# Usage: tests/Benchmarks/Metadata/run.sh [--tiles 100000] [--runs 3]
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
REPO=$(readlink -f "$HERE/../../..")
TILES=100000; RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --tiles) TILES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
dotnet build "$HERE/Benchmarks.Metadata.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
BIN="$HERE/bin/Release/net10.0/Pcrs.Benchmarks.Metadata"
RAW=$(mktemp)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for mode in stac shp shp-in-memory gpkg; do
  for run in $(seq 1 "$RUNS"); do
    "$BIN" "$mode" "$TILES" >>"$RAW"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# Metadata files at $TILES tiles: memory"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))," \
       "shared with other work: load $LOAD_BEFORE before, $LOAD_AFTER after. .NET $(dotnet --version), Release, workstation non-concurrent GC."
  echo "Command: \`tests/Benchmarks/Metadata/run.sh --tiles $TILES --runs $RUNS\`"
  echo
  echo "Live heap = GC.GetTotalMemory after a full collection, sampled before writing, every 10,000 tiles and once the"
  echo "file is written while its output is still held. Peak extra = largest sample minus the first. Medians over $RUNS runs."
  echo
  echo "| file | seconds | file size (MB) | peak extra live heap (MB) | extra live heap once written (MB) | allocated (MB) | process peak RSS (MB) |"
  echo "|---|---|---|---|---|---|---|"
  python3 - "$RAW" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for mode in ["stac", "shp", "shp-in-memory", "gpkg"]:
    r = [x for x in rows if x["mode"] == mode]
    if not r:
        continue
    m = lambda k: statistics.median(x[k] for x in r)
    print(f"| {mode} | {m('seconds'):.1f} | {m('fileBytes')/1048576:.1f} | {m('peakExtraLiveMB'):.1f} | {m('afterWriteExtraLiveMB'):.1f} | {m('allocatedMB'):.0f} | {m('vmHwmAfterMB'):.0f} |")
PY
  echo
  echo "Raw lines (extra live heap every 10,000 tiles included):"
  echo
  echo '```'
  cat "$RAW"
  echo '```'
} >"$HERE/RESULTS.md"
rm -f "$RAW"
cat "$HERE/RESULTS.md"
