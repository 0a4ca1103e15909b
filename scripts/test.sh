#!/usr/bin/env bash
# Builds the solution and runs every test. Ends with the plain line "N passed, N failed, N skipped",
# counted from the test results (TRX files), not from dotnet test's own summary.
set -uo pipefail
cd "$(dirname "$0")/.."

results="$PWD/TestResults"
rm -rf "$results"

summary() { echo "$1 passed, $2 failed, $3 skipped"; }

# Real servers the tests drive: PostgreSQL (the tests start a throwaway server from Debian's
# binaries), Prometheus (it scrapes a live host), podman with runc and mmdebstrap (the images
# are built and a cluster runs from them), and chromium (Playwright drives it through the dashboard). Install what is missing, and make anything still
# missing a failure rather than a skip. kubectl (it renders the Kubernetes manifests) comes
# with the machine image, not from Debian: its tests are skipped, and say so, where it is absent.
missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v podman >/dev/null 2>&1 || missing+=(podman)
[ -x /usr/sbin/runc ] || missing+=(runc)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} (Debian packages) for the tests..."
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "could not install ${missing[*]}; the tests that need them will fail"
fi
export ACTORSWEEP_REQUIRE_POSTGRES=1 ACTORSWEEP_REQUIRE_PROMETHEUS=1 ACTORSWEEP_REQUIRE_PODMAN=1
command -v kubectl >/dev/null 2>&1 && export ACTORSWEEP_REQUIRE_KUBECTL=1

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
# Name the failed tests last, just above the summary, where a log's tail shows them, each with the
# first lines of its message (what failed; the processes' logs that follow it stay in the TRX).
for trx in "$results"/*.trx; do
  awk '
    function unescape(s) { gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s); gsub(/&amp;/, "\\&", s); return s }
    /<UnitTestResult / { failed = /outcome="Failed"/; if (failed && match($0, /testName="[^"]*"/)) print "FAILED: " substr($0, RSTART + 10, RLENGTH - 11) }
    failed && /<Message>/ { inside = 1; shown = 0; sub(/.*<Message>/, "") }
    inside {
      line = $0; last = sub(/<\/Message>.*/, "", line)
      if (shown++ < 4) print "    " substr(unescape(line), 1, 400)
      if (last) { inside = 0; failed = 0 }
    }' "$trx"
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status without a failed test in its results: counting the run as failed"
  failed=1
fi
summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
