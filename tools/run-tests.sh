#!/usr/bin/env bash
# Runs the whole suite under brownie (it starts and stops anvil itself). pytest exits 5
# when it collects nothing: that is a failure here, never a silent green.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/brownie test "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "run-tests: no tests were collected — treating as failure" >&2
  exit 1
fi
exit "$rc"
