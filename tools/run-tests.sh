#!/usr/bin/env bash
# Runs the whole suite under brownie (it starts and stops anvil itself). pytest exits 5
# when it collects nothing: that is a failure here, never a silent green. brownie prints
# "Terminating local RPC client..." after pytest's summary, so the summary is repeated
# as the last line ("tests: N passed, N failed").
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
.venv/bin/brownie test "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary=$(grep -E "^=+ .*(passed|failed|error).* in [0-9.]+s" "$log" | tail -n 1)
passed=$(grep -oE "[0-9]+ passed" <<<"$summary" | grep -oE "[0-9]+" || echo 0)
failed=$(grep -oE "[0-9]+ failed" <<<"$summary" | grep -oE "[0-9]+" || echo 0)
errors=$(grep -oE "[0-9]+ errors?" <<<"$summary" | grep -oE "[0-9]+" || echo 0)
if [ "$rc" -eq 5 ]; then
  echo "run-tests: no tests were collected — treating as failure" >&2
  rc=1
fi
echo "tests: ${passed:-0} passed, $(( ${failed:-0} + ${errors:-0} )) failed"
exit "$rc"
