# test_fold_force.sh — a runbook replaced with --force is an event the
# fold applies at its place, through the real binary: a ceremony runs
# with runbook A (ramp 1 → 5 %), stops; runbook B inserts a 2 % step
# before 5 % (every position after it moves) and is refused without
# --force, taken with it, and the ceremony goes on at 5 % (not at B's
# second step, 2 %). Live equals refold at every position: A's console
# against a refold of the journal as A left it, B's (which folds A's
# history through A) against a refold of the whole journal; and in the
# refold the history before the replacement says 5 %, at B's position
# of 5 %.
. tests/lib.sh
. tests/wait.sh
. tests/fold_lib.sh

J="$T/force.journal"
runbook "$T/a.md" "$T/flags.json" 250ms "- 1% for 3s
- 5% for 10m
- 100%"
runbook "$T/b.md" "$T/flags.json" 250ms "- 1% for 3s
- 2% for 3s
- 5% for 10m
- 100%"
metrics 0 0.01
CUTOVER_FOLD_TRACE="$T/a.trace" "$CUTOVER" run "$T/a.md" --journal "$J" --headless >"$T/a.out" 2>&1 &
pid=$!
wait_until 60 grep -q "flag reads 5% (advance)" "$T/a.out"
metrics 0 0.05
wait_until 30 at_least 4 "select count(*) from samples where signal='share' and ts_ms > (select max(ts_ms) from events where kind='ramp_advance')"
kill -TERM $pid; wait $pid 2>/dev/null
cp "$J" "$T/a.journal"
J="$T/a.journal"
check "runbook A's console equals the refold of the journal it left" compare_trace "$T/a.trace"
J="$T/force.journal"

check "runbook B without --force is refused" expect_exit 1 "$CUTOVER" run "$T/b.md" --journal "$J" --headless
check "… naming --force" grep -q -- "--force" "$T/.last"
CUTOVER_FOLD_TRACE="$T/b.trace" "$CUTOVER" run "$T/b.md" --journal "$J" --headless --force >"$T/b.out" 2>&1 &
pid=$!
# B's runbook event first: until it is written, "the newest runbook" is A's
wait_until 30 at_least 1 "select count(*) from events where kind='runbook' and json_extract(body,'\$.previous_sha256') is not null"
wait_until 30 at_least 10 "select count(*) from samples where after_event >= (select max(seq) from events where kind='runbook')"
forced=$(sql "$J" "select max(seq) from events where kind='runbook'")
check "the replacement is journaled, naming the runbook it replaced" \
  test "$(sql "$J" "select count(*) from events where kind='runbook' and json_extract(body,'\$.previous_sha256') is not null")" = 1
kill -TERM $pid; wait $pid 2>/dev/null
check "the ceremony went on at 5% under B: no advance to 2%, no halt, no abort" \
  test "$(sql "$J" "select count(*) from events where kind in ('halt','abort') or (kind='ramp_advance' and json_extract(body,'\$.percent') = 2)")" = 0
check "runbook B's console equals the refold of the whole journal" compare_trace "$T/b.trace"
before=$(awk -v f="$forced" '$1 == "e" (f - 1) { l = $0 } END { print l }' "$T/refold.trace")
check "in the refold, the history before the replacement holds 5% at B's position of it (step 2)" \
  sh -c 'case "$0" in *" ramp="*/2/5/*) exit 0;; *) echo "$0"; exit 1;; esac' "$before"
check "B's console ended holding 5% at its step 2" \
  sh -c 'case "$0" in *" ramp="*/2/5/*) exit 0;; *) echo "$0"; exit 1;; esac' "$(grep -v '^#' "$T/b.trace" | tail -1)"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
