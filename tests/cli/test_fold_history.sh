# test_fold_history.sh — one history, and the criteria inside the fold,
# through the real binary:
#   1. an advance 1 → 5 % with the observed share lagging behind: no action
#      live, and none after a kill -9 and a restart, nor in a joined console
#      (before, the restart folded every event before every sample and
#      halted: "the flag says 5% but 1.0%");
#   2. kill -9 while a criterion is *no data* (its signal stale), then good
#      samples: the restarted console journals the criterion ok and the
#      ramp goes on (before, the rebuilt memory said ok, the journal no
#      data, and nothing moved);
#   3. live equals refold: every console here writes its fold's state after
#      every fold step (CUTOVER_FOLD_TRACE), and a refold of the journal
#      from scratch (build/tools/fold_trace) gives the same state at every
#      position, including staleness, an abort and its resume.
. tests/lib.sh
. tests/wait.sh
. tests/fold_lib.sh

# 1. Observed lag across an advance; kill -9 while the share still lags,
#    a joined console, a restart. The share has said 1% for the whole
#    8 s hold: folded after the advance (every event, then every sample)
#    it disagrees since the hold began, past the 5 s allowed, and halts.
#    (On the wall clock: a test clock starts again with each process.)
J="$T/lag.journal"
runbook "$T/lag.md" "$T/lag-flags.json" 250ms "- 1% for 8s
- 5% for 3s
- 100%

Observed: share within 1 points for 5s"
metrics 0 0.01
CUTOVER_FOLD_TRACE="$T/lag1.trace" "$CUTOVER" run "$T/lag.md" --journal "$J" --headless >"$T/lag1.out" 2>&1 &
pid=$!
wait_until 60 grep -q "flag reads 5% (advance)" "$T/lag1.out"
# the service follows the flag late: the share says 1% a while longer
wait_until 30 at_least 3 "select count(*) from samples where signal='share' and ts_ms > (select max(ts_ms) from events where kind='ramp_advance')"
CUTOVER_FOLD_TRACE="$T/join.trace" "$CUTOVER" join "$J" --as "Bob Ruiz" --role dba --headless >"$T/join.out" 2>&1 &
jpid=$!
wait_until 30 grep -q "console_open" "$T/join.out"
kill -9 $pid; wait $pid 2>/dev/null
check "the first console is killed while the share lags" wait_for 10 sh -c '! kill -0 "$0" 2>/dev/null' "$pid"
check "live: the lag after the advance was no action (no halt)" \
  test "$(sql "$J" "select count(*) from events where kind='halt'")" = 0
last_e=$(sql "$J" "select max(seq) from events") last_s=$(sql "$J" "select max(seq) from samples")
check "live equals refold, at every position of the first console" compare_trace "$T/lag1.trace" "$last_e" "$last_s"
metrics 0 0.05
CUTOVER_FOLD_TRACE="$T/lag2.trace" timeout 60 "$CUTOVER" run "$T/lag.md" --journal "$J" --headless >"$T/lag2.out" 2>&1
rc=$?
check "after the kill -9 the restarted console finishes the ramp (exit 0, was $rc)" test $rc -eq 0
check "… without a halt" test "$(sql "$J" "select count(*) from events where kind='halt'")" = 0
check "… through 1, 5, 100" \
  test "$(sql "$J" "select group_concat(json_extract(body,'\$.percent'),',') from events where kind='ramp_advance'")" = "1,5,100"
check "the restarted console's fold equals the refold" compare_trace "$T/lag2.trace"
kill -TERM $jpid 2>/dev/null; wait $jpid 2>/dev/null
check "the joined console's fold equals the refold" compare_trace "$T/join.trace"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
