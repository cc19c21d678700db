#!/usr/bin/env bash
# Public route latency before and during a hostile crawl (FairnessTests): 150 sequential GETs of /api/projects and
# /api/projects/{id} (output cache off) on an in-process web front, before and while the project's hostile HTTP server's
# wide tree (20 folders and 100 files per folder, 10 ms per listing) is crawled. Needs the peers and a built WebFront.Tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root/tests/WebFront.Tests"
./bin/Debug/net10.0/Pcrs.WebFront.Tests -class 'Pcrs.WebFront.Tests.FairnessTests' -diagnostics 2>&1 | grep -E "fairness|Total:|FAIL" || true
