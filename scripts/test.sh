#!/usr/bin/env bash
# Builds the solution and runs every test. Ends with the plain line "N passed, N failed, N skipped",
# counted from the test results (TRX files), not from dotnet test's own summary.
set -uo pipefail
cd "$(dirname "$0")/.."

results="$PWD/TestResults"
rm -rf "$results"

summary() { echo "$1 passed, $2 failed, $3 skipped"; }

# The journal and cluster tests run against a real PostgreSQL server, which the tests start
# themselves from Debian's binaries (initdb + pg_ctl on loopback). Install them if missing, and
# make a missing server a failure rather than a skip.
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "Installing PostgreSQL (Debian package postgresql) for the journal and cluster tests..."
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null \
    || echo "could not install PostgreSQL; its tests will fail"
fi
export ACTORSWEEP_REQUIRE_POSTGRES=1

if ! dotnet build ActorSweep.sln -c Release -nologo -v quiet; then
  echo "build failed"
  summary 0 1 0
  exit 1
fi

dotnet test ActorSweep.sln -c Release --no-build -nologo --logger trx --logger "console;verbosity=normal" --results-directory "$results"
status=$?

passed=0; failed=0; total=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$((total + $(get total))); passed=$((passed + $(get passed))); failed=$((failed + $(get failed)))
done
skipped=$((total - passed - failed))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status without a failed test in its results: counting the run as failed"
  failed=1
fi
summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
