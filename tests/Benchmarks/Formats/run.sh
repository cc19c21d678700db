#!/bin/bash
# Formats benchmark: our tile reader (project HTTP client) vs gdalinfo -json /vsicurl/ (one process per file) and GDAL
# in one python process, all against nginx :8081, bytes from nginx's access log. Writes RESULTS.md next to this script.
# Needs the peers (tests/peers/start.sh). Usage: tests/Benchmarks/Formats/run.sh [--files 40] [--process-files 20]
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
P=${PEERS_DIR:-/tmp/pcrs-peers}
/usr/bin/python3 "$HERE/gen_bench_tiles.py" "$P/data/bench-formats" --copies 50
dotnet build -c Release "$HERE/Benchmarks.Formats.csproj" 2>&1 | tail -2
START=$(date -u '+%Y-%m-%d %H:%M UTC')
TABLE=$(mktemp)
dotnet "$HERE/bin/Release/net10.0/Pcrs.Benchmarks.Formats.dll" --data "$P/data/bench-formats" \
  --log "$P/logs/nginx-access.log" --out "$TABLE" "$@"
{
  echo "# Formats benchmark: header bytes and files per second, ours vs GDAL"
  echo
  echo "Run: $START by \`tests/Benchmarks/Formats/run.sh $*\` (this file is rewritten by the script)."
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(gdalinfo --version), .NET $(dotnet --version)"
  echo
  echo '```'
  free -h
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  echo
  cat "$TABLE"
  echo
  cat "$HERE/NOTES.md"
} > "$HERE/RESULTS.md"
rm -f "$TABLE"
cat "$HERE/RESULTS.md"
