#!/bin/bash
# test_compare_keyorder.sh — compare cuts key ranges on one side and checks
# the same ranges on the other, so a key that orders as a number on one
# side and as text on the other (bigint 10 after 9, text '10' before '9')
# put the same rows in other ranges: 2,000 identical rows came out as
# 15,980 divergences. Such a key is refused in words, journaled, before
# the comparison begins; keys that order alike (int and bigint, text in
# any collation of PostgreSQL) compare as before; an SQLite key declared
# with a collation other than BINARY (NOCASE) is refused too; an SQLite
# key orders by what it holds: one with no declared type holding integers
# is a number (refused against a text key), one holding both numbers and
# text matches only another such mix. A numeric key (PostgreSQL's numeric,
# an Oracle NUMBER's usual landing) orders as a number when the rows of a
# differing range are merged, as the databases order it: read as text, 9
# came after 10, and one missing row and one changed value among 20 came
# out as 23 divergences (12 missing, 11 extra); into SQLite, whose NUMERIC
# column holds integers and reals, 3 came out as 5 (rows reported twice);
# bigint against numeric(20), one missing row came out as 39.
. tests/lib.sh
. tests/data/pg.sh
pg_shop A
p() { pgq "$A_PORT" shop "$1"; }
PG="postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\`"
runbook() { key_runbook "$1" "Key order" "$2" "$3"; }  # FILE OLD-SYSTEM NEW-SYSTEM
p "CREATE TABLE src (k bigint PRIMARY KEY, v text);
   INSERT INTO src SELECT g, 'v' || g FROM generate_series(1, 2000) g;
   CREATE TABLE as_text (k text PRIMARY KEY, v text); CREATE TABLE as_int (k integer PRIMARY KEY, v text)" >/dev/null
runbook "$T/text.md" "$PG table \`src\`" "$PG table \`as_text\`"
runbook "$T/int.md" "$PG table \`src\`" "$PG table \`as_int\`"
check "backfill copies a bigint key into a text one" expect_exit 0 "$CUTOVER" backfill "$T/text.md"
check "compare of those refuses (exit 1) rather than call every row divergent" \
  expect_exit 1 "$CUTOVER" compare "$T/text.md" --journal "$T/j"
check "  … saying why" contains "$T/.last" "the key \`k\` orders as a number in old (bigint) and as text in new (text)"
check "  … journaled as the comparison's failure" \
  test "$(sql "$T/j" "SELECT count(*) FROM events WHERE kind = 'data_failed' AND json_extract(body, '\$.why') LIKE '%orders as a number in old%'")" = 1
check "bigint into integer orders alike: backfill" expect_exit 0 "$CUTOVER" backfill "$T/int.md"
check "  … and compare finds them the same" expect_exit 0 "$CUTOVER" compare "$T/int.md"

# SQLite: the declared type's affinity decides
sql "$T/old.db" "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (9, 'a'), (10, 'b')"
sql "$T/new.db" "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('9', 'a'), ('10', 'b')"
sql "$T/new2.db" "CREATE TABLE t (k BIGINT PRIMARY KEY, v TEXT); INSERT INTO t VALUES (9, 'a'), (10, 'b')"
runbook "$T/lite.md" "sqlite \`$T/old.db\` table \`t\`" "sqlite \`$T/new.db\` table \`t\`"
runbook "$T/lite2.md" "sqlite \`$T/old.db\` table \`t\`" "sqlite \`$T/new2.db\` table \`t\`"
check "SQLite INTEGER against TEXT: refused" expect_exit 1 "$CUTOVER" compare "$T/lite.md"
check "  … saying why" contains "$T/.last" "orders as a number in old (INTEGER) and as text in new (TEXT)"
check "SQLite INTEGER against BIGINT: compared, the same" expect_exit 0 "$CUTOVER" compare "$T/lite2.md"
# an SQLite key declared COLLATE NOCASE: its index orders 'B' beside 'b'
sql "$T/nc_old.db" "CREATE TABLE t (k TEXT COLLATE NOCASE PRIMARY KEY, v TEXT);
  INSERT INTO t VALUES ('a1', 'x'), ('B2', 'y'), ('c3', 'z')"
sql "$T/nc_new.db" "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT);
  INSERT INTO t VALUES ('a1', 'x'), ('B2', 'y'), ('c3', 'z')"
runbook "$T/nocase.md" "sqlite \`$T/nc_old.db\` table \`t\`" "sqlite \`$T/nc_new.db\` table \`t\`"
check "SQLite key COLLATE NOCASE: compare refuses" expect_exit 1 "$CUTOVER" compare "$T/nocase.md"
check "  … naming the collation and the side" contains "$T/.last" "the key \`k\` sorts by SQLite's collation NOCASE in old"
check "  … backfill copies it all the same" expect_exit 0 "$CUTOVER" backfill "$T/nocase.md"
# an SQLite key with no declared type orders by what it holds: integers
# sort as numbers, against a PostgreSQL text key every integer came out
# extra-in-new
sql "$T/untyped.db" "CREATE TABLE t (k PRIMARY KEY, v TEXT);
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 300)
  INSERT INTO t SELECT i, 'v' || i FROM s"
