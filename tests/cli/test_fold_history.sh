# test_fold_history.sh — one history (events and samples in the order they
# were appended), through the real binary:
#   1. an advance 1 → 5 % with the observed share lagging behind: no action
#      live, and none after a kill -9 and a restart, nor in a joined console
#      (before, the restart folded every event before every sample and
#      halted: "the flag says 5% but 1.0%");
#   2. a sample's place in the history (after_event) is hashed: verify
#      catches one moved with plain SQL.
# Every console here writes its fold's state after every fold step
# (CUTOVER_FOLD_TRACE); a refold of the journal from scratch
# (build/tools/fold_trace) must give the same state at every position.
. tests/lib.sh
. tests/wait.sh
. tests/fold_lib.sh

# 1. Observed lag across an advance; kill -9 while the share still lags,
#    a joined console, a restart. The share has said 1% for the whole
#    20 s hold: folded after the advance (every event, then every sample)
#    it disagrees since the hold began, past the 12 s allowed, and halts.
#    Folded in order it disagrees only since the advance: the lag, the
#    kill and the restart fit in 12 s even on a busy machine.
#    (On the wall clock: a test clock starts again with each process.)
J="$T/lag.journal"
runbook "$T/lag.md" "$T/lag-flags.json" 250ms "- 1% for 20s
- 5% for 3s
- 100%

Observed: share within 1 points for 12s"
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

# 2. A sample's place in the history is part of its hash: moving one to
#    another place (after_event edited with plain SQL) fails verify there.
cp "$J" "$T/moved.journal"
moved=$(sql "$J" "select min(seq) from samples where after_event > 3")
sqlite3 "$T/moved.journal" "drop trigger samples_no_update; update samples set after_event = after_event - 1 where seq = $moved"
check "a sample moved to another place in the history fails verify" expect_exit 1 "$CUTOVER" verify "$T/moved.journal"
check "… naming the sample" grep -q "samples.*$moved\|$moved.*samples" "$T/.last"
finish
