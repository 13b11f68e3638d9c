#!/bin/bash
# test_compare_postgres_more.sh — compare on a real PostgreSQL 15 (two
# throwaway clusters), beyond test_data_postgres.sh: the canonical text's
# edge cases the same in PostgreSQL's SQL, in C and in SQLite (floats with
# exponents, bytea, fractions finer than a microsecond, impossible dates
# kept as text); keys that are not integers (text with commas, uuid, a
# composite) across two servers, a text-keyed comparison killed with -9
# and resumed to the same result; a float against a numeric; SQLite ↔
# PostgreSQL with blobs, exponents, 7-digit fractions and an impossible
# date, equal by checksums alone, and the divergences among them named;
# the typed row hashes' meaning of equal, values swapped between rows, one
# row in ten divergent read alone; and a sample on PostgreSQL finding a
# planted rate within its interval.
. tests/lib.sh
. tests/data/pg.sh
if [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
  apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 >/dev/null 2>&1 ||
    { echo "FAIL postgresql-15 is not installed (scripts/deps.sh test)"; echo "0 passed, 1 failed"; exit 1; }
fi
need build/tools/pgcanon >/dev/null || exit 1
pg_start A || { echo "0 passed, 1 failed"; exit 1; }
pg_start B || { echo "0 passed, 1 failed"; exit 1; }
pgq "$A_PORT" postgres "CREATE DATABASE one" && pgq "$B_PORT" postgres "CREATE DATABASE two"
a() { pgq "$A_PORT" one "$1"; }
b() { pgq "$B_PORT" two "$1"; }

# --- the canonical text's edge cases, on the three sides --------------------
cat >"$T/cases" <<'CASES'
# floats with exponents: by value, as a plain decimal
1e20::float8 -- sqlite: 1e20
1.5e-7::float8 -- sqlite: 1.5e-7
100000000000000000000::numeric -- sqlite: 1e20
0.30000000000000004::float8 -- sqlite: 0.1 + 0.2
-2.5e-3::float4 -- sqlite: -0.0025
'Infinity'::float8 -- sqlite: 1e999
# bytea and blobs: their bytes
'\x00ff10'::bytea -- sqlite: x'00ff10'
''::bytea -- sqlite: x''
# fractions finer than a microsecond: rounded as PostgreSQL rounds them
'2024-01-01 10:00:00.1234567+00'::timestamptz -- sqlite: '2024-01-01 10:00:00.1234567'
'2024-01-01 10:00:00.9999996+00'::timestamptz -- sqlite: '2024-01-01T10:00:00.9999996Z'
'2024-01-01 10:00:00.1234565'::text -- sqlite: '2024-01-01 10:00:00.1234565'
# impossible dates stay text (a value), never an instant, never an error
'2024-02-30 10:00:00'::text -- sqlite: '2024-02-30 10:00:00'
'2023-02-29 10:00'::text -- sqlite: '2023-02-29 10:00'
'2024-13-01 10:00'::text -- sqlite: '2024-13-01 10:00'
'2024-01-01 24:30:00'::text -- sqlite: '2024-01-01 24:30:00'
'2024-01-01 10:00:61'::text -- sqlite: '2024-01-01 10:00:61'
'0000-01-01 10:00'::text -- sqlite: '0000-01-01 10:00'
# … and the possible ones are instants
'2024-02-29 10:00'::text -- sqlite: '2024-02-29T10:00Z'
'2024-01-01 24:00:00'::text -- sqlite: '2024-01-02 00:00:00'
# a uuid is its text
'0b9f1a52-3c1d-4e1b-9a6f-1f2e3d4c5b6a'::uuid -- sqlite: '0b9f1a52-3c1d-4e1b-9a6f-1f2e3d4c5b6a'
CASES
check "edge cases: the same canonical text in PostgreSQL, in C and in SQLite" \
  build/tools/pgcanon "host=127.0.0.1 port=$A_PORT user=postgres dbname=postgres" <"$T/cases"
grep DIFFERENT "$T/.out"
printf '%s\n' "'2024-02-30 10:00:00'::text -- sqlite: '2024-03-01 10:00:00'" \
  "'\\x00ff'::bytea -- sqlite: x'00fe'" "1e20::float8 -- sqlite: 1.0000000000000001e20" \
  "'2024-01-01 10:00:00.1234567+00'::timestamptz -- sqlite: '2024-01-01 10:00:00.123456'" >"$T/unequal"
check "  … and different where the values differ (an impossible date is not the next day)" \
  expect_exit 1 build/tools/pgcanon "host=127.0.0.1 port=$A_PORT user=postgres dbname=postgres" <"$T/unequal"
check "  … all four" test "$(grep -c DIFFERENT "$T/.last")" = 4

# rb NAME OLD-PORT OLD-DB OLD-TABLE NEW-PORT NEW-DB NEW-TABLE KEY: a runbook.
rb() {
  cat >"$T/$1.md" <<MD
# $1

## Roles
- commander: Ana

## Systems
- old: postgres \`host=127.0.0.1 port=$2 dbname=$3 user=postgres\` table \`$4\`
- new: postgres \`host=127.0.0.1 port=$5 dbname=$6 user=postgres\` table \`$7\`

## Mapping
- key \`$8\`

## Phase 1: Compare {readonly}
- [ ] commander: compare \`compare\`
MD
}

# --- keys that are not integers, across two servers -----------------------
for db in "$A_PORT one" "$B_PORT two"; do
  set -- $db
  pgq "$1" "$2" "CREATE TABLE tk (k text PRIMARY KEY, v text, f float8, n numeric);
    INSERT INTO tk SELECT 'k,' || lpad(i::text, 5, '0') || CASE WHEN i % 7 = 0 THEN ',é' ELSE '' END,
      'v' || i, i * 1.5e-3, i FROM generate_series(1, 6000) i;
    CREATE TABLE uk (id uuid PRIMARY KEY, v int);
    INSERT INTO uk SELECT md5(i::text)::uuid, i FROM generate_series(1, 5000) i;
    CREATE TABLE ck (region text, n int, v text, PRIMARY KEY (region, n));
    INSERT INTO ck SELECT (ARRAY['eu', 'EU', 'us', 'a,b'])[i % 4 + 1], i, 'v' || i FROM generate_series(1, 4000) i"
done
# float8 in old, numeric in new: equal by value (a mapping casts nothing)
b "ALTER TABLE tk ALTER COLUMN f TYPE numeric USING f::text::numeric"
rb tk "$A_PORT" one tk "$B_PORT" two tk k
rb uk "$A_PORT" one uk "$B_PORT" two uk id
rb ck "$A_PORT" one ck "$B_PORT" two ck "region, n"
check "text keys with commas in them, a float against a numeric: equal" expect_exit 0 "$CUTOVER" compare "$T/tk.md"
check "  … by checksums alone" contains "$T/.last" "6000 rows in old, 6000 in new, 0 divergent (12 ranges checked, 0 rows fetched)"
check "uuid keys: equal, by checksums alone" expect_exit 0 "$CUTOVER" compare "$T/uk.md"
check "  … (the summary)" contains "$T/.last" "5000 rows in old, 5000 in new, 0 divergent (10 ranges checked, 0 rows fetched)"
check "a composite key with text: equal, by checksums alone" expect_exit 0 "$CUTOVER" compare "$T/ck.md"
check "  … (the summary)" contains "$T/.last" "4000 rows in old, 4000 in new, 0 divergent (8 ranges checked, 0 rows fetched)"
b "DELETE FROM tk WHERE k = 'k,00700,é'; UPDATE tk SET v = 'changed' WHERE k = 'k,04321';
   UPDATE tk SET f = 7.51 WHERE k = 'k,05000'"
b "DELETE FROM uk WHERE v = 77; UPDATE uk SET v = -1 WHERE v = 4999"
b "UPDATE ck SET v = 'w' WHERE region = 'a,b' AND n = 3003"
check "divergences under text keys are found" expect_exit 3 "$CUTOVER" compare "$T/tk.md"
check "  … the missing one, named by its key" contains "$T/.last" "key k,00700,é: missing-in-new"
check "  … the changed one" contains "$T/.last" 'key k,04321: value v: "v4321" → "changed"'
check "  … a float 7.5 against a numeric 7.51: precision" contains "$T/.last" "key k,05000: numeric-precision"
check "  … nothing else" contains "$T/.last" "3 divergent"
check "under uuid keys" expect_exit 3 "$CUTOVER" compare "$T/uk.md" --format json
check "  … both" test "$(grep -c '"cause"' "$T/.last")" = 2
check "  … the missing one by its uuid" contains "$T/.last" "{\"key\":\"$(a "SELECT id FROM uk WHERE v = 77")\",\"cause\":\"missing-in-new\""
check "under a composite key with a comma in it" expect_exit 3 "$CUTOVER" compare "$T/ck.md"
check "  … named by both parts" contains "$T/.last" 'key a,b,3003: value v: "v3003" → "w"'

# kill -9 a text-keyed comparison after its first checkpoint; the run after
# resumes after that key (a key with a comma: the checkpoint keeps it typed).
J=$T/tk.journal REF=$T/tkref.journal
"$CUTOVER" compare "$T/tk.md" --journal "$REF" >/dev/null 2>&1
ckpts() { sql "$J" "SELECT count(*) FROM events WHERE kind = 'compare_progress'" 2>/dev/null || echo 0; }
has_ckpt() { [ "$(ckpts)" -gt 0 ]; }
"$CUTOVER" compare "$T/tk.md" --journal "$J" --rate 2000 >"$T/k.out" 2>&1 &
pid=$!
check "a paced text-keyed comparison journals a checkpoint" wait_for 60 has_ckpt
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
check "  … killed, then run again it resumes after it" expect_exit 3 "$CUTOVER" compare "$T/tk.md" --journal "$J"
check "  … (it says so)" contains "$T/.last" "resuming compare:tk after key k,0"
pairs() { sql "$1" "SELECT json_extract(body, '\$.key') || ' ' || json_extract(body, '\$.cause') FROM events WHERE kind = 'divergence' ORDER BY 1"; }
check "  … the same divergences as one whole run, none twice" diff <(pairs "$REF") <(pairs "$J")
check "  … the same counts" test "$(sql "$J" "SELECT json_extract(body, '\$.divergent') || '/' || json_extract(body, '\$.rows_old') FROM events WHERE kind = 'compare' ORDER BY seq DESC LIMIT 1")" = "3/6000"

# --- SQLite ↔ PostgreSQL: blobs, exponents, fine fractions, a bad date ----
sqlite3 "$T/edge.db" "CREATE TABLE e (id INTEGER PRIMARY KEY, f REAL, b BLOB, ts TEXT, bad TEXT);
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
  INSERT INTO e SELECT i, i * 1e17, CAST(x'00ff' || i AS BLOB),
    strftime('%Y-%m-%d %H:%M:%S', 1700000000 + i, 'unixepoch') || '.1234567',
    '2024-02-30 10:00:00' FROM s"
sqlite3 -csv "$T/edge.db" "SELECT id, f, '\\x' || hex(b), ts || '+00', bad FROM e" >"$T/edge.csv"
a "CREATE TABLE e (id bigint PRIMARY KEY, f float8, b bytea, ts timestamptz, bad text)"
pgq "$A_PORT" one "\\copy e FROM '$T/edge.csv' CSV"
cat >"$T/edge.md" <<MD
# edge

## Roles
- commander: Ana

## Systems
- old: sqlite \`$T/edge.db\` table \`e\`
- new: postgres \`host=127.0.0.1 port=$A_PORT dbname=one user=postgres\` table \`e\`

## Mapping
- key \`id\`

## Phase 1: Compare {readonly}
- [ ] commander: compare \`compare\`
MD
check "SQLite → PostgreSQL: blobs, 1e20-style reals, 7-digit fractions, an impossible date: equal" \
  expect_exit 0 "$CUTOVER" compare "$T/edge.md"
check "  … by checksums alone" contains "$T/.last" "3000 rows in old, 3000 in new, 0 divergent (6 ranges checked, 0 rows fetched)"
a "UPDATE e SET b = '\\x00fe'::bytea || b WHERE id = 11; UPDATE e SET ts = ts + interval '1 microsecond' WHERE id = 22;
   UPDATE e SET bad = '2024-03-01 10:00:00' WHERE id = 33"
check "  … and where they differ, named divergences" expect_exit 3 "$CUTOVER" compare "$T/edge.md"
check "  … the bytes" contains "$T/.last" "key 11: value b:"
check "  … a microsecond" contains "$T/.last" "key 22: value ts:"
check "  … an impossible date is not the next day" contains "$T/.last" 'key 33: value bad: "2024-02-30 10:00:00" → "2024-03-01 10:00:00"'
check "  … nothing else" contains "$T/.last" "3 divergent"

# --- the typed row hashes (PostgreSQL on both sides) -------------------------
# int against bigint, numeric scales, json against jsonb (order, spacing),
# timestamp against timestamptz: equal by their types' own hashes, with no
# row read; values swapped between two rows of one range are seen (the
# hash of a row is not a sum of its values' hashes); and when one row in
# ten differs, only the differing rows are read whole.
a "CREATE TABLE sw (id int PRIMARY KEY, a text, n numeric, j json, t timestamp);
   INSERT INTO sw SELECT i, 'a' || i, i * 1.1, ('{\"y\": ' || i || ',  \"x\": [1, 2.50]}')::json,
     '2024-01-01 00:00:00'::timestamp + i * interval '1 minute' FROM generate_series(1, 5000) i"
b "CREATE TABLE sw (id bigint PRIMARY KEY, a text, n numeric(10,2), j jsonb, t timestamptz);
   INSERT INTO sw SELECT i, 'a' || i, i * 1.1, ('{\"x\":[1,2.5],\"y\":' || i || '}')::jsonb,
     '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 minute' FROM generate_series(1, 5000) i"
rb sw "$A_PORT" one sw "$B_PORT" two sw id
check "typed hashes: int/bigint, numeric scales, json/jsonb, timestamp/timestamptz equal" \
  expect_exit 0 "$CUTOVER" compare "$T/sw.md"
check "  … by checksums alone" contains "$T/.last" "5000 rows in old, 5000 in new, 0 divergent (10 ranges checked, 0 rows fetched)"
b "UPDATE sw SET a = CASE id WHEN 10 THEN 'a11' ELSE 'a10' END WHERE id IN (10, 11)"
check "two values swapped between rows of one range: both found" expect_exit 3 "$CUTOVER" compare "$T/sw.md"
check "  … as values" contains "$T/.last" 'key 10: value a: "a10" → "a11"'
check "  … nothing else" contains "$T/.last" "2 divergent"
b "UPDATE sw SET a = a || '!' WHERE id % 10 = 5"
check "one row in ten differs: every one found" expect_exit 3 "$CUTOVER" compare "$T/sw.md"
check "  … and only those rows read whole" contains "$T/.last" "502 divergent (10 ranges checked, 1004 rows fetched)"

# --- a sample on PostgreSQL --------------------------------------------------
a "CREATE TABLE s (id int PRIMARY KEY, v text); INSERT INTO s SELECT i, 'v' || i FROM generate_series(1, 40000) i"
b "CREATE TABLE s (id int PRIMARY KEY, v text); INSERT INTO s SELECT i, CASE WHEN i % 20 = 3 THEN 'x' ELSE 'v' || i END FROM generate_series(1, 40000) i"
rb s "$A_PORT" one s "$B_PORT" two s id
inside=0
for i in 1 2 3 4 5; do
  "$CUTOVER" compare "$T/s.md" --sample 800 >"$T/s$i.out" 2>&1
  sed -n 's/.*(95% Wilson interval \([0-9.]*\)% – \([0-9.]*\)%).*/\1 \2/p' "$T/s$i.out" >"$T/ci"
  read -r lo hi <"$T/ci"
  echo "sample $i: $(tail -1 "$T/s$i.out")"
  awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo <= 5 && 5 <= hi) }' && inside=$((inside + 1))
done
check "a sample on PostgreSQL: 5 % planted, its 95 % interval holds it (at least 3 of 5)" test $inside -ge 3
finish
