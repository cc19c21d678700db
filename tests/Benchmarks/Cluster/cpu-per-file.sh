#!/bin/bash
# Silo CPU per file of this checkout against an earlier commit, built and run in the same benchmark run: the same trees,
# nginx servers and PostgreSQL instance, one silo, runs alternated (this, earlier, this, earlier…) so that the machine's
# load weighs on both alike. CPU per file = utime+stime of the silo inside a phase's clock / files of the phase (run.sh
# samples the silo every 0.5 s). Appends one section with every run and the ratio of the medians to RESULTS.md.
#
# usage: tests/Benchmarks/Cluster/cpu-per-file.sh [--baseline c5c76bc] [--storages 100] [--files 2000] [--reps 2]
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
REPO=$(readlink -f "$HERE/../../..")
BASELINE=c5c76bc STORAGES=100 FILES=2000 REPS=2
while [ $# -gt 0 ]; do
  case $1 in
    --baseline) BASELINE=$2; shift 2 ;;
    --storages) STORAGES=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 64 ;;
  esac
done
W=${CLUSTER_BENCH_DIR:-/tmp/pcrs-cluster-bench}
BASE_TREE=$W/baseline-$BASELINE
if [ ! -d "$BASE_TREE" ]; then
  git -C "$REPO" worktree add --detach "$BASE_TREE" "$BASELINE" >&2
fi
CURRENT=$(git -C "$REPO" rev-parse --short HEAD)
ROWS=()
for rep in $(seq "$REPS"); do
  for which in current baseline; do
    dir=$REPO; [ "$which" = baseline ] && dir=$BASE_TREE
    CLUSTER_BENCH_NO_APPEND=1 bash "$HERE/run.sh" --storages "$STORAGES" --files "$FILES" --silos 1 --no-rclone --repo "$dir"
    ROWS+=("$which $(git -C "$dir" rev-parse --short HEAD) $(cat "$W/out/summary-1.json")")
  done
done
printf '%s\n' "${ROWS[@]}" > "$W/out/cpu-per-file.txt"
python3 - "$W/out/cpu-per-file.txt" "$STORAGES" "$FILES" "$REPS" "$CURRENT" "$BASELINE" >> "$HERE/RESULTS.md" <<'PY'
import json, statistics, subprocess, sys, datetime, os
path, storages, files, reps, current, baseline = sys.argv[1:7]
runs = []
for line in open(path):
    which, commit, payload = line.split(' ', 2)
    runs.append((which, commit, json.loads(payload)))
cpu = subprocess.run(['sh', '-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"\n## CPU per file {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: {current} against {baseline}, same run\n")
print(f"`tests/Benchmarks/Cluster/cpu-per-file.sh --baseline {baseline} --storages {storages} --files {files} --reps {reps}`"
      f" — {os.cpu_count()} cores, {cpu}; one silo, {int(storages) * int(files):,} HTTP files per run, runs alternated.\n")
print("| run | commit | full files/s | errors | rescan files/s | rescan speed-up | silo CPU ms per file, full scan | silo CPU ms per file, rescan | peak RSS | load before → after |")
print("|---|---|---|---|---|---|---|---|---|---|")
for which, commit, d in runs:
    rescan = f"{d['rescanFilesPerSecond']:,.0f}" if 'rescanFilesPerSecond' in d else "?"
    print(f"| {which} | {commit} | {d['fullFilesPerSecond']:,.0f} | {d['errors']} | {rescan} | {d['rescanSpeedup']:.1f}x | {d['fullCpuMsPerFile']:.3f} | {d['rescanCpuMsPerFile']:.3f} | {d['peakRss']} | {d['load']} |")
def median(which, key):
    return statistics.median(d[key] for w, _, d in runs if w == which)
full_c, full_b = median('current', 'fullCpuMsPerFile'), median('baseline', 'fullCpuMsPerFile')
res_c, res_b = median('current', 'rescanCpuMsPerFile'), median('baseline', 'rescanCpuMsPerFile')
if all('rescanFilesPerSecond' in d for _, _, d in runs):
    rate_c, rate_b = median('current', 'rescanFilesPerSecond'), median('baseline', 'rescanFilesPerSecond')
    print(f"\nRescan rate (medians): **{rate_c:,.0f}** files/s against {rate_b:,.0f} ({rate_c / rate_b:.2f} of the baseline).")
print(f"\nMedians: full scan **{full_c:.3f}** ms per file against {full_b:.3f} ({full_c / full_b:.2f} of the baseline); "
      f"rescan {res_c:.3f} against {res_b:.3f} ({res_c / res_b:.2f}).")
PY
echo "appended to $HERE/RESULTS.md" >&2
