#!/usr/bin/env bash
# A directory of N listed files (default 999,997) plus a tile, its world file and a sub-directory, served by the
# project's hostile HTTP server and scanned by a one-silo cluster (LargeDirectoryTests with PCRS_LARGE_DIRECTORY_FILLERS):
# prints the first scan's and the rescan's wall time and the silo's memory: the pages are served by another process
# (static_page_server.py), so the test process is the silo's; its idle RSS and managed heap (after a full collection)
# are taken before each scan, its peak RSS (VmHWM, reset then) and peak heap (sampled every 100 ms) during it.
# Needs the peers (tests/peers/start.sh) and a built tests/Cluster.Tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
n="${1:-999997}" # with a.tif, a.tfw and sub/: 1,000,000 entries, the access layer's cap per listing
cd "$root/tests/Cluster.Tests"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
PCRS_LARGE_DIRECTORY_FILLERS="$n" /usr/bin/time -f "wall %e s, max RSS %M KB" \
  ./bin/Debug/net10.0/Pcrs.Cluster.Tests -class 'Pcrs.Cluster.Tests.LargeDirectoryTests' -diagnostics 2>&1 \
  > /tmp/pcrs-large-directory.log || true
grep -E "large-directory|Total:|wall|\[FAIL\]|Assert\.|Expected|Actual" /tmp/pcrs-large-directory.log || true
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
