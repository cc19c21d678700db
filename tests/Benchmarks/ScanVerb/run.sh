#!/usr/bin/env bash
# Wall and CPU time of `Pcrs.Silo scan` on one GeoTIFF (in-process silo start, scan, stop), several runs: min/median/max.
# Usage: tests/Benchmarks/ScanVerb/run.sh [runs] [silo.dll | silo-executable ...]
#   With none: the Debug build (what `dotnet run --project Silo` runs) and the ReadyToRun publish (README's command).
#   A .dll runs with `dotnet`, anything else (a self-contained publish's Pcrs.Silo) runs as it is.
#   Several builds (e.g. another commit's) are run in turn, one run each per round, so they share the load.
# Needs python3 (statistics, CPU time of each child from wait4) and gdal_create.
set -euo pipefail
runs=${1:-7}
shift || true
repo=$(cd "$(dirname "$0")/../../.." && pwd)
silos=("$@")
if [ ${#silos[@]} -eq 0 ]; then
  silos=("$repo/Silo/bin/Debug/net10.0/Pcrs.Silo.dll" "$repo/Silo/bin/publish/Pcrs.Silo.dll")
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A small valid GeoTIFF made by GDAL, so the run reads a real header.
gdal_create -q -of GTiff -outsize 100 100 -bands 1 -a_srs EPSG:2154 -a_ullr 700000 6600000 700100 6599900 "$work/one.tif"
for silo in "${silos[@]}"; do
  case "$silo" in *.dll) run=(dotnet "$silo") ;; *) run=("$silo") ;; esac
  "${run[@]}" scan "file://$work/one.tif" >/dev/null 2>&1 # warm the disk cache
done
echo "load at the start: $(cut -d" " -f1-3 /proc/loadavg)"
python3 - "$runs" "$work/one.tif" "${silos[@]}" <<'EOF'
import os, statistics, subprocess, sys, time
runs, tile, silos = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
results = {silo: [] for silo in silos}
for _ in range(runs):
    for silo in silos:
        start = time.monotonic()
        command = ["dotnet", silo] if silo.endswith(".dll") else [silo]
        child = subprocess.Popen(command + ["scan", "file://" + tile], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{silo} exited with {os.waitstatus_to_exitcode(status)}")
        results[silo].append((time.monotonic() - start, usage.ru_utime + usage.ru_stime))
for silo, rows in results.items():
    wall = sorted(r[0] for r in rows)
    cpu = sorted(r[1] for r in rows)
    print(f"{silo}: runs={len(rows)} wall min={wall[0]:.2f}s median={statistics.median(wall):.2f}s max={wall[-1]:.2f}s"
          f" | cpu min={cpu[0]:.2f}s median={statistics.median(cpu):.2f}s max={cpu[-1]:.2f}s")
EOF
echo "load at the end: $(cut -d" " -f1-3 /proc/loadavg)"
