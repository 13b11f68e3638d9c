#!/bin/bash
# test_compare_keyorder.sh — compare cuts key ranges on one side and checks
# the same ranges on the other, so a key that orders as a number on one
# side and as text on the other (bigint 10 after 9, text '10' before '9')
# put the same rows in other ranges: 2,000 identical rows came out as
# 15,980 divergences. Such a key is refused in words, journaled, before
# the comparison begins; keys that order alike (int and bigint, text in
# any collation of PostgreSQL) compare as before; an SQLite key declared
# with a collation other than BINARY (NOCASE) is refused too.
. tests/lib.sh
. tests/data/pg.sh
pg_shop A
p() { pgq "$A_PORT" shop "$1"; }
PG="postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\`"
runbook() {  # FILE OLD-SYSTEM NEW-SYSTEM
  printf '# Key order\n\n## Roles\n- commander: Ana\n\n## Systems\n- old: %s\n- new: %s\n\n## Mapping\n- key `k`\n\n## Phase 2: Backfill {readonly}\n- [ ] commander: copy `backfill`\n' \
    "$2" "$3" >"$1"
}
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
finish
