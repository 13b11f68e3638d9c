#!/bin/bash
# test_data_file_moved.sh — an SQLite file deleted or replaced under a
# running copy: SQLite goes on writing into the unlinked file through its
# open descriptor, and the copy said "done" for rows nobody will ever
# read. Each batch now asks SQLite whether its files are still the ones
# their paths name; when one is not, the copy stops, in words, exit 1,
# journaled as data_failed, and nothing more goes into the lost file.
# new deleted, old deleted, and new replaced by another file.
. tests/lib.sh
. tests/data/fixture.sh
N=40000
RB=$T/rb.md J=$T/j
gone() { ! kill -0 "$1" 2>/dev/null; }
lacks() { ! grep -qF -- "$2" "$1" || { cat "$1"; return 1; }; }
failed_why() { sql "$J" "SELECT count(*) FROM events WHERE kind = 'data_failed' AND json_extract(body, '\$.why') LIKE '%$1%'"; }

# run_and_lose WHAT FILES...: starts a paced copy, removes FILES once it has
# copied 4,000 rows, and waits for it to end; its status in $rc
run_and_lose() {
  local what=$1; shift
  make_stores "$T" $N
  rm -f "$J"
  "$CUTOVER" backfill "$RB" --batch 500 --rate 4000 --journal "$J" >"$T/run.out" 2>&1 &
  pid=$!
  check "$what: the copy starts" wait_for 30 at_least 4000
  rm -f "$@"
  check "  … and ends on its own once its file is gone" wait_for 30 gone $pid
  wait $pid; rc=$?
}

run_and_lose "new.db deleted" "$T"/new.db "$T"/new.db-wal "$T"/new.db-shm
check "  … exit 1, not done" test "$rc" = 1
check "  … saying which file went" contains "$T/run.out" "new's file $T/new.db was deleted or replaced while the copy ran"
check "  … never \"done\"" lacks "$T/run.out" "done,"
check "  … journaled" test "$(failed_why "was deleted or replaced")" = 1

run_and_lose "old.db deleted" "$T"/old.db "$T"/old.db-wal "$T"/old.db-shm
check "  … exit 1" test "$rc" = 1
check "  … saying it was old's" contains "$T/run.out" "old's file $T/old.db was deleted or replaced while the copy ran"

# new replaced by another file (a restore over it): the path names another file
make_stores "$T" $N
rm -f "$J"
"$CUTOVER" backfill "$RB" --batch 500 --rate 4000 --journal "$J" >"$T/run.out" 2>&1 &
pid=$!
check "new.db replaced: the copy starts" wait_for 30 at_least 4000
cp "$T/new.db" "$T/other.db" && mv "$T/other.db" "$T/new.db"
check "  … and ends on its own" wait_for 30 gone $pid
wait $pid; rc=$?
check "  … exit 1" test "$rc" = 1
check "  … saying so" contains "$T/run.out" "new's file $T/new.db was deleted or replaced while the copy ran"
finish
