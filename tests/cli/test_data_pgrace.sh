#!/bin/bash
# test_data_pgrace.sh — the backfill's optimistic batch into PostgreSQL
# meeting a dual-write that lands during it. New holds nothing in the first
# batch's range when the batch looks, so the rows go straight into new's
# table (COPY across servers, and in one database when the mapped types
# are new's own; a plain INSERT … SELECT in one database otherwise);
# meanwhile an application transaction, open before the batch began, has
# written two of the range's keys (one newer than old's row, one older).
# The batch waits on that transaction's keys; once it commits, the
# straight copy meets them as duplicates, is rolled back and done again
# through the upsert: the newer row is kept, the older replaced, every
# row copied once.
. tests/lib.sh
. tests/data/pg.sh
if [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
  echo "FAIL postgresql-15 is not installed (scripts/deps.sh test)"; echo "0 passed, 1 failed"; exit 1
fi
N=5000
pg_start A || { echo "0 passed, 1 failed"; exit 1; }
pg_start B || { echo "0 passed, 1 failed"; exit 1; }
pgq "$A_PORT" postgres "CREATE DATABASE shop" >/dev/null
pgq "$B_PORT" postgres "CREATE DATABASE shop2" >/dev/null
TABLE="CREATE TABLE orders (id bigint PRIMARY KEY, customer text, updated_at timestamptz)"
pgq "$A_PORT" shop "CREATE TABLE orders_legacy (id bigint PRIMARY KEY, customer_name text, updated_at timestamptz);
   INSERT INTO orders_legacy SELECT i, 'cust ' || i, '2024-01-01 00:00:00+00' FROM generate_series(1, $N) i;
   $TABLE" >/dev/null
pgq "$B_PORT" shop2 "$TABLE" >/dev/null
orders_runbook "$T/two.md" "Dual-write during the backfill" "$A_PORT" "$B_PORT" shop2
sed "s/port=$B_PORT dbname=shop2/port=$A_PORT dbname=shop/" "$T/two.md" >"$T/same.md"
# a varchar where new has text: no binary stream, INSERT … SELECT
sed 's/from `customer_name`/from `customer_name::varchar`/' "$T/same.md" >"$T/sametext.md"

# activity PORT DB STATE QUERY-PREFIX: a session of DB in STATE whose
# query starts so (e.g. the backfill waiting on a lock)
activity() {
  [ "$(pgq "$1" postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$2' AND $3
        AND query LIKE '$4%'")" -ge 1 ]
}
exited() { ! kill -0 "$1" 2>/dev/null; }

# race WHERE PORT DB: the dual-write's transaction opened and left open,
# the backfill started, seen waiting on the dual-write's keys, the
# dual-write committed, the backfill's outcome checked.
race() {
  local where=$1 port=$2 db=$3 pid rc
  rm -f "$T/dw"; mkfifo "$T/dw"
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" -f "$T/dw" >"$T/dw.out" 2>&1 &
  exec 7>"$T/dw"
  echo "BEGIN; INSERT INTO orders VALUES (500, 'dual', '2024-06-01'), (600, 'stale', '2023-01-01');" >&7
  check "$where: the dual-write's transaction is open" \
    wait_for 30 activity "$port" "$db" "state = 'idle in transaction'" "INSERT INTO orders VALUES (500"
  "$CUTOVER" backfill "$T/$where.md" --batch 1000 >"$T/bf.out" 2>&1 &
  pid=$!
  check "  … the straight batch waits on its keys" \
    wait_for 30 activity "$port" "$db" "wait_event_type = 'Lock'" "${4}"
  echo "COMMIT;" >&7
  exec 7>&-
  wait_for 60 exited "$pid"
  wait "$pid"; rc=$?
  check "  … the backfill ends well once it commits" test "$rc" = 0
  [ "$rc" = 0 ] || cat "$T/bf.out"
  q() { pgq "$port" "$db" "$1"; }
  check "  … every row copied once" test "$(q 'SELECT count(*) || $$ $$ || count(DISTINCT id) FROM orders')" = "$N $N"
  check "  … the row dual-write made newer is kept" test "$(q 'SELECT customer FROM orders WHERE id = 500')" = dual
  check "  … the older one replaced" test "$(q 'SELECT customer FROM orders WHERE id = 600')" = "cust 600"
  check "  … the rest as old has them" \
    test "$(q "SELECT count(*) FROM orders WHERE customer = 'cust ' || id")" = $((N - 1))
  check "  … the checkpoint's count exact, done" \
    test "$(q "SELECT rows || ' ' || done || ' ' || k0 FROM cutover_backfill")" = "$N 1 $N"
}
race two "$B_PORT" shop2 "COPY \"orders\""
race same "$A_PORT" shop "COPY \"orders\""
pgq "$A_PORT" shop "DELETE FROM orders; DROP TABLE cutover_backfill" >/dev/null
race sametext "$A_PORT" shop "WITH cutover_w AS (INSERT INTO \"orders\""
check "  … (that one by INSERT … SELECT)" contains "$T/bf.out" "copying in one database (INSERT … SELECT)"
finish
