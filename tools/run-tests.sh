#!/usr/bin/env bash
# Runs the whole suite under brownie (each run starts and stops its own anvil on a free
# port) and ends with one line: "tests: N passed, N failed, N skipped".
#
# Without arguments the suite runs as three brownie sessions at once, each with its own
# anvil: tests/devnet (PoA, anvil and ganache devnets: mostly waiting for blocks and
# processes), "ledger" (the shared funds-ledger tests in every mechanism and mode, and two
# stateful market tests: CPU) and "main" (everything else: CPU), so both cores are busy.
# The groups are split by measured time (docs/toolchain.md). The main session streams its
# output, the others follow when all are done; the counts are added, and each session
# lists its slowest tests (--durations) so a slow-down is visible in CI logs.
# With arguments, one session runs exactly what they select (e.g. tools/run-tests.sh tests/routing).
#
# A run fails (non-zero exit) on any failed or erroring test, when a session collects
# nothing (pytest's exit 5), and when nothing passed at all (every test skipped).
set -uo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
WAITING_GROUP=tests/devnet
LEDGER_GROUP=(tests/common tests/auction/contracts/test_market_stateful.py tests/priwatt/contracts/test_market_stateful.py)

count() {  # count WORD LOG: the number before WORD in pytest's last summary line
  local line
  line=$(grep -E "^=+ .* in [0-9.]+s" "$2" | tail -n 1)
  grep -oE "[0-9]+ $1" <<<"$line" | grep -oE "^[0-9]+" || echo 0
}

session() {  # session NAME ARGS...: one brownie test run, its output in $logs/NAME.log, its exit code in $logs/NAME.rc
  local name=$1
  shift
  .venv/bin/brownie test "$@" >"$logs/$name.log" 2>&1
  echo $? >"$logs/$name.rc"
}

names=()
if [ $# -gt 0 ]; then
  names=(selected)
  .venv/bin/brownie test "$@" 2>&1 | tee "$logs/selected.log"
  echo "${PIPESTATUS[0]}" >"$logs/selected.rc"
else
  names=(main ledger devnet)
  # Loading a brownie project deletes the build files of library contracts no project
  # contract uses, which every compile writes again: two sessions loading at once race on
  # those deletions ("Unable to load project", FileNotFoundError). Compile if needed and
  # load once here, so that the sessions find nothing to delete or compile.
  .venv/bin/brownie compile >/dev/null || exit 1
  .venv/bin/python -c "from brownie import project; project.load('.', compile=False)" || exit 1
  session devnet "$WAITING_GROUP" --durations=10 &
  devnet_pid=$!
  session ledger "${LEDGER_GROUP[@]}" --durations=15 &
  ledger_pid=$!
  ignores=(--ignore="$WAITING_GROUP")
  for path in "${LEDGER_GROUP[@]}"; do ignores+=(--ignore="$path"); done
  .venv/bin/brownie test tests "${ignores[@]}" --durations=30 2>&1 | tee "$logs/main.log"
  echo "${PIPESTATUS[0]}" >"$logs/main.rc"
  wait "$ledger_pid" "$devnet_pid"
  for name in ledger devnet; do
    echo
    echo "---------------- $name session (ran at the same time) ----------------"
    cat "$logs/$name.log"
  done
fi

passed=0 failed=0 skipped=0 rc=0
for name in "${names[@]}"; do
  log="$logs/$name.log"
  r=$(cat "$logs/$name.rc")
  p=$(count passed "$log") f=$(count failed "$log") e=$(count "errors?" "$log") s=$(count skipped "$log")
  passed=$((passed + p)) failed=$((failed + f + e)) skipped=$((skipped + s))
  if [ "$r" -eq 5 ]; then
    echo "run-tests: the $name session collected no tests — treating as failure" >&2
    r=1
  fi
  if [ "$r" -ne 0 ] && [ $((f + e)) -eq 0 ]; then
    echo "run-tests: the $name session exited with $r without a failing test (collection or usage error?)" >&2
    failed=$((failed + 1))
  fi
  [ "$r" -ne 0 ] && rc=1
done
if [ "$passed" -eq 0 ]; then
  echo "run-tests: no test passed ($skipped skipped) — treating as failure" >&2
  rc=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
