# test_fold_criteria.sh — the criteria's memory is part of the fold,
# through the real binary:
#   1. kill -9 while a criterion is *no data* (its signal stopped
#      answering) just after good samples came back and before their
#      transition was journaled: the restarted console journals the
#      criterion ok and the ramp goes on (before, the memory rebuilt from
#      samples said ok, the journal no data, and nothing ever moved);
#   2. a breach held for its window aborts, the same live and refolded.
# Every console here writes its fold's state after every step
# (CUTOVER_FOLD_TRACE); a refold of the journal from scratch
# (build/tools/fold_trace) must give the same state at every position.
. tests/lib.sh
. tests/wait.sh
. tests/fold_lib.sh
RAMP="- 1% for 3s
- 5% for 3s
- 100%"

# 1. Stale, kill -9, good samples after a restart.
J="$T/stale.journal"
runbook "$T/stale.md" "$T/stale-flags.json" 1s "$RAMP"
metrics 0 0.01
CUTOVER_FOLD_TRACE="$T/stale1.trace" "$CUTOVER" run "$T/stale.md" --journal "$J" --headless >"$T/stale1.out" 2>&1 &
pid=$!
wait_until 60 grep -q "flag reads 1% (advance)" "$T/stale1.out"
# the service stops answering: its polls hang (2 s), its samples go stale
kill -STOP "$fault"
check "the criterion goes no data" wait_for 10 at_least 1 \
  "select count(*) from events where kind='criterion' and json_extract(body,'\$.to')='no data' and seq > (select max(seq) from events where kind='ramp_advance')"
kill -9 $pid; wait $pid 2>/dev/null
check "the console is killed while the criterion is no data" wait_for 10 sh -c '! kill -0 "$0" 2>/dev/null' "$pid"
kill -CONT "$fault"
last_e=$(sql "$J" "select max(seq) from events") last_s=$(sql "$J" "select max(seq) from samples")
check "live equals refold, at every position of the first console" compare_trace "$T/stale1.trace" "$last_e" "$last_s"
restart=$(sql "$J" "select max(seq) from events")
# the good samples it recorded just before it died, their transition not
# yet on record (stamped a second ahead: still fresh when the restarted
# console first judges)
ahead=$(( $(now_ms) + 1000 ))
"$PUT" "$J" --sample error_ratio 0 $ahead >/dev/null
"$PUT" "$J" --sample share 0.01 $ahead >/dev/null
CUTOVER_FOLD_TRACE="$T/stale2.trace" timeout 40 "$CUTOVER" run "$T/stale.md" --journal "$J" --headless >"$T/stale2.out" 2>&1
rc=$?
check "after the restart the criterion is journaled ok" \
  test "$(sql "$J" "select count(*) from events where kind='criterion' and json_extract(body,'\$.from')='no data' and json_extract(body,'\$.to')='ok' and seq > $restart")" -ge 1
check "… and the ramp goes on to 100% (exit 0, was $rc)" test $rc -eq 0
check "the restarted console's fold equals the refold" compare_trace "$T/stale2.trace"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"

# 2. A breach held for its window: abort, live and refolded alike.
J="$T/abort.journal"
runbook "$T/abort.md" "$T/abort-flags.json" 1s "$RAMP"
metrics 0 0.01
CUTOVER_FOLD_TRACE="$T/abort.trace" timeout 60 "$CUTOVER" run "$T/abort.md" --journal "$J" --headless >"$T/abort.out" 2>&1 &
pid=$!
wait_until 60 grep -q "flag reads 1% (advance)" "$T/abort.out"
metrics 0.05 0.01
wait $pid; rc=$?
check "a breach for 5 s aborts (exit 3, was $rc)" test $rc -eq 3
check "… with the criterion pending, then firing, on record" \
  test "$(sql "$J" "select group_concat(json_extract(body,'\$.to'),',') from events where kind='criterion' and seq > (select min(seq) from events where kind='ramp_advance')")" = "pending,firing"
check "the aborting console's fold equals the refold" compare_trace "$T/abort.trace"
finish
