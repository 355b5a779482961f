#!/usr/bin/env bash
#===- scripts/test.sh - set up, build and run every diffc test ------------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# Runs scripts/setup.sh (packages, configure, build), then the lit + FileCheck
# suites and the GoogleTest/ctest suites, and ends with one summary line:
#   tests: N passed, M failed
# Exit status is non-zero when anything failed or no test ran.
#===-----------------------------------------------------------------------===#
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DIFFC_BUILD_DIR:-$root/build}"
jobs="${DIFFC_JOBS:-2}"

"$root/scripts/setup.sh" || { echo "tests: setup or build failed"; exit 1; }

log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT

echo "== lit (dialect, passes, tools) =="
/usr/lib/llvm-22/bin/lit -sv -j "$jobs" "$build/test" 2>&1 | tee "$log/lit"
lit_rc=${PIPESTATUS[0]}

echo "== ctest (runtime GoogleTest and reference checks) =="
ctest --test-dir "$build" -j "$jobs" --output-on-failure 2>&1 | tee "$log/ctest"
ctest_rc=${PIPESTATUS[0]}

count() { grep -Eo "^ *$1 *: *[0-9]+" "$2" | grep -Eo '[0-9]+$' | head -1; }
lit_pass=$(count Passed "$log/lit"); lit_pass=${lit_pass:-0}
lit_fail=0
for kind in Failed Unresolved "Timed Out" "Unexpectedly Passed"; do
  n=$(count "$kind" "$log/lit"); lit_fail=$((lit_fail + ${n:-0}))
done
ctest_total=$(grep -Eo 'tests failed out of [0-9]+' "$log/ctest" | grep -Eo '[0-9]+$')
ctest_fail=$(grep -Eo '[0-9]+ tests failed out of' "$log/ctest" | grep -Eo '^[0-9]+')
ctest_total=${ctest_total:-0}; ctest_fail=${ctest_fail:-0}
ctest_pass=$((ctest_total - ctest_fail))

passed=$((lit_pass + ctest_pass))
failed=$((lit_fail + ctest_fail))
# A runner that crashed before printing its counts is a failure too.
[ "$lit_rc" -ne 0 ] && [ "$lit_fail" -eq 0 ] && failed=$((failed + 1))
[ "$ctest_rc" -ne 0 ] && [ "$ctest_fail" -eq 0 ] && failed=$((failed + 1))

echo
echo "lit: $lit_pass passed, $lit_fail failed; ctest: $ctest_pass passed, $ctest_fail failed"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
