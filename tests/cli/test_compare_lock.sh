#!/bin/bash
# test_compare_lock.sh — one `cutover compare` of a table at a time
# (core/cmplock.h): while one runs, a second of the same runbook — with
# the same journal or none — is refused (exit 1) in words naming the
# running one; a kill -9 of the first lets go of the lock, and the next
# run resumes and finishes. SQLite stores (an flock on new's file), then a
# real PostgreSQL 15 new (a session advisory lock).
. tests/lib.sh
. tests/data/fixture.sh
. tests/data/pg.sh
gone() { ! kill -0 "$1" 2>/dev/null; }
progressed() { [ "$(sql "$1" "SELECT count(*) FROM events WHERE kind = 'compare_progress'")" -ge 1 ]; }
# slow RUNBOOK JOURNAL RATE: a paced comparison in the background ($pid),
# waited for until it has journaled a checkpoint (it holds the lock).
slow() {
  "$CUTOVER" compare "$1" --journal "$2" --rate "$3" >"$2.out" 2>&1 &
  pid=$!
  wait_for 20 progressed "$2"
}

N=8000
make_stores "$T" $N
RB=$T/rb.md J=$T/c.journal
check "the copy to compare" expect_exit 0 "$CUTOVER" backfill "$RB"
check "a slow comparison starts" slow "$RB" "$J" 800
check "a second one on the same journal is refused" expect_exit 1 "$CUTOVER" compare "$RB" --journal "$J"
check "  … naming the running one: its pid and command" \
  contains "$T/.last" "compare:orders is already being compared by pid $pid: $CUTOVER compare $RB --journal $J --rate 800"
check "  … and compared nothing: no result journaled while the first runs" \
  test "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'compare'")" = 0
check "one with no journal is refused too" expect_exit 1 "$CUTOVER" compare "$RB"
check "  … the same way" contains "$T/.last" "already being compared by pid $pid"
check "a sample while it runs is refused too" expect_exit 1 "$CUTOVER" compare "$RB" --sample 10
check "the backfill is not held back by it" expect_exit 0 "$CUTOVER" backfill "$RB"
kill -9 $pid
check "kill -9 of the first" wait_for 10 gone $pid
check "  … lets go: the next run resumes it and finishes clean" \
  expect_exit 0 "$CUTOVER" compare "$RB" --journal "$J"
check "  … resuming, not starting over" contains "$T/.last" "compare: resuming compare:orders after key"
check "once it ended, another may run" expect_exit 0 "$CUTOVER" compare "$RB"

if [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
  echo "FAIL postgresql-15 is not installed (scripts/deps.sh test)"; finish; exit 1
fi
pg_start A || { echo "FAIL PostgreSQL does not start"; finish; exit 1; }
pgq "$A_PORT" postgres "CREATE DATABASE shop" >/dev/null
pgq "$A_PORT" shop "CREATE TABLE orders_legacy (id bigint PRIMARY KEY, customer_name text);
  INSERT INTO orders_legacy SELECT i, 'cust ' || i FROM generate_series(1, 10000) i;
  CREATE TABLE orders (id bigint PRIMARY KEY, customer text);
  INSERT INTO orders SELECT id, customer_name FROM orders_legacy" >/dev/null
PB=$T/pg.md PJ=$T/pg.journal
pg_runbook "$PB" "Orders in PostgreSQL" "$A_PORT"
cat >>"$PB" <<MD
## Mapping
- key \`id\`
- \`customer\` from \`customer_name\`

## Phase 2: Compare {readonly}
- [ ] dba: compare \`compare\`
MD
check "a slow comparison in PostgreSQL starts" slow "$PB" "$PJ" 1000
check "a second one is refused" expect_exit 1 "$CUTOVER" compare "$PB" --journal "$PJ"
check "  … naming the running one: its pid, host and session" \
  contains "$T/.last" "compare:orders is already being compared by cutover compare pid $pid on $(hostname) (PostgreSQL backend"
kill -9 $pid
check "kill -9 of the first" wait_for 10 gone $pid
# the server notices the closed connection at once; the lock goes with it
check "  … lets go: the next run resumes it and finishes clean" \
  expect_exit 0 "$CUTOVER" compare "$PB" --journal "$PJ"
check "  … resuming" contains "$T/.last" "compare: resuming compare:orders after key"
finish
