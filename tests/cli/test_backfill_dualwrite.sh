#!/bin/bash
# test_backfill_dualwrite.sh — a backfill while the application
# dual-writes (issue 18): a real PostgreSQL 15, `cutover backfill` copying
# old into new at a pace, and meanwhile another connection writing as
# dual-write does — each write first to old, committed, then to new with
# the same, newer version (updates of rows just ahead of the copy's
# checkpoint, where a batch may have read old's row before the update and
# write it after, of random rows, and inserts of new rows), logging what
# it put in new.
# Afterwards compare finds nothing divergent, every row is in new once,
# and no row of new is older than what the dual-writer put there (the
# mapping's version column keeps the copy from going back in time).
. tests/lib.sh
. tests/data/pg.sh
if [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
  echo "FAIL postgresql-15 is not installed (scripts/deps.sh test)"; echo "0 passed, 1 failed"; exit 1
fi
N=30000
pg_start A || { echo "0 passed, 1 failed"; exit 1; }
pgq "$A_PORT" postgres "CREATE DATABASE shop" >/dev/null
a() { pgq "$A_PORT" shop "$1"; }
a "CREATE TABLE orders_legacy (id bigint PRIMARY KEY, customer_name text, updated_at timestamptz);
   INSERT INTO orders_legacy SELECT i, 'cust ' || i, '2024-01-01 00:00:00+00'
     FROM generate_series(1, $N) i;
   CREATE TABLE orders (id bigint PRIMARY KEY, customer text, updated_at timestamptz);
   CREATE TABLE dw_log (n bigserial, id bigint, v timestamptz, copied bigint);
   CREATE PROCEDURE dual_write(n bigint) LANGUAGE plpgsql AS \$\$
   DECLARE k bigint; v timestamptz; c bigint; done boolean := false; i int := 0;
   BEGIN
     -- from the copy's first checkpoint until it says done (at most 2 min)
     WHILE to_regclass('cutover_backfill') IS NULL AND i < 12000 LOOP
       PERFORM pg_sleep(0.01); i := i + 1;
       COMMIT;   -- a new transaction sees the table once it is made
     END LOOP;
     i := 0;
     WHILE NOT done AND i < 100000 LOOP
       i := i + 1;
       EXECUTE 'SELECT coalesce(max(rows), 0), coalesce(max(done), 0) <> 0 FROM cutover_backfill'
         INTO c, done;
       -- the rows the copy is about to read, where a race can happen;
       -- a random row elsewhere; a new row
       k := CASE WHEN i % 5 = 0 THEN 2 * n + i WHEN i % 5 = 1 THEN 1 + floor(random() * n)::bigint
                 ELSE least(n, c + 1 + floor(random() * 1000)::bigint) END;
       v := clock_timestamp();
       INSERT INTO orders_legacy VALUES (k, 'dw ' || i, v) ON CONFLICT (id) DO UPDATE
         SET customer_name = excluded.customer_name, updated_at = excluded.updated_at;
       COMMIT;   -- old is authoritative: written first, on its own
       INSERT INTO orders VALUES (k, 'dw ' || i, v) ON CONFLICT (id) DO UPDATE
         SET customer = excluded.customer, updated_at = excluded.updated_at;
       INSERT INTO dw_log (id, v, copied) VALUES (k, v, CASE WHEN done THEN -1 ELSE c END);
       COMMIT;
       PERFORM pg_sleep(0.001);
     END LOOP;
   END \$\$" >/dev/null
RB=$T/rb.md
pg_runbook "$RB" "Orders while dual-writing" "$A_PORT"
cat >>"$RB" <<MD
## Mapping
- key \`id\`
- version \`updated_at\`
- \`customer\` from \`customer_name\`

## Phase 2: Backfill {readonly}
- [ ] dba: copy the history \`backfill\`
MD
ckpt() { a "SELECT coalesce(max(rows), 0) FROM cutover_backfill" 2>/dev/null || echo 0; }
at_least() { [ "$(ckpt)" -ge "$1" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

started=$(now_ms)
# the dual-writer first: it writes from the copy's first checkpoint to its end
a "CALL dual_write($N)" >"$T/dw.out" 2>&1 &
dw=$!
"$CUTOVER" backfill "$RB" --rate 10000 --batch 500 >"$T/bf.out" 2>&1 &
bf=$!
check "the backfill finishes" wait_for 40 gone $bf
wait $bf; rc=$?
check "  … with exit 0" test "$rc" = 0
# old grows while it is copied (the dual-writer inserts new keys, which
# the copy reaches): old's count at the start is no total to report
# against — on main the progress said "30400/30000 rows"
check "  … its progress never says more rows copied than old holds" \
  sh -c '! awk "/^backfill [0-9]+\\/[0-9]+ rows/ { split(\$2, f, \"/\"); if (f[1] + 0 > f[2] + 0) { print; bad = 1 } } END { exit !bad }" "$0"' "$T/bf.out"
last=$(grep -E '^backfill [0-9]+/[0-9]+ rows' "$T/bf.out" | tail -1)
check "  … and its last line says every row of old, all of them: $last" \
  sh -c 'echo "$0" | grep -qE "^backfill ([0-9]+)/\1 rows \(100\.0%\)"' "$last"
check "the dual-writer finishes with it" wait_for 40 gone $dw
wait $dw; rc=$?
check "  … with exit 0" sh -c "[ $rc = 0 ] || { cat '$T/dw.out'; exit 1; }"
during=$(a "SELECT count(*) FROM dw_log WHERE copied >= 0 AND copied < $N")
echo "  dual-writes while the copy ran: $during of $(a "SELECT count(*) FROM dw_log")"
check "  … many of its writes came while the copy ran (checkpoint short of $N)" test "$during" -ge 20
check "compare finds nothing divergent" expect_exit 0 "$CUTOVER" compare "$RB"
check "  … with every row of old in new" contains "$T/.last" "0 divergent"
older=$(a "SELECT count(*) FROM (SELECT id, max(v) v FROM dw_log GROUP BY id) l
  LEFT JOIN orders o USING (id) WHERE o.id IS NULL OR o.updated_at < l.v")
check "no row of new is older than what the dual-writer put there (or missing)" test "$older" = 0
check "  … and new holds each row once, as many as old" \
  test "$(a "SELECT count(*) FROM orders")" = "$(a "SELECT count(*) FROM orders_legacy")"
echo "  whole suite's work: $(( $(now_ms) - started )) ms"
finish
