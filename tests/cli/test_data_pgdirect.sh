#!/bin/bash
# test_data_pgdirect.sh — backfill into PostgreSQL, across two servers and
# in one database: a batch
# whose key range new holds nothing of goes straight into new's table by
# COPY; a batch whose range dual-write already wrote into goes through the
# staging table and the upsert (in one database: a plain INSERT … SELECT,
# or the upsert), so a row dual-write made newer is kept and
# an older one replaced. Batches of 1,000 over 20,000 rows, some ranges
# touched by dual-write and most not; every row copied once, the
# checkpoint's count exact.
. tests/lib.sh
. tests/data/pg.sh
if [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
  echo "FAIL postgresql-15 is not installed (scripts/deps.sh test)"; echo "0 passed, 1 failed"; exit 1
fi
N=20000
pg_start A || { echo "0 passed, 1 failed"; exit 1; }
pg_start B || { echo "0 passed, 1 failed"; exit 1; }
pgq "$A_PORT" postgres "CREATE DATABASE shop" >/dev/null
pgq "$B_PORT" postgres "CREATE DATABASE shop2" >/dev/null
a() { pgq "$A_PORT" shop "$1"; }
b() { pgq "$B_PORT" shop2 "$1"; }
a "CREATE TABLE orders_legacy (id bigint PRIMARY KEY, customer_name text, updated_at timestamptz);
   INSERT INTO orders_legacy SELECT i, 'cust ' || i, '2024-01-01 00:00:00+00' FROM generate_series(1, $N) i" >/dev/null
b "CREATE TABLE orders (id bigint PRIMARY KEY, customer text, updated_at timestamptz);
   INSERT INTO orders VALUES (7, 'dual', '2024-06-01'), (8, 'stale', '2023-01-01'),
     (15001, 'dual', '2024-06-01'), (19999, 'stale', '2023-01-01')" >/dev/null
orders_runbook "$T/rb.md" "Two servers" "$A_PORT" "$B_PORT" shop2
check "a backfill in batches of 1000 across two servers" \
  expect_exit 0 "$CUTOVER" backfill "$T/rb.md" --batch 1000 --rate 1000000 --journal "$T/two.journal"
check "  … copies every row once" test "$(b 'SELECT count(*) || $$ $$ || count(DISTINCT id) FROM orders')" = "$N $N"
check "  … rows of untouched ranges as old has them" \
  test "$(b "SELECT count(*) FROM orders WHERE customer = 'cust ' || id")" = $((N - 2))
check "  … a row dual-write made newer is kept (first batch)" test "$(b 'SELECT customer FROM orders WHERE id = 7')" = dual
check "  … an older one replaced (first batch)" test "$(b 'SELECT customer FROM orders WHERE id = 8')" = "cust 8"
check "  … the same in a later batch" test "$(b 'SELECT customer FROM orders WHERE id = 15001')" = dual
check "  … and in the last" test "$(b 'SELECT customer FROM orders WHERE id = 19999')" = "cust 19999"
check "  … the checkpoint's count exact, done" test "$(b "SELECT rows || ' ' || done || ' ' || k0 FROM cutover_backfill")" = "$N 1 $N"
# old's rows counted a slice at a time behind the batches' streams, some
# batches upserted between them: the total said once, and exact
journal_totals() { sql "$1" "SELECT count(DISTINCT json_extract(body, '\$.total')) || ' ' || max(json_extract(body, '\$.total')) FROM events WHERE kind = 'backfill'"; }
check "  … old's rows counted beside the batches, the total exact" test "$(journal_totals "$T/two.journal")" = "1 $N"
# a rate limit makes small batches; they must not make small slices: the
# total is in within the first batches, not halfway through the copy
untotalled() { sql "$1" "SELECT count(*) FROM events WHERE kind = 'backfill' AND json_extract(body, '\$.total') IS NULL"; }
check "again at 5000 rows/s (batches of 1000 at most)" \
  expect_exit 0 "$CUTOVER" backfill "$T/rb.md" --restart --rate 5000 --journal "$T/slow.journal"
check "  … the total in by the third checkpoint" test "$(untotalled "$T/slow.journal")" -le 2
check "  … and exact" test "$(journal_totals "$T/slow.journal")" = "1 $N"
check "a second run has nothing to do" expect_exit 0 "$CUTOVER" backfill "$T/rb.md"
check "  … saying so" contains "$T/.last" "already done"

# --- one database: a plain INSERT … SELECT where new is empty, else the upsert
a "CREATE TABLE orders (id bigint PRIMARY KEY, customer text, updated_at timestamptz);
   INSERT INTO orders VALUES (7, 'dual', '2024-06-01'), (8, 'stale', '2023-01-01'),
     (15001, 'dual', '2024-06-01'), (19999, 'stale', '2023-01-01')" >/dev/null
sed "s/port=$B_PORT dbname=shop2/port=$A_PORT dbname=shop/" "$T/rb.md" >"$T/same.md"
check "a backfill in batches of 1000 in one database" \
  expect_exit 0 "$CUTOVER" backfill "$T/same.md" --batch 1000 --rate 1000000
check "  … copies every row once" test "$(a 'SELECT count(*) || $$ $$ || count(DISTINCT id) FROM orders')" = "$N $N"
check "  … rows of untouched ranges as old has them" \
  test "$(a "SELECT count(*) FROM orders WHERE customer = 'cust ' || id")" = $((N - 2))
check "  … newer rows kept, older replaced" \
  test "$(a 'SELECT string_agg(customer, $$,$$ ORDER BY id) FROM orders WHERE id IN (7, 8, 15001, 19999)')" = "dual,cust 8,dual,cust 19999"
check "  … the checkpoint's count exact, done" test "$(a "SELECT rows || ' ' || done || ' ' || k0 FROM cutover_backfill")" = "$N 1 $N"
check "again in one batch, new holding every row (upserted)" \
  expect_exit 0 "$CUTOVER" backfill "$T/same.md" --restart --batch 50000 --journal "$T/one.journal"
check "  … old's rows counted after it, the total exact" test "$(journal_totals "$T/one.journal")" = "1 $N"
check "  … said as the last batch is" contains "$T/.last" "$N/$N rows (100.0%)"
finish
