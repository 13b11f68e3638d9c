# test_fold_refold.sh — another writer's row read back ahead of the
# driving console's queued rows costs what is new, not the journal:
# on a journal of 150,000 rows, another writer that holds the write lock
# while the console's samples queue up, then commits first, makes the
# console put its fold in the journal's order again. It does so from the fold of what is
# written ("# restore from base" in its fold trace), never by refolding
# from scratch (before: "# refold from scratch", the whole trace again
# from the first position, an O(journal) pause on the loop), and its
# fold still equals a refold of the journal at every position.
. tests/lib.sh
. tests/wait.sh
. tests/fold_lib.sh
need build/tools/fold_fill >/dev/null || exit 1

J="$T/long.journal"
check "a long history: 150,000 notes" "$ROOT/build/tools/fold_fill" "$J" 150000
runbook "$T/long.md" "$T/long-flags.json" 100ms "- 1% for 10m
- 100%"
metrics 0 0.01
CUTOVER_FOLD_TRACE="$T/live.trace" "$CUTOVER" run "$T/long.md" --journal "$J" --headless >"$T/live.out" 2>&1 &
pid=$!
wait_until 60 grep -q "flag reads 1%" "$T/live.out"
wait_until 30 at_least 20 "select count(*) from samples"
# another writer takes the write lock; the console's writer waits and
# its samples queue up (folded at once: its trace grows); the other's
# note is committed first, then the console's rows
"$ROOT/build/tools/fold_fill" "$J" 1 --hold "$T/go" >"$T/hold.out" 2>&1 &
hpid=$!
wait_until 30 grep -q held "$T/hold.out"
n0=$(wc -l <"$T/live.trace")
grown() { [ "$(wc -l <"$T/live.trace")" -ge $((n0 + 5)) ]; }
check "the console folds its queued rows while the lock is held" wait_for 30 grown
touch "$T/go"
check "the other writer's note is committed" wait_for 30 sh -c '! kill -0 "$0" 2>/dev/null' "$hpid"
restored() { grep -q "^# restore from base" "$T/live.trace"; }
check "another's row came before the console's queued rows: made again from base" wait_for 30 restored
ns=$(sql "$J" "select count(*) from samples")
check "the console goes on writing samples" wait_for 30 at_least $((ns + 10)) "select count(*) from samples"
kill -TERM $pid; wait $pid 2>/dev/null
check "no refold from scratch" sh -c '! grep -q "^# refold" "$0"' "$T/live.trace"
first=$(grep -v '^#' "$T/live.trace" | head -1 | cut -d' ' -f1-2)
check "the first position was folded once (was $(grep -c "^$first " "$T/live.trace"))" \
  test "$(grep -c "^$first " "$T/live.trace")" = 1
check "live equals refold, at every position" compare_trace "$T/live.trace"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