p "CREATE TABLE lt_text (k text PRIMARY KEY, v text); CREATE TABLE lt_int (k bigint PRIMARY KEY, v text)" >/dev/null
runbook "$T/untyped_text.md" "sqlite \`$T/untyped.db\` table \`t\`" "$PG table \`lt_text\`"
runbook "$T/untyped_int.md" "sqlite \`$T/untyped.db\` table \`t\`" "$PG table \`lt_int\`"
check "untyped SQLite key of integers into a text key: backfill copies" expect_exit 0 "$CUTOVER" backfill "$T/untyped_text.md"
check "  … compare refuses rather than call rows extra" expect_exit 1 "$CUTOVER" compare "$T/untyped_text.md"
check "  … saying what the key holds" contains "$T/.last" \
  "orders as a number in old (no declared type, holding numbers) and as text in new (text)"
check "untyped SQLite key of integers into bigint: backfill" expect_exit 0 "$CUTOVER" backfill "$T/untyped_int.md"
check "  … and compare finds them the same" expect_exit 0 "$CUTOVER" compare "$T/untyped_int.md"
# text and integers in one untyped SQLite key: numbers sort before text there
sql "$T/mixed.db" "CREATE TABLE t (k PRIMARY KEY, v TEXT); INSERT INTO t VALUES (9, 'a'), ('10', 'b'), ('x', 'c')"
sql "$T/mixed2.db" "CREATE TABLE t (k PRIMARY KEY, v TEXT); INSERT INTO t VALUES (9, 'a'), ('10', 'b'), ('x', 'c')"
sql "$T/mixed_text.db" "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)"
runbook "$T/mixed.md" "sqlite \`$T/mixed.db\` table \`t\`" "sqlite \`$T/mixed_text.db\` table \`t\`"
runbook "$T/mixed2.md" "sqlite \`$T/mixed.db\` table \`t\`" "sqlite \`$T/mixed2.db\` table \`t\`"
check "untyped key holding numbers and text into a TEXT key: backfill" expect_exit 0 "$CUTOVER" backfill "$T/mixed.md"
check "  … compare refuses" expect_exit 1 "$CUTOVER" compare "$T/mixed.md"
check "  … saying so" contains "$T/.last" "orders as numbers before text in old (no declared type, holding numbers and text)"
check "two untyped keys holding the same mix order alike: compared, the same" expect_exit 0 "$CUTOVER" compare "$T/mixed2.md"
# numeric keys: merged by value, not by their text
p "CREATE TABLE nk_old (k numeric PRIMARY KEY, v text); CREATE TABLE nk_new (k numeric PRIMARY KEY, v text);
   INSERT INTO nk_old SELECT g, 'v' || g FROM generate_series(1, 20) g;
   INSERT INTO nk_new SELECT g, 'v' || g FROM generate_series(1, 20) g WHERE g <> 9;
   UPDATE nk_new SET v = 'x' WHERE k = 15;
   CREATE TABLE nf_old (k numeric PRIMARY KEY, v text);
   INSERT INTO nf_old SELECT g / 2.0, 'v' || g FROM generate_series(-30, 30) g" >/dev/null
runbook "$T/numeric.md" "$PG table \`nk_old\`" "$PG table \`nk_new\`"
check "numeric keys on both sides, a row missing and a value changed: exit 3" \
  expect_exit 3 "$CUTOVER" compare "$T/numeric.md" --format json
check "  … exactly those 2: 9 missing, 15 a value" \
  test "$(grep -c '"cause"' "$T/.last") $(grep -o '"key":"[0-9]*","cause":"[a-z-]*"' "$T/.last" | sort | tr '\n' ' ')" = \
  '2 "key":"15","cause":"value" "key":"9","cause":"missing-in-new" '
check "  … the summary counts 2" contains "$T/.last" '"divergent":2,"by_cause":{"missing-in-new":1,"value":1}'
p "CREATE TABLE bn_new (k numeric(20) PRIMARY KEY, v text);
   INSERT INTO bn_new SELECT k::numeric, v FROM nk_old WHERE k <> 9" >/dev/null
runbook "$T/bigint_numeric.md" "$PG table \`src\`" "$PG table \`bn_new\`"
p "TRUNCATE src; INSERT INTO src SELECT g, 'v' || g FROM generate_series(1, 20) g" >/dev/null
check "bigint into numeric(20), one row missing: exit 3" \
  expect_exit 3 "$CUTOVER" compare "$T/bigint_numeric.md" --format json
check "  … that one only (it was 39: 20 missing, 19 extra)" \
  contains "$T/.last" '"divergent":1,"by_cause":{"missing-in-new":1}'
sql "$T/nf.db" "CREATE TABLE t (k NUMERIC PRIMARY KEY, v TEXT)"
runbook "$T/numeric_lite.md" "$PG table \`nf_old\`" "sqlite \`$T/nf.db\` table \`t\`"
check "numeric keys with fractions into SQLite NUMERIC (integers and reals): backfill" \
  expect_exit 0 "$CUTOVER" backfill "$T/numeric_lite.md"
check "  … compare finds them the same" expect_exit 0 "$CUTOVER" compare "$T/numeric_lite.md"
sql "$T/nf.db" "DELETE FROM t WHERE k = 4.5; UPDATE t SET v = 'x' WHERE k = 10; UPDATE t SET v = 'y' WHERE k = -0.5"
check "  … a row missing and two changed: exit 3" \
  expect_exit 3 "$CUTOVER" compare "$T/numeric_lite.md" --format json
check "  … 3 divergences, each once" test "$(grep -c '"cause"' "$T/.last")" = 3
check "  … counted 3" contains "$T/.last" '"divergent":3,"by_cause":{"missing-in-new":1,"value":2}'
finish
