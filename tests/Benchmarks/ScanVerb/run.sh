#!/usr/bin/env bash
# Wall time of `Pcrs.Silo scan` on one GeoTIFF (in-process silo start, scan, stop), several runs: min/median/max.
# Usage: tests/Benchmarks/ScanVerb/run.sh [runs] ; needs a built solution (Debug) and python3 for the statistics.
set -euo pipefail
runs=${1:-7}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
silo="$repo/Silo/bin/Debug/net10.0/Pcrs.Silo.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A small valid GeoTIFF made by GDAL, so the run reads a real header.
gdal_create -q -of GTiff -outsize 100 100 -bands 1 -a_srs EPSG:2154 -a_ullr 700000 6600000 700100 6599900 "$work/one.tif"
dotnet "$silo" scan "file://$work/one.tif" >/dev/null 2>&1 # warm the disk cache
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  dotnet "$silo" scan "file://$work/one.tif" >/dev/null 2>"$work/stderr"
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
done
printf '%s\n' "${times[@]}" | python3 -c '
import sys, statistics
t = sorted(float(x) for x in sys.stdin)
print(f"runs={len(t)} min={t[0]:.2f}s median={statistics.median(t):.2f}s max={t[-1]:.2f}s")'
echo "load: $(cut -d" " -f1-3 /proc/loadavg)"
