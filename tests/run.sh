#!/bin/bash
# run.sh — runs the suites and closes with one line for all of them:
# "N passed, N failed". Each suite is a program or script that ends with its
# own "N passed, N failed" line (or, failing that, is judged by its exit
# code). Logs of each suite go to build/test-logs/.
#
#   tests/run.sh [GROUP|FILE.sh...]   groups: unit asan fuzz cppcheck cli
#                             integration tui (default: all of them); a
#                             FILE.sh is one shell suite by its path
#
# Every suite runs under a timeout (SUITE_TIMEOUT seconds, default 300): a
# suite that hangs is killed and counted as failed, by name. Suites run
# TEST_JOBS at a time (default 6: most of them wait on holds, peers and
# screens, not on the CPU — with 4, a fifth of two cores' time went idle;
# 6 took the run from 431 s to 384 s); results are printed in a fixed order.
# The longest suites start first, so that the pool does not end waiting on
# one long suite started last: their seconds are the last run's (kept in
# test-times beside the logs' folder, build/test-times; TEST_TIMES names
# another), or, on a fresh clone, tests/suite-times.
cd "$(dirname "$0")/.." || exit 2
# A suite's own make of a tool (tests/lib.sh's need) is a make of its own, not a job of ours.
unset MAKEFLAGS MFLAGS MAKELEVEL
logs=${TEST_LOGS:-build/test-logs}
rm -rf "$logs"; mkdir -p "$logs"
timeout_s=${SUITE_TIMEOUT:-300}
jobs=${TEST_JOBS:-6}
groups=${*:-unit asan fuzz cppcheck cli integration tui}

# The suites, in the order they are reported: "name<TAB>command...".
suites=()
add() { local name=$1; shift; suites+=("$name"$'\t'"$*"); }
want() { [[ " $groups " == *" $1 "* ]]; }
want unit && for t in build/unit/test_*; do [ -x "$t" ] && add "unit/${t##*/}" "$t"; done
# ASan keeps freed memory in quarantine to catch a use after free: 16 MB
# of it rather than 256 still holds what a unit test frees lately, and
# spares test_replay (40,000 rows folded again and again) half its time,
# most of it faulting in pages for the quarantine.
asan_options=detect_leaks=1:quarantine_size_mb=16
want asan && for t in build/asan/test_*; do
  [ -x "$t" ] && add "asan/${t##*/}" env ASAN_OPTIONS=$asan_options UBSAN_OPTIONS=print_stacktrace=1 "$t"
done
want fuzz && for t in build/fuzz/fuzz_*; do [ -x "$t" ] && add "fuzz/${t##*/}" tests/fuzz/run-one.sh "$t"; done
want cppcheck && add cppcheck make -s cppcheck
for g in cli integration tui; do
  want $g && for t in tests/$g/*.sh; do [ -f "$t" ] && add "${t#tests/}" bash "$t"; done
done
for f in $groups; do [[ $f == *.sh ]] && add "${f##*/}" bash "$f"; done

log_of() { local n=${1//\//_}; echo "$logs/$n.log"; }

# run_one NAME COMMAND...: runs it under the timeout; writes its log, its
# exit status and its time beside the log.
run_one() {
  local name=$1 log start=$SECONDS; shift
  log=$(log_of "$name")
  timeout -k 10 "$timeout_s" "$@" >"$log" 2>&1
  local rc=$? cpu
  # the CPU its processes spent (bash's `times`: the children's user and
  # system seconds), beside its wall-clock seconds: the suites share two
  # cores, so a suite that polls hard slows every other one
  times >"$log.times"   # in this shell: a pipe's subshell has no children
  cpu=$(sed -n 2p "$log.times" | sed -E 's/([0-9]+)m([0-9]+)\.[0-9]+s ([0-9]+)m([0-9]+)\.[0-9]+s/\1 \2 \3 \4/' |
        { read -r um us sm ss; echo $(( um * 60 + us + sm * 60 + ss )); })
  rm -f "$log.times"
  echo "$rc $((SECONDS - start)) $cpu" >"$log.rc"
}

total_pass=0 total_fail=0 failed_suites=()
# report NAME: adds a finished suite's counts to the totals and prints them.
report() {
  local name=$1 log rc secs cpu p f note=
  log=$(log_of "$name")
  read -r rc secs cpu <"$log.rc"
  read -r p f < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    note="  TIMED OUT after ${timeout_s}s"
    p=${p:-0}; f=$(( ${f:-0} + 1 ))
  elif [ -z "$p" ]; then
    if [ "$rc" -eq 0 ]; then p=1 f=0; else p=0 f=1; fi
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1   # it counted no failure but exited non-zero (a crash, a sanitizer)
  fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  printf '%-38s %4d passed, %d failed  (%ds, cpu %ss)%s\n' "$name" "$p" "$f" "$secs" "${cpu:-?}" "$note"
  if [ "$f" -ne 0 ]; then
    failed_suites+=("$name")
    grep -E '^(FAIL|  )' "$log" | head -40 | sed 's/^/    /'
    [ -n "$(grep -E '^(FAIL|  )' "$log")" ] || tail -20 "$log" | sed 's/^/    /'
  fi
}

# The starting order: the suites by their seconds last time, longest
# first (a suite never timed counts as 10 s); equal ones in report order.
times_out=${TEST_TIMES:-$(dirname "$logs")/test-times}
times=$times_out
[ -s "$times" ] || times=tests/suite-times
declare -A secs_of=()
while read -r n s; do [ -n "$n" ] && secs_of[$n]=$s; done < <(grep -v '^#' "$times" 2>/dev/null)
order=()
while read -r _ i; do order+=("$i"); done < <(
  for ((i = 0; i < ${#suites[@]}; i++)); do
    name=${suites[$i]%%$'\t'*}
    echo "${secs_of[$name]:-10} $i"
  done | sort -k1,1nr -k2,2n)

# report_ready: reports, in the fixed order, every suite that has finished
# and all before it have.
next_report=0
report_ready() {
  local name
  while [ $next_report -lt ${#suites[@]} ]; do
    name=${suites[$next_report]%%$'\t'*}
    [ -f "$(log_of "$name").rc" ] || break
    report "$name"; next_report=$((next_report + 1))
  done
}

# A pool of $jobs suites at a time, started in that order.
running=0
for i in "${order[@]}"; do
  IFS=$'\t' read -r name cmd <<<"${suites[$i]}"
  # shellcheck disable=SC2086
  run_one "$name" $cmd &
  running=$((running + 1))
  while [ "$running" -ge "$jobs" ]; do
    wait -n; running=$((running - 1))
  done
  report_ready
done
wait
report_ready

# This run's seconds, for the next run's order (a partial run adds to them).
{
  for ((i = 0; i < ${#suites[@]}; i++)); do
    name=${suites[$i]%%$'\t'*}
    read -r _ secs _ <"$(log_of "$name").rc" && echo "$name $secs" && unset "secs_of[$name]"
  done
  for name in "${!secs_of[@]}"; do echo "$name ${secs_of[$name]}"; done
} | sort >"$times_out.$$" && mv "$times_out.$$" "$times_out"

echo
[ ${#failed_suites[@]} -gt 0 ] && echo "failed suites: ${failed_suites[*]} (logs in $logs/)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
