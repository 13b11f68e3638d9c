#!/bin/bash
# test_data_pgcollate.sh — one PostgreSQL database, a text key in another
# collation on each side (ICU's und in old, "C" in new): old orders 'a'
# before 'B', new 'B' before 'a'. The batch's last key, read back in new's
# order, was not old's last, so a batch began again inside the one before:
# here 2,001 rows counted for 2,000 (2,510 in a tester's run; the data
# itself was right). The binary stream reads the last key off old's own
# rows, so a column (int into bigint) keeps this copy on INSERT … SELECT.
# Keys whose type or collation differ are taken as unlike: each batch's
# range is found in old's order first. The count is exact, every row
# copied once, and compare finds the two the same.
. tests/lib.sh
. tests/data/pg.sh
pg_shop A
p() { pgq "$A_PORT" shop "$1"; }
N=2000
p "CREATE TABLE src (k text COLLATE \"und-x-icu\" PRIMARY KEY, v text, n int);
   INSERT INTO src SELECT CASE WHEN g % 2 = 0 THEN upper(substr(md5(g::text), 1, 6)) ELSE substr(md5(g::text), 1, 6) END || g,
     'v' || g, g FROM generate_series(1, $N) g;
   CREATE TABLE dst (k text COLLATE \"C\" PRIMARY KEY, v text, n bigint);
   INSERT INTO dst SELECT k, v, n FROM src WHERE v IN ('v7', 'v500', 'v1001', 'v1600')" >/dev/null
cat >"$T/rb.md" <<MD
# Collations

## Roles
- commander: Ana

## Systems
- old: postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\` table \`src\`
- new: postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\` table \`dst\`

## Mapping
- key \`k\`

## Phase 2: Backfill {readonly}
- [ ] commander: copy \`backfill\`
MD
check "the orders differ (the test's premise)" \
  test "$(p "SELECT (SELECT string_agg(k, ',' ORDER BY k)::bytea FROM src) <> (SELECT string_agg(k, ',' ORDER BY k COLLATE \"C\")::bytea FROM src)")" = t
check "backfill in batches of 100 in one database" expect_exit 0 "$CUTOVER" backfill "$T/rb.md" --batch 100 --rate 1000000
check "  … every row copied once" test "$(p 'SELECT count(*) FROM dst')" = $N
check "  … says $N rows copied, not more" contains "$T/.last" "done, $N rows copied"
check "  … its checkpoint's count exact" test "$(p "SELECT rows || ' ' || done FROM cutover_backfill")" = "$N 1"
check "compare finds them the same" expect_exit 0 "$CUTOVER" compare "$T/rb.md"
finish
