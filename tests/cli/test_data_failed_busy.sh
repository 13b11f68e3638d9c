# test_data_failed_busy.sh — a data command's failure reaches the journal
# even while another process holds the journal's write lock longer than
# the usual wait (5 s): the failure is said at once, the wait is said,
# and the data_failed event is written once the lock is free.
. tests/lib.sh
. tests/data/fixture.sh
need build/tools/hold_lock >/dev/null || exit 1
make_stores "$T" 1000
J=$T/busy.journal
# a mapping naming a column old does not have: refused after the journal opens
sed 's/`customer` from `customer_name`/`customer` from `no_such_column`/' "$T/rb.md" >"$T/bad.md"
badline=$(grep -n no_such_column "$T/bad.md" | cut -d: -f1)
failures() { sql "$J" "SELECT count(*) FROM events WHERE kind = 'data_failed'"; }

check "a first run makes the journal" expect_exit 0 "$CUTOVER" backfill "$T/rb.md" --journal "$J"
"$ROOT/build/tools/hold_lock" "$J" 8 >"$T/lock.out" 2>&1 &
holder=$!
check "another process holds the journal's write lock" wait_for 10 grep -q locked "$T/lock.out"
check "a failing backfill exits 1 all the same" expect_exit 1 "$CUTOVER" backfill "$T/bad.md" --journal "$J"
check "  … says why at once" contains "$T/.last" "$T/bad.md:$badline:"
check "  … says it waited for the journal's lock" contains "$T/.last" "waiting for the journal"
check "  … and that the failure is journaled" contains "$T/.last" "the failure is journaled"
wait "$holder"
check "the journal holds the failure" test "$(failures)" = 1
check "  … with the runbook's FILE:LINE" \
  test "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'data_failed' AND json_extract(body, '\$.why') LIKE '%bad.md:$badline:%'")" = 1
check "  … and the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"

# with no lock held, nothing is waited for or said about it
check "with the lock free, a failing backfill exits 1" expect_exit 1 "$CUTOVER" backfill "$T/bad.md" --journal "$J"
check "  … without a word about a wait" bash -c "! grep -q 'waiting for the journal' '$T/.last'"
check "the journal holds both failures" test "$(failures)" = 2
finish
