# test_data_claim_lost.sh — a running `cutover backfill` whose claim on
# its job is gone (its control row released, or taken by another process)
# stops, saying so, with a failure: it does not read the missing row as
# "no rate limit" and copy on unthrottled beside whoever holds it now.
. tests/lib.sh
. tests/data/fixture.sh
make_stores "$T" 100000
J=$T/lost.journal RB=$T/rb.md
gone() { ! kill -0 "$1" 2>/dev/null; }

"$CUTOVER" backfill "$RB" --journal "$J" --rate 2000 >"$T/run.out" 2>"$T/run.err" &
pid=$!
check "a slow copy starts" wait_for 30 at_least 1000
# what a stale take-over does to the row: another pid holds the job now
sql "$T/new.db" "UPDATE cutover_backfill_control SET pid = 1"
check "the copy whose claim is gone stops" wait_for 10 gone $pid
wait $pid; rc=$?
check "  … with a failure" test "$rc" = 1
check "  … saying it lost its claim" contains "$T/run.err" "lost its claim"
check "  … never running unlimited" test "$(grep -c 'rate now unlimited' "$T/run.err")" = 0
check "  … having copied far less than all" test "$(ckpt)" -lt 50000
check "  … the failure journaled" \
  test "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'data_failed'")" = 1
finish
