#!/usr/bin/env bash
# Public route latency, /alive, a database probe and another storage's scan before and during a hostile crawl
# (FairnessTests): 150 sequential GETs alternating /api/projects and /api/projects/{id} (output cache off), each followed
# by GET /alive and a query on a connection of the test's own, on an in-process web front, before and while the project's
# hostile HTTP server's wide tree (20 folders and 100 files per folder, 10 ms per listing) is crawled; an ordinary storage
# (5 directories, 105 files) is declared once the crawl runs and scanned to its exact counts meanwhile.
# `run.sh [rounds] [baseline-bin]`: with a copy of an older build's tests/WebFront.Tests/bin/Debug/net10.0, the two
# builds run alternately, `rounds` times each (a ratio is only meaningful within one run on a shared machine).
# `TURNS="4 1" run.sh [rounds]`: instead, the current build alternately with each Scanning:CrawlTurnsPerSilo given.
# Needs the peers and a built WebFront.Tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
rounds="${1:-1}"
baseline="${2:-}"
run() {
  echo "== $1 load $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd "$2" && ./Pcrs.WebFront.Tests -class 'Pcrs.WebFront.Tests.FairnessTests' -diagnostics 2>&1 | grep -E "fairness|Total:|FAIL" || true)
}
for _ in $(seq 1 "$rounds"); do
  if [ -n "${TURNS:-}" ]; then
    for turns in $TURNS; do
      Scanning__CrawlTurnsPerSilo="$turns" run "turns=$turns" "$root/tests/WebFront.Tests/bin/Debug/net10.0"
    done
    continue
  fi
  if [ -n "$baseline" ]; then run baseline "$baseline"; fi
  run current "$root/tests/WebFront.Tests/bin/Debug/net10.0"
done
