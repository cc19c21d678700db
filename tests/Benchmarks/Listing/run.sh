#!/bin/bash
# Listing benchmark: our storage clients vs `rclone lsjson -R` on every peer server, same run, best of RUNS.
# Needs the peers (tests/peers/start.sh). Writes RESULTS.md next to this script (table + machine + commands).
# Usage: tests/Benchmarks/Listing/run.sh [--runs 3] [--only sftp,vsftpd,...] [--connections 4]
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
REPO=$(readlink -f "$HERE/../../..")
P=${PEERS_DIR:-/tmp/pcrs-peers}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The issue's tree: 200 directories x 100 files (20,000 files). DIRS/FILES change it; the tree is named after its size.
DIRS=${DIRS:-200}
FILES=${FILES:-100}
TREE="bench$((DIRS * FILES / 1000))k"
python3 "$HERE/gen_tree.py" "$P/data/$TREE" "$DIRS" "$FILES"
sed "s|^pass = PASS$|pass = $(rclone obscure "${PEERS_PASS:-peerpass}")|" "$HERE/rclone.conf.template" > "$WORK/rclone.conf"

dotnet build -c Release "$HERE/Benchmarks.Listing.csproj" 2>&1 | tail -2
BIN="$HERE/bin/Release/net10.0/Pcrs.Benchmarks.Listing.dll"
START=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
dotnet "$BIN" --rclone-config "$WORK/rclone.conf" --tree "$TREE" --out "$WORK/table.md" "$@"

{
  echo "# Listing benchmark: our clients vs rclone lsjson -R"
  echo
  echo "Run: $START (this file is rewritten by \`tests/Benchmarks/Listing/run.sh\`; notes below the table are kept in NOTES.md)."
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), rclone $(rclone version | head -1 | awk '{print $2}'), .NET $(dotnet --version)"
  echo
  echo '```'
  free -h
  echo "load average at the start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  echo
  echo "Tree: \`$P/data/$TREE\` = $DIRS directories x $FILES files (64-1024 bytes), made by \`gen_tree.py\`; every server serves \`$P/data\`."
  echo
  cat "$WORK/table.md"
  echo
  echo "Commands:"
  echo '```'
  echo "python3 tests/Benchmarks/Listing/gen_tree.py $P/data/$TREE $DIRS $FILES"
  echo "dotnet tests/Benchmarks/Listing/bin/Release/net10.0/Pcrs.Benchmarks.Listing.dll --rclone-config rclone.conf --tree $TREE $*"
  echo "rclone --config rclone.conf lsjson -R REMOTE:$TREE          # per server, config from rclone.conf.template"
  echo "rclone --config rclone.conf lsjson -R --http-no-head REMOTE:$TREE   # HTTP servers only"
  echo '```'
  [ -f "$HERE/NOTES.md" ] && { echo; cat "$HERE/NOTES.md"; }
} > "$HERE/RESULTS.md"
cat "$HERE/RESULTS.md"
