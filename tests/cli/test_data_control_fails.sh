#!/bin/bash
# test_data_control_fails.sh — a change asked of a running backfill (the
# console's R and P send `--rate N --running`, `--pause`, `--resume`) that
# fails — here new's store cannot be opened by the request (its runbook
# names a file that is not there; moving the running copy's own file
# away would stop the copy, as test_data_file_moved shows) — is the
# request's failure, said on stderr, not the job's: no data_failed is
# journaled, so no console shows the copy, which runs on, as FAILED.
. tests/lib.sh
. tests/data/fixture.sh
make_stores "$T" 100000
N=100000 J=$T/ctl.journal RB=$T/rb.md
at_least() { [ "$(sql "$T/new.db" 'SELECT count(*) FROM orders' 2>/dev/null || echo 0)" -ge "$1" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

"$CUTOVER" backfill "$RB" --journal "$J" --rate 20000 >"$T/run.out" 2>&1 &
pid=$!
check "a paced copy runs" wait_for 30 at_least 1000
sed "s|$T/new.db|$T/gone/new.db|" "$RB" >"$T/away.md"
check "--rate --running with new's store gone: refused (exit 1)" \
  expect_exit 1 "$CUTOVER" backfill "$T/away.md" --rate 500 --running --journal "$J" --as Bo --role dba
check "  … saying why" contains "$T/.last" "new"
check "  … and journaling no failure of the job" \
  test "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'data_failed'")" = 0
check "the copy runs on and finishes" wait_for 60 gone $pid
wait $pid; rc=$?
check "  … with exit 0" test "$rc" = 0
check "  … every row copied" test "$(sql "$T/new.db" 'SELECT count(*) FROM orders')" = $N
finish
