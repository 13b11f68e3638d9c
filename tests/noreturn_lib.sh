# noreturn_lib.sh — helpers for the points-of-no-return suites (sourced
# after lib.sh; J is the journal in use): open a journal with a headless
# console, then the two halves from a script.
start() {   # start RUNBOOK JOURNAL: a headless console opens the journal, then closes
  rm -f "$T/run.out"   # the last run's console_open is not this one's
  "$CUTOVER" run "$1" --journal "$2" --headless >"$T/run.out" 2>&1 &
  local pid=$!
  wait_for 30 grep -q console_open "$T/run.out" || { cat "$T/run.out"; kill $pid; return 1; }
  kill -TERM $pid; wait $pid
}
ack() { "$CUTOVER" ack "$J" "$1" --as "$2" --role "$3" >"$T/out" 2>&1; }
approve() { "$CUTOVER" approve "$J" "$1" --as "$2" --role "$3" >"$T/out" 2>&1; }
