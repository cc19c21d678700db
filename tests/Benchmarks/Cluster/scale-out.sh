#!/bin/bash
# Scale-out of this checkout against a baseline commit, in one benchmark run: 1, 2 and 3 silos, each capped at the same
# CPU share (run.sh --cpu-per-silo), the same trees, nginx and PostgreSQL instance; for each silo count the baseline runs
# first, then this checkout, so that the machine's load weighs on both alike. Every run keeps the per-storage connection
# samples (run.sh --ss-per-storage). Appends one section to RESULTS.md: files/s, the speed-up over the same commit's
# 1-silo run, silo CPU per file, the most connections one storage had, the load.
#
# usage: tests/Benchmarks/Cluster/scale-out.sh --baseline REV [--storages 100] [--files 1000] [--silos "1 2 3"]
#        [--cpu-per-silo 0.5] [--netns]
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
REPO=$(readlink -f "$HERE/../../..")
BASELINE="" STORAGES=100 FILES=1000 SILOS="1 2 3" CPU=0.5 EXTRA=()
while [ $# -gt 0 ]; do
  case $1 in
    --baseline) BASELINE=$2; shift 2 ;;
    --storages) STORAGES=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --silos) SILOS=$2; shift 2 ;;
    --cpu-per-silo) CPU=$2; shift 2 ;;
    --netns) EXTRA+=(--netns); shift ;;
    *) echo "unknown argument $1" >&2; exit 64 ;;
  esac
done
[ -n "$BASELINE" ] || { echo "--baseline REV is required" >&2; exit 64; }
W=${CLUSTER_BENCH_DIR:-/tmp/pcrs-cluster-bench}
BASE_REV=$(git -C "$REPO" rev-parse --short "$BASELINE")
BASE_TREE=$W/baseline-$BASE_REV
[ -d "$BASE_TREE" ] || git -C "$REPO" worktree add --detach "$BASE_TREE" "$BASE_REV" >&2
CURRENT=$(git -C "$REPO" rev-parse --short HEAD)
started=$(date -u '+%Y-%m-%d %H:%M')
: > "$W/out/scale-out.txt"
for n in $SILOS; do
  for which in baseline current; do
    dir=$REPO; [ "$which" = baseline ] && dir=$BASE_TREE
    # A run that has not finished in 30 min is stuck (each finishes in a few minutes even at load 100): end it, keep going.
    CLUSTER_BENCH_DRIVER_MINUTES=${CLUSTER_BENCH_DRIVER_MINUTES:-30} CLUSTER_BENCH_NO_APPEND=1 bash "$HERE/run.sh" --storages "$STORAGES" --files "$FILES" --silos "$n" --no-rclone \
      --cpu-per-silo "$CPU" --ss-per-storage "${EXTRA[@]}" --repo "$dir"
    over=$(wc -l < "$W/out/ss-over-$n.txt")
    echo "$which $(git -C "$dir" rev-parse --short HEAD) $over $(cat "$W/out/summary-$n.json")" >> "$W/out/scale-out.txt"
    cp "$W/out/ss-$n.tsv" "$W/out/ss-$which-$n.tsv"; cp "$W/out/ss-over-$n.txt" "$W/out/ss-over-$which-$n.txt"
  done
done
python3 - "$W/out/scale-out.txt" "$STORAGES" "$FILES" "$CPU" "$CURRENT" "$BASE_REV" "$started" "${EXTRA[*]:-}" >> "$HERE/RESULTS.md" <<'PY'
import json, subprocess, sys, datetime, os
path, storages, files, cpu, current, baseline, started, extra = sys.argv[1:9]
runs = []
for line in open(path):
    which, commit, over, payload = line.split(' ', 3)
    runs.append((which, commit, int(over), json.loads(payload)))
model = subprocess.run(['sh', '-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
where = "each silo in its own network namespace (veth to a bridge)" if extra else "loopback"
print(f"\n## Scale-out {started}-{datetime.datetime.now(datetime.UTC):%H:%M} UTC: {current} against {baseline}, {where}, same run\n")
print(f"`tests/Benchmarks/Cluster/scale-out.sh --baseline {baseline} --storages {storages} --files {files} --cpu-per-silo {cpu}"
      f"{' ' + extra if extra else ''}` — {os.cpu_count()} cores, {model}; {int(storages) * int(files):,} HTTP files, "
      f"each silo capped at {cpu} CPU; baseline then current for each silo count.\n")
print("| silos | run | commit | full files/s | speed-up over 1 silo | errors | rescan files/s | silo CPU ms per file: full / rescan | most connections to one storage | samples over the limit | silo throttled | load before → after |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
one = {w: d['fullFilesPerSecond'] for w, _, _, d in runs if d['silos'] == 1}
for which, commit, over, d in runs:
    ratio = f"**{d['fullFilesPerSecond'] / one[which]:.2f}x**" if which in one else "?"
    print(f"| {d['silos']} | {which} | {commit} | {d['fullFilesPerSecond']:,.0f} | {ratio} | {d['errors']} | {d['rescanFilesPerSecond']:,.0f} | "
          f"{d['fullCpuMsPerFile']:.3f} / {d['rescanCpuMsPerFile']:.3f} | {d['maxConnectionsPerStorage']} | {over} | {d['throttled']} | {d['load']} |")
PY
echo "appended to $HERE/RESULTS.md" >&2
