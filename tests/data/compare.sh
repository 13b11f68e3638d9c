# compare.sh — what the suites share that kill a comparison midway and
# run it again (sourced after lib.sh): the journal's divergences, and a
# paced comparison killed -9 once a condition holds.

# diverged JOURNAL: at least one divergence is journaled (for wait_for).
diverged() { [ "$(sql "$1" "SELECT count(*) FROM events WHERE kind = 'divergence'" 2>/dev/null)" -ge 1 ]; }
# killed_compare RUNBOOK JOURNAL RATE COND [ARGS...]: `cutover compare`
# paced to RATE rows (or keys) a second, its output appended to
# JOURNAL.killed, killed -9 as soon as COND ARGS holds (60 s at most);
# false when it never did.
killed_compare() {
  local rb=$1 j=$2 rate=$3 pid rc=0
  shift 3
  "$CUTOVER" compare "$rb" --journal "$j" --rate "$rate" >>"$j.killed" 2>&1 &
  pid=$!
  wait_for 60 "$@" || rc=$?
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  return $rc
}
