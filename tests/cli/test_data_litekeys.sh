#!/bin/bash
# test_data_litekeys.sh — an SQLite old's keys into PostgreSQL, whatever
# SQLite stores in them: a key column with no declared type holds integers
# (and, mixed in, text: SQLite sorts every integer before any text), and
# the backfill's checkpoint, kept as text in new, must still resume after
# the right row — every row copied once, the count exact, across batches,
# across kill -9. And a NULL in old's key (SQLite allows it outside an
# INTEGER PRIMARY KEY) is refused in words, not copied as "done" with
# rows left behind; a key PostgreSQL's old holds twice is said as such.
. tests/lib.sh
. tests/data/pg.sh
pg_shop A
p() { pgq "$A_PORT" shop "$1"; }
runbook() {  # FILE OLD-DB OLD-TABLE NEW-TABLE
  cat >"$1" <<MD
# SQLite keys

## Roles
- commander: Ana

## Systems
- old: sqlite \`$2\` table \`$3\`
- new: postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\` table \`$4\`

## Mapping
- key \`k\`

## Phase 2: Backfill {readonly}
- [ ] commander: copy \`backfill\`
MD
}

# --- a key column with no declared type, holding integers ----------------------
sql "$T/untyped.db" "CREATE TABLE src (k PRIMARY KEY, v TEXT);
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100)
  INSERT INTO src SELECT i, 'v' || i FROM s"
p "CREATE TABLE dst (k bigint PRIMARY KEY, v text)" >/dev/null
runbook "$T/untyped.md" "$T/untyped.db" src dst
check "untyped integer keys, batches of 10: backfill exits 0" \
  expect_exit 0 "$CUTOVER" backfill "$T/untyped.md" --batch 10
check "  … every row is in new" test "$(p 'SELECT count(*) FROM dst')" = 100
check "  … and it says so" contains "$T/.last" "done, 100 rows copied"
check "  … the checkpoint counts each once" test "$(p 'SELECT rows FROM cutover_backfill')" = 100

# --- integers and text mixed in one untyped key -------------------------------
sql "$T/mixed.db" "CREATE TABLE src (k PRIMARY KEY, v TEXT);
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 300)
  INSERT INTO src SELECT i, 'int' FROM s;
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100)
  INSERT INTO src SELECT 't' || i, 'text' FROM s;
  WITH RECURSIVE s(i) AS (SELECT 1001 UNION ALL SELECT i + 1 FROM s WHERE i < 1050)
  INSERT INTO src SELECT CAST(i AS TEXT), 'digits' FROM s"
p "CREATE TABLE mixed (k text PRIMARY KEY, v text)" >/dev/null
runbook "$T/mixed.md" "$T/mixed.db" src mixed
check "integers, then text, then digits as text: backfill exits 0" \
  expect_exit 0 "$CUTOVER" backfill "$T/mixed.md" --batch 7
check "  … every row is in new" test "$(p 'SELECT count(*) FROM mixed')" = 450
check "  … each with its own value" \
  test "$(p "SELECT count(*) FROM mixed WHERE (v = 'int') = (k ~ '^[0-9]+\$' AND k::int <= 300)")" = 450
check "  … the checkpoint counts each once" test "$(p "SELECT rows FROM cutover_backfill WHERE job = 'backfill:mixed'")" = 450

# --- resumed from new's checkpoint after kill -9 ---------------------------------
p "DELETE FROM mixed; DELETE FROM cutover_backfill" >/dev/null
for cut in 1 2 3; do
  "$CUTOVER" backfill "$T/mixed.md" --batch 7 --rate 200 >"$T/bf$cut.out" 2>&1 &
  pid=$!
  target=$((cut * 120))
  check "a paced copy reaches $target rows" \
    wait_for 60 bash -c "[ \"\$(psql -X -h 127.0.0.1 -p $A_PORT -U postgres -d shop -Atc \"SELECT coalesce(max(rows), 0) FROM cutover_backfill\")\" -ge $target ]"
  kill -9 $pid; wait $pid 2>/dev/null
done
check "run again after three kill -9: it finishes" expect_exit 0 "$CUTOVER" backfill "$T/mixed.md" --batch 50
check "  … every row is in new, once" test "$(p 'SELECT count(*) FROM mixed')" = 450
check "  … the checkpoint counts each once" test "$(p "SELECT rows FROM cutover_backfill WHERE job = 'backfill:mixed'")" = 450

# --- a NULL in old's key ----------------------------------------------------------
sql "$T/nulls.db" "CREATE TABLE src (k TEXT PRIMARY KEY, v TEXT);
  INSERT INTO src VALUES (NULL, 'x'), (NULL, 'y'), ('a', 'a'), ('b', 'b'), ('c', 'c')"
p "CREATE TABLE nulls (k text PRIMARY KEY, v text)" >/dev/null
runbook "$T/nulls.md" "$T/nulls.db" src nulls
check "a NULL in old's key: backfill refuses (exit 1)" expect_exit 1 "$CUTOVER" backfill "$T/nulls.md" --batch 2
check "  … naming the column and how many rows" contains "$T/.last" "2 rows of old have no key (\`k\` is NULL)"
check "  … and copies nothing" test "$(p 'SELECT count(*) FROM nulls')" = 0
check "compare refuses it too" expect_exit 1 "$CUTOVER" compare "$T/nulls.md"
check "  … in the same words" contains "$T/.last" "2 rows of old have no key (\`k\` is NULL)"
# --- a key old holds twice (PostgreSQL, no primary key) ------------------------
p "CREATE TABLE twice_old (k bigint, v text); INSERT INTO twice_old VALUES (1, 'a'), (2, 'b'), (2, 'c'), (3, 'd');
   CREATE TABLE twice (k bigint PRIMARY KEY, v text)" >/dev/null
sed -e "s|^- old: .*|- old: postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\` table \`twice_old\`|" \
    -e 's|table `nulls`|table `twice`|' "$T/nulls.md" >"$T/twice.md"
check "a key old holds twice: backfill stops (exit 1)" expect_exit 1 "$CUTOVER" backfill "$T/twice.md"
check "  … saying that old's key is not unique" contains "$T/.last" "old holds more than one row with one key"
finish
