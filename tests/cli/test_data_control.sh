# test_data_control.sh — a running `cutover backfill` changed from a
# script: a second copy of the job is refused, --pause holds it (its
# checkpoint stays put), --rate changes its pace, --resume lets it finish;
# each change journaled, the copy complete and equal at the end.
. tests/lib.sh
. tests/data/fixture.sh
make_stores "$T" 100000
N=100000 J=$T/ctl.journal RB=$T/rb.md
events() { sql "$J" "SELECT count(*) FROM events WHERE kind = '$1' AND $2"; }
mirrored_paused() { [ "$(events backfill "json_extract(body, '\$.paused') = 1")" -ge 1 ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

check "pausing when no copy runs is refused" expect_exit 1 "$CUTOVER" backfill "$RB" --pause
check "  … saying so" contains "$T/.last" "no backfill of backfill:orders is running to pause"
# The cockpit's R sends --rate with --running: a copy that ended meanwhile
# must not be started again by a change of rate.
check "--rate --running when no copy runs is refused" \
  expect_exit 1 "$CUTOVER" backfill "$RB" --rate 500 --running
check "  … saying so" contains "$T/.last" "no backfill of backfill:orders is running to change"
check "  … and copies nothing" test "$(sql "$T/new.db" 'SELECT count(*) FROM orders')" = 0
"$CUTOVER" backfill "$RB" --journal "$J" --rate 4000 >"$T/run.out" 2>&1 &
pid=$!
check "a slow copy starts" wait_for 30 at_least 1000
check "a second copy of the job is refused" expect_exit 1 "$CUTOVER" backfill "$RB"
check "  … naming the running one" contains "$T/.last" "already running (pid $pid)"
check "--pause as someone the runbook does not name is refused" \
  expect_exit 1 "$CUTOVER" backfill "$RB" --pause --journal "$J" --as Mallory --role dba
check "  … saying why" contains "$T/.last" "Mallory"
check "--pause from a script, as the dba" \
  expect_exit 0 "$CUTOVER" backfill "$RB" --pause --journal "$J" --as Bo --role dba
check "  … is obeyed and mirrored to the journal" wait_for 30 mirrored_paused
held=$(ckpt)
check "--rate on the paused job" expect_exit 0 "$CUTOVER" backfill "$RB" --rate 1000000 --journal "$J"
check "  … the checkpoint held still meanwhile" test "$(ckpt)" = "$held"
check "--resume" expect_exit 0 "$CUTOVER" backfill "$RB" --resume --journal "$J"
check "  … and the copy finishes" wait_for 60 gone $pid
wait $pid; rc=$?
check "  … with exit 0" test "$rc" = 0
check "  … having run at the new rate" \
  test "$(events backfill "json_extract(body, '\$.rate') = 1000000")" -ge 1
check "the pause is journaled as the dba's, the rest as the engine's" test \
  "$(sql "$J" "SELECT group_concat(actor, ',') FROM events WHERE kind = 'backfill_control'")" = "Bo/dba,engine,engine"
check "each change is journaled" \
  test "$(sql "$J" "SELECT group_concat(coalesce(json_extract(body, '\$.paused'), 'r'), ',') FROM events WHERE kind = 'backfill_control'")" = "1,r,0"
check "every row is copied once" test "$(sql "$T/new.db" 'SELECT count(*) FROM orders')" = $N
check "and compare finds old and new the same" expect_exit 0 "$CUTOVER" compare "$RB"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
