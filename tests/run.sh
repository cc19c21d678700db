#!/usr/bin/env bash
# Runs every test of the project: starts the real servers the tests use (tests/peers/start.sh: PostgreSQL, vsftpd in four
# modes, pure-ftpd, proftpd, OpenSSH SFTP, nginx, Apache, lighttpd, GDAL fixtures, Chromium), builds the solution and runs
# all test projects. Ends with the line "N passed, N failed" and a non-zero exit status on any failure.
# Usage: tests/run.sh [extra arguments passed to `dotnet test`]
set -uo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
RESULTS="$ROOT/artifacts/test-results"
mkdir -p "$RESULTS"
started=$(date +%s)
# The build uses a shared compiler server (Directory.Build.props); stop it when the run ends so nothing lingers.
trap 'dotnet build-server shutdown >/dev/null 2>&1 || true' EXIT

if ! bash tests/peers/start.sh; then
  echo "tests/run.sh: the test servers did not all start (see the lines above)." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

if ! dotnet build Pcrs.Orleans.sln -nologo -v quiet -clp:ErrorsOnly 2>&1 | tee "$RESULTS/build.log"; then
  echo "tests/run.sh: the build failed." >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if grep -qE ' error |warning [A-Z]+[0-9]+' "$RESULTS/build.log"; then
  echo "tests/run.sh: the build reported errors or warnings." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# Microsoft.Testing.Platform runner (global.json); one test module per project, run side by side.
timeout --kill-after=30s 45m dotnet test --solution Pcrs.Orleans.sln --no-build --results-directory "$RESULTS" "$@" 2>&1 \
  | tee "$RESULTS/test.log"
status=${PIPESTATUS[0]}

# The aggregated summary is the last "Test run summary" block of the log.
summary=$(awk '/Test run summary/{block=""} {block=block"\n"$0} END{print block}' "$RESULTS/test.log")
total=$(echo -e "$summary" | awk '/^ *total:/{print $2}' | tail -1)
failed=$(echo -e "$summary" | awk '/^ *failed:/{print $2}' | tail -1)
passed=$(echo -e "$summary" | awk '/^ *succeeded:/{print $2}' | tail -1)
skipped=$(echo -e "$summary" | awk '/^ *skipped:/{print $2}' | tail -1)
errored=$(echo -e "$summary" | awk '/^ *error:/{print $2}' | tail -1)
total=${total:-0}; failed=${failed:-0}; passed=${passed:-0}; skipped=${skipped:-0}; errored=${errored:-0}
# A test module that crashed, timed out or ran no test is reported as "error": count each as a failure.
failed=$(( failed + errored ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A non-zero exit with no failure counted still fails the run, and the closing line says so.
  failed=1
fi
if [ "$total" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "tests/run.sh: no test ran." >&2
  status=1; failed=1
fi
echo "tests/run.sh: $(( $(date +%s) - started )) s, exit status $status; results in $RESULTS"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
