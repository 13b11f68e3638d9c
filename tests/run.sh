#!/bin/bash
# run.sh — runs every suite and closes with one line for all of them:
# "N passed, N failed". Each suite is a program or script that ends with its
# own "N passed, N failed" line (or, failing that, is judged by exit code).
# Logs of each suite go to build/test-logs/.
cd "$(dirname "$0")/.." || exit 2
logs=build/test-logs
rm -rf "$logs"; mkdir -p "$logs"
total_pass=0 total_fail=0 failed_suites=()

# run_suite NAME COMMAND...: runs it, adds its counts to the totals.
run_suite() {
  local name=$1; shift
  local log="$logs/${name//\//_}.log" start=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$? p f
  read -r p f < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
  if [ -z "$p" ]; then
    if [ $rc -eq 0 ]; then p=1 f=0; else p=0 f=1; fi
  elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1   # it counted no failure but exited non-zero (a crash, a sanitizer)
  fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  printf '%-34s %4d passed, %d failed  (%ds)\n' "$name" "$p" "$f" $((SECONDS - start))
  if [ "$f" -ne 0 ]; then
    failed_suites+=("$name")
    grep -E '^(FAIL|  )' "$log" | head -40 | sed 's/^/    /'
    [ -n "$(grep -E '^(FAIL|  )' "$log")" ] || tail -20 "$log" | sed 's/^/    /'
  fi
}

for t in build/unit/test_*; do [ -x "$t" ] && run_suite "unit/${t##*/}" "$t"; done
for t in build/asan/test_*; do
  [ -x "$t" ] && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_suite "asan/${t##*/}" "$t"
done
for t in build/fuzz/fuzz_*; do [ -x "$t" ] && run_suite "fuzz/${t##*/}" tests/fuzz/run-one.sh "$t"; done
run_suite "cppcheck" make -s cppcheck
for t in tests/cli/*.sh tests/integration/*.sh tests/tui/*.sh; do [ -f "$t" ] && run_suite "${t#tests/}" bash "$t"; done

echo
[ ${#failed_suites[@]} -gt 0 ] && echo "failed suites: ${failed_suites[*]} (logs in $logs/)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
