#!/bin/bash
# test_data_postgres.sh — the data engine on a real PostgreSQL 15 (two
# throwaway clusters, started as the postgres account in a temporary
# directory): backfill of 100,000 rows PostgreSQL → PostgreSQL in one
# database (INSERT … SELECT) and across two servers (COPY through a staging
# table) with a mapping that renames, casts, defaults and excludes; kill -9
# at random moments of both, each resumed, nothing missing or duplicated;
# compare with one planted divergence of every cause among equal-by-meaning
# traps finds exactly the planted ones with their causes; and SQLite ↔
# PostgreSQL: equal rows have the same canonical text on both engines
# (identical checksums: not one row fetched), and backfill SQLite →
# PostgreSQL through COPY and PostgreSQL → SQLite (kill -9 and resume).
. tests/lib.sh
. tests/data/fixture.sh
. tests/data/pg.sh
if [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
  apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 >/dev/null 2>&1 ||
    { echo "FAIL postgresql-15 is not installed (scripts/deps.sh test)"; echo "0 passed, 1 failed"; exit 1; }
fi
need build/tools/pgcanon >/dev/null || exit 1
N=100000
pg_start A || { echo "0 passed, 1 failed"; exit 1; }
pg_start B || { echo "0 passed, 1 failed"; exit 1; }
pgq "$A_PORT" postgres "CREATE DATABASE shop" && pgq "$B_PORT" postgres "CREATE DATABASE shop2"
NEW_DDL="CREATE TABLE orders (id bigint PRIMARY KEY, customer text, total numeric(12,2), note text,
  created timestamptz, meta jsonb, updated_at timestamptz, currency text, legacy_flag int)"
# Old: the fixture's rows (tests/data/fixture.sh), typed as PostgreSQL
# would hold them: created as text, meta as json with spacing kept.
pgq "$A_PORT" shop "CREATE TABLE orders_legacy (id bigint PRIMARY KEY, customer_name text,
  total_cents bigint, note text, created text, meta json, updated_at timestamptz, legacy_flag int);
  INSERT INTO orders_legacy SELECT i, 'cust ' || (i % 997), i * 7,
    CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END,
    to_char(to_timestamp(1700000000 + i * 60) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
    ('{\"a\": ' || (i % 5) || ', \"b\": \"x\"}')::json, '2024-01-01 00:00:00+00', i % 2
  FROM generate_series(1, $N) i; $NEW_DDL" >/dev/null
pgq "$B_PORT" shop2 "$NEW_DDL" >/dev/null
a() { pgq "$A_PORT" shop "$1"; }
b() { pgq "$B_PORT" shop2 "$1"; }

# runbook NAME PORT DB: the mapping of the SQLite suites, old on A.
runbook() {
  cat >"$T/$1.md" <<MD
# Orders data on PostgreSQL

## Roles
- commander: Ana
- dba: Bo

## Systems
- old: postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\` table \`orders_legacy\`
- new: postgres \`host=127.0.0.1 port=$2 dbname=$3 user=postgres\` table \`orders\`

## Mapping
- key \`id\`
- version \`updated_at\`
- \`customer\` from \`customer_name\`
- \`total\` from \`total_cents / 100.0\`
- \`created\` from \`created::timestamptz\`
- \`currency\` default \`'EUR'\`
- exclude \`legacy_flag\`

## Phase 2: Backfill {readonly}
- [ ] dba: copy the history \`backfill\`
- [ ] dba: compare \`compare\`
MD
}
runbook same "$A_PORT" shop
runbook two "$B_PORT" shop2
J=$T/bf.journal

# --- the canonical text: the same in PostgreSQL's SQL, in C, and in SQLite --
# Each line: a PostgreSQL expression, and an SQLite one equal by meaning.
cat >"$T/cases" <<'CASES'
# numbers: by value, whatever the scale or type
1.10::numeric -- sqlite: 1.1
1.1::numeric -- sqlite: 11 / 10.0
0.70::numeric(12,2) -- sqlite: 70 / 100.0
-0.00::numeric -- sqlite: 0
42::bigint -- sqlite: 42
42::int2 -- sqlite: 42.0
'007'::text -- sqlite: '007'
'-12.500'::text -- sqlite: -12.5
0.1::float8 -- sqlite: 0.1
7::float8 -- sqlite: 7
'NaN'::numeric
true -- sqlite: 1
false -- sqlite: 0
# timestamps: as instants
'2024-01-01 10:00:00+02'::timestamptz -- sqlite: '2024-01-01 08:00:00'
'2024-01-01 08:00:00'::timestamp -- sqlite: '2024-01-01T08:00:00Z'
'2024-01-01T10:00:00+02:00'::text -- sqlite: '2024-01-01 08:00:00.000'
'2023-11-14 22:23:20.123456+00'::timestamptz -- sqlite: '2023-11-14T22:23:20.123456Z'
'2024-06-30'::date -- sqlite: '2024-06-30'
# JSON: keys in order, no spacing, numbers as cJSON prints them
'{"b": "x", "a": 1}'::jsonb -- sqlite: '{"a":1,"b":"x"}'
'{ "b":"x" ,  "a":1 }'::json -- sqlite: '{"a":1,"b":"x"}'
'{"z": {"y": [1, 2.50, "q"], "x": null}, "a": true}'::jsonb -- sqlite: '{"a":true,"z":{"x":null,"y":[1,2.5,"q"]}}'
'[3, {"b": 1, "a": 2}]'::jsonb -- sqlite: '[3,{"a":2,"b":1}]'
'{"s": "tab\there \"q\" é"}'::jsonb -- sqlite: '{"s":"tab\there \"q\" é"}'
'{"big": 12345678901, "f": 1e-7, "e": 1.5e2}'::jsonb -- sqlite: '{"big":12345678901,"e":150,"f":1e-07}'
'{"b":1,"a":2}'::text -- sqlite: '{ "a": 2, "b": 1 }'
'{not json'::text -- sqlite: '{not json'
'"just a string"'::jsonb
# text stays text
'café'::text -- sqlite: 'café'
'  two  spaces '::varchar -- sqlite: '  two  spaces '
''::text -- sqlite: ''
NULL::text -- sqlite: NULL
NULL::numeric -- sqlite: NULL
NULL::jsonb -- sqlite: NULL
NULL::timestamptz -- sqlite: NULL
CASES
check "the canonical text is the same in PostgreSQL, in C and in SQLite for equal values" \
  build/tools/pgcanon "host=127.0.0.1 port=$A_PORT user=postgres dbname=postgres" <"$T/cases"
grep DIFFERENT "$T/.out"
printf '%s\n' "1.2::numeric -- sqlite: 1.25" "'{\"a\":1}'::jsonb -- sqlite: '{\"a\":1.5}'" >"$T/unequal"
check "  … and different for values that differ (1.2 and 1.25, 1 and 1.5 in JSON)" \
  expect_exit 1 build/tools/pgcanon "host=127.0.0.1 port=$A_PORT user=postgres dbname=postgres" <"$T/unequal"
check "  … both of them" test "$(grep -c DIFFERENT "$T/.last")" = 2

# --- one database: INSERT … SELECT per batch ---------------------------------
check "the runbooks check" expect_exit 0 "$CUTOVER" check "$T/same.md"
a "INSERT INTO orders (id, customer, total, updated_at, currency) VALUES
     (7, 'dual', 9.99, '2024-06-01', 'EUR'), (8, 'stale', 1, '2023-01-01', 'EUR')"
check "same server: backfill copies every row" expect_exit 0 "$CUTOVER" backfill "$T/same.md" --journal "$J"
check "  … says it is done" contains "$T/.last" "done, $N rows copied"
check "  … all of them, none twice" test "$(a 'SELECT count(*) || $$ $$ || count(DISTINCT id) FROM orders')" = "$N $N"
check "  … renamed and cast" test "$(a "SELECT customer || '|' || total || '|' || created FROM orders WHERE id = 10")" = "cust 10|0.70|2023-11-14 22:23:20+00"
check "  … the default filled in, the excluded one left out" \
  test "$(a "SELECT count(*) FROM orders WHERE currency = 'EUR' AND legacy_flag IS NULL")" = $N
check "  … a row dual-write made newer is kept" test "$(a 'SELECT customer FROM orders WHERE id = 7')" = dual
check "  … a row older than old's is replaced" test "$(a 'SELECT customer FROM orders WHERE id = 8')" = "cust 8"
check "  … the checkpoint is in new, done" test "$(a "SELECT rows || ' ' || done FROM cutover_backfill")" = "$N 1"
check "  … and mirrored to the journal" \
  test "$(sql "$J" "SELECT json_extract(body, '\$.rows') || json_extract(body, '\$.done') FROM events WHERE kind = 'backfill' ORDER BY seq DESC LIMIT 1")" = "${N}1"
check "  … with old's exact row count as the total" \
  test "$(sql "$J" "SELECT count(DISTINCT json_extract(body, '\$.total')) || ' ' || max(json_extract(body, '\$.total')) FROM events WHERE kind = 'backfill'")" = "1 $N"
check "a second run has nothing to do" expect_exit 0 "$CUTOVER" backfill "$T/same.md"
check "  … and says so" contains "$T/.last" "already done"
a "UPDATE orders_legacy SET updated_at = '2024-06-01', customer_name = 'dual', total_cents = 999,
   note = NULL, created = NULL, meta = NULL WHERE id = 7"
check "compare then finds old and new the same" expect_exit 0 "$CUTOVER" compare "$T/same.md"
check "  … by their checksums alone (json text vs jsonb, 1.10 vs 1.1, text vs timestamptz)" \
  contains "$T/.last" "$N rows in old, $N in new, 0 divergent (200 ranges checked, 0 rows fetched)"

# kill_resume RUNBOOK QUERY-FN KILLS: kill -9 at random moments of a paced
# copy (15,000 rows/s: slow enough that a loaded machine's poll lands each
# kill before the copy ends); after each the checkpoint is never ahead of
# the data (ids are 1..N: every id up to the cursor is in new, and rows
# counts exactly those).
kill_resume() {
  local rb=$1 q=$2 kills=$3 i target done_kills=0 ok=1 pid c
  $q "DELETE FROM orders; DELETE FROM cutover_backfill"
  for ((i = 1; i <= kills; i++)); do
    target=$(( i * N / (kills + 2) + RANDOM % (N / (4 * kills)) ))
    "$CUTOVER" backfill "$rb" --journal "$J" --rate 15000 --batch 500 >"$T/kill$i.out" 2>&1 &
    pid=$!
    wait_for 60 bash -c "[ \"\$($q 'SELECT coalesce(max(rows), 0) FROM cutover_backfill' 2>/dev/null || echo 0)\" -ge $target ]" || ok=0
    sleep "0.0$(( RANDOM % 10 ))"   # a random moment inside a batch, not an assertion
    kill -9 $pid 2>/dev/null && done_kills=$((done_kills + 1))
    wait $pid 2>/dev/null
    # the killed session's lock goes with its connection
    wait_for 30 bash -c "[ \"\$($q \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'\")\" = 0 ]" || ok=0
    c=$($q "SELECT coalesce(max(k0::bigint), 0) || ' ' || coalesce(max(rows), 0) FROM cutover_backfill")
    set -- $c
    echo "kill $i at $2 rows (target $target)"
    if [ "$1" != "$2" ] || [ "$($q "SELECT count(*) FROM orders WHERE id <= $1")" != "$1" ]; then
      ok=0; echo "inconsistent after kill $i: $c"
    fi
  done
  [ "$done_kills" = "$kills" ] && [ $ok = 1 ]
}
export -f a b pgq
export A_PORT B_PORT
check "same server: kill -9 at 2 random moments, each leaving the checkpoint at or behind the data" \
  kill_resume "$T/same.md" a 2
check "  … a run after them resumes" expect_exit 0 "$CUTOVER" backfill "$T/same.md"
check "  … from its checkpoint" contains "$T/.last" "resuming backfill:orders"
check "  … to every row, none twice" test "$(a 'SELECT count(*) || $$ $$ || count(DISTINCT id) FROM orders')" = "$N $N"

# --- two servers: COPY out of old, into a staging table in new ---------------
check "two servers: backfill copies every row" expect_exit 0 "$CUTOVER" backfill "$T/two.md"
check "  … in COPY's binary format (json into jsonb given its version byte)" \
  contains "$T/.last" "copying across databases (COPY binary)"
check "  … all of them, none twice" test "$(b 'SELECT count(*) || $$ $$ || count(DISTINCT id) FROM orders')" = "$N $N"
check "  … renamed and cast, the default in, the excluded out" \
  test "$(b "SELECT customer || '|' || total || '|' || currency || '|' || coalesce(legacy_flag::text, '-') FROM orders WHERE id = 10")" = "cust 10|0.70|EUR|-"
check "two servers: kill -9 at 3 random moments, each leaving the checkpoint at or behind the data" \
  kill_resume "$T/two.md" b 3
check "  … a run after them resumes" expect_exit 0 "$CUTOVER" backfill "$T/two.md"
check "  … from its checkpoint" contains "$T/.last" "resuming backfill:orders"
check "  … to every row, none twice" test "$(b 'SELECT count(*) || $$ $$ || count(DISTINCT id) FROM orders')" = "$N $N"
check "  … and compare across the servers finds nothing missing or extra" expect_exit 0 "$CUTOVER" compare "$T/two.md"
check "  … (its summary)" contains "$T/.last" "$N rows in old, $N in new, 0 divergent"

# --- compare: one divergence of every cause, among equal-by-meaning traps ----
b "DELETE FROM orders WHERE id = 1001;
   INSERT INTO orders (id, customer, total, updated_at, currency) VALUES ($N + 5, 'extra', 1, '2024-01-01', 'EUR');
   UPDATE orders SET created = created + interval '1 hour' WHERE id = 2002;
   UPDATE orders SET note = '' WHERE id = 3003;
   UPDATE orders SET total = 280.3 WHERE id = 4004;
   UPDATE orders SET note = 'note  5005' WHERE id = 5005;
   UPDATE orders SET customer = U&'cafe\\0301' WHERE id = 6006;
   UPDATE orders SET customer = 'someone else' WHERE id = 7007;
   UPDATE orders SET total = 10.10 WHERE id = 8008;
   UPDATE orders SET meta = '{\"b\": \"x\", \"a\": 4}' WHERE id = 9009;
   UPDATE orders SET created = '2023-11-21 23:03:20+02' WHERE id = 10010"
a "UPDATE orders_legacy SET customer_name = U&'caf\\00E9' WHERE id = 6006;
   UPDATE orders_legacy SET total_cents = 1010 WHERE id = 8008;
   UPDATE orders_legacy SET meta = '{ \"b\":\"x\" ,  \"a\":4 }' WHERE id = 9009;
   UPDATE orders_legacy SET created = '2023-11-21T21:03:20Z' WHERE id = 10010"
check "compare finds the planted divergences: exit 3" expect_exit 3 "$CUTOVER" compare "$T/two.md" --format json
got=$(grep -o '"key":"[0-9]*","cause":"[a-z-]*"' "$T/.last" | sed 's/"key":"\([0-9]*\)","cause":"\(.*\)"/\1 \2/' | sort -n | tr '\n' ';')
want="1001 missing-in-new;2002 time-shift;3003 null-vs-empty;4004 numeric-precision;5005 whitespace;6006 unicode-normalisation;7007 value;$((N + 5)) extra-in-new;"
check "  … exactly the 8 planted, each with its cause" test "$got" = "$want"
[ "$got" = "$want" ] || { echo "got:  $got"; echo "want: $want"; }
check "  … and no more (the summary)" contains "$T/.last" '"divergent":8'

# --- a composite key with text in it, renamed, across the two servers ------
pgq "$A_PORT" shop "CREATE TABLE t (region text, n int, v text, PRIMARY KEY (region, n));
  INSERT INTO t SELECT (ARRAY['eu', 'EU', 'us', 'ap', 'Z'])[i % 5 + 1], i, 'v' || i
  FROM generate_series(1, 3000) i"
pgq "$B_PORT" shop2 "CREATE TABLE u (region text, num int, v varchar(20), PRIMARY KEY (region, num))"
cat >"$T/c.md" <<MD
# Composite

## Roles
- commander: Ana

## Systems
- old: postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\` table \`t\`
- new: postgres \`host=127.0.0.1 port=$B_PORT dbname=shop2 user=postgres\` table \`u\`

## Mapping
- key \`region, num\`
- \`num\` from \`n\`

## Phase 1: Copy {readonly}
- [ ] commander: go
MD
check "a composite key copies across servers in small batches" expect_exit 0 "$CUTOVER" backfill "$T/c.md" --batch 97
check "  … in COPY's text format: text into varchar is a type new does not share" \
  contains "$T/.last" "copying across databases (COPY text: a mapped type differs from new's)"
check "  … every row once" test "$(b 'SELECT count(*) || $$ $$ || count(DISTINCT (region, num)) FROM u')" = "3000 3000"
check "  … and compares equal (3 ranges, byte order of text keys on both)" expect_exit 0 "$CUTOVER" compare "$T/c.md"
check "  … by checksums alone" contains "$T/.last" "3000 rows in old, 3000 in new, 0 divergent (6 ranges checked, 0 rows fetched)"
b "DELETE FROM u WHERE region = 'eu' AND num = 5; UPDATE u SET v = 'w' WHERE region = 'EU' AND num = 1001"
check "rows missing or changed under a composite key are found" expect_exit 3 "$CUTOVER" compare "$T/c.md"
check "  … named by both parts of the key" contains "$T/.last" "key eu,5: missing-in-new"
check "  … and the other" contains "$T/.last" 'key EU,1001: value v: "v1001" → "w"'
check "  … nothing else" contains "$T/.last" "2 divergent"

# --- SQLite ↔ PostgreSQL: the same canonical text on both engines -----------
make_stores "$T" 20000
pgq "$A_PORT" postgres "CREATE DATABASE mixed" && pgq "$A_PORT" mixed "$NEW_DDL"
sqlite3 -csv "$T/old.db" "SELECT id, customer_name, total_cents / 100.0, note, created, meta, updated_at, 'EUR', NULL
  FROM orders_legacy" | pgq "$A_PORT" mixed "\\copy orders FROM STDIN CSV"
sed "s|^- new: sqlite .*|- new: postgres \`host=127.0.0.1 port=$A_PORT dbname=mixed user=postgres\` table \`orders\`|" \
  "$T/rb.md" >"$T/mixed.md"
check "SQLite → PostgreSQL: equal rows compare equal" expect_exit 0 "$CUTOVER" compare "$T/mixed.md"
check "  … by their checksums alone: SQLite REAL vs numeric, text vs timestamptz and jsonb" \
  contains "$T/.last" "20000 rows in old, 20000 in new, 0 divergent (40 ranges checked, 0 rows fetched)"
pgq "$A_PORT" mixed "UPDATE orders SET created = created - interval '3 hours' WHERE id = 77;
                     UPDATE orders SET total = 38.9 WHERE id = 555" >/dev/null
check "  … and a divergence across the engines is found" expect_exit 3 "$CUTOVER" compare "$T/mixed.md"
check "  … a time shift" contains "$T/.last" "key 77: time-shift"
check "  … a numeric precision" contains "$T/.last" "key 555: numeric-precision"
check "  … and nothing else" contains "$T/.last" "2 divergent"
pgq "$A_PORT" mixed "TRUNCATE orders"
check "SQLite → PostgreSQL: backfill copies every row (COPY into a staging table)" \
  expect_exit 0 "$CUTOVER" backfill "$T/mixed.md" --batch 3000
check "  … all of them, none twice" \
  test "$(pgq "$A_PORT" mixed 'SELECT count(*) || $$ $$ || count(DISTINCT id) FROM orders')" = "20000 20000"
check "  … and they compare equal, by checksums alone" expect_exit 0 "$CUTOVER" compare "$T/mixed.md"
check "  … (0 rows fetched)" contains "$T/.last" "0 divergent (40 ranges checked, 0 rows fetched)"
sed "s|^- old: sqlite .*|- old: postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\` table \`orders_legacy\`|" \
  "$T/rb.md" >"$T/pg2lite.md"
# PostgreSQL → SQLite, killed once in the middle (--rate paces it) and resumed
"$CUTOVER" backfill "$T/pg2lite.md" --rate 30000 --batch 1000 >"$T/p2l.out" 2>&1 &
pid=$!
check "PostgreSQL → SQLite: a paced copy gets going" wait_for 60 at_least $((N / 3))
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
check "  … killed with -9, its checkpoint is at or behind the data" \
  test "$(sql "$T/new.db" "SELECT (SELECT count(*) FROM orders WHERE id <= k0) = k0 AND rows = k0 FROM cutover_backfill")" = 1
check "  … a run after it resumes" expect_exit 0 "$CUTOVER" backfill "$T/pg2lite.md"
check "  … from its checkpoint" contains "$T/.last" "resuming backfill:orders"
check "  … to every row, none twice" test "$(sql "$T/new.db" 'SELECT count(*) || " " || count(DISTINCT id) FROM orders')" = "$N $N"
check "  … renamed, cast, defaulted, excluded" \
  test "$(sql "$T/new.db" "SELECT customer || '|' || total || '|' || currency || '|' || coalesce(legacy_flag, '-') FROM orders WHERE id = 10")" = "cust 10|0.7|EUR|-"
check "  … and compares equal, by checksums alone (json text, numeric, timestamptz)" expect_exit 0 "$CUTOVER" compare "$T/pg2lite.md"
check "  … (0 rows fetched)" contains "$T/.last" "$N rows in old, $N in new, 0 divergent (200 ranges checked, 0 rows fetched)"

# --- a LATIN1 old into a UTF8 new: characters, not bytes ---------------------
pgq "$A_PORT" postgres "CREATE DATABASE lat ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" >/dev/null
pgq "$A_PORT" lat "CREATE TABLE t (id int PRIMARY KEY, v text);
  INSERT INTO t VALUES (1, U&'caf\\00E9'), (2, 'plain'), (3, U&'na\\00EFve \\00BD')" >/dev/null
pgq "$B_PORT" shop2 "CREATE TABLE lat_u (id int PRIMARY KEY, v text)" >/dev/null
cat >"$T/lat.md" <<MD
# Encodings

## Roles
- commander: Ana

## Systems
- old: postgres \`host=127.0.0.1 port=$A_PORT dbname=lat user=postgres\` table \`t\`
- new: postgres \`host=127.0.0.1 port=$B_PORT dbname=shop2 user=postgres\` table \`lat_u\`

## Phase 1: Copy {readonly}
- [ ] commander: go
MD
check "a LATIN1 old copies into a UTF8 new" expect_exit 0 "$CUTOVER" backfill "$T/lat.md"
check "  … as the same characters" \
  test "$(b "SELECT string_agg(v || ':' || length(v), ',' ORDER BY id) FROM lat_u")" = "café:4,plain:5,naïve ½:7"
check "  … and compares equal" expect_exit 0 "$CUTOVER" compare "$T/lat.md"

# --- a connection that fails never shows its password ------------------------
export CUTOVER_PG_SECRET=s3cret-pw-4711
sed "s|^- old: postgres .*|- old: postgres \`host=127.0.0.1 port=$(free_port) user=postgres password=\${CUTOVER_PG_SECRET} dbname=shop\` table \`orders_legacy\`|" \
  "$T/two.md" >"$T/noconn.md"
check "an unreachable old: backfill fails in words" expect_exit 1 "$CUTOVER" backfill "$T/noconn.md"
check "  … naming the system" contains "$T/.last" "system \`old\`: cannot connect to PostgreSQL"
check "  … never its password" bash -c "! grep -q s3cret '$T/.last'"
check "  … nor does compare" bash -c "'$CUTOVER' compare '$T/noconn.md' 2>&1 | grep -q 'cannot connect' && ! '$CUTOVER' compare '$T/noconn.md' 2>&1 | grep -q s3cret"
# … and with --journal the failure is journaled in words (the journal is
# opened before the stores: an unreachable store is what it must record)
for cmd in backfill compare; do
  rm -f "$T/noconn-$cmd.journal"
  check "$cmd --journal, old unreachable: exit 1" expect_exit 1 "$CUTOVER" $cmd "$T/noconn.md" --journal "$T/noconn-$cmd.journal"
  check "  … a data_failed event names the command and the system" \
    test "$(sql "$T/noconn-$cmd.journal" "SELECT json_extract(body, '\$.job') || ': ' || json_extract(body, '\$.why') FROM events WHERE kind = 'data_failed'" | grep -c "^$cmd: system \`old\`: cannot connect to PostgreSQL")" = 1
  check "  … never with the password" bash -c "! sqlite3 '$T/noconn-$cmd.journal' .dump | grep -q s3cret"
  check "  … and the journal verifies" "$CUTOVER" verify "$T/noconn-$cmd.journal"
done
rm -f "$T/driven.journal"
check "run by a console (--driven): exit 1" expect_exit 1 "$CUTOVER" backfill "$T/noconn.md" --journal "$T/driven.journal" --driven
check "  … the console journals it (data_job failed), not the child" \
  test "$(sql "$T/driven.journal" "SELECT count(*) FROM events WHERE kind = 'data_failed'")" = 0
# a mapping the schemas refuse: the runbook's FILE:LINE in the journal
sed "s/^- \`customer\` from \`customer_name\`/- \`customer\` from \`customer_nom\`/" "$T/two.md" >"$T/badmap.md"
rm -f "$T/badmap.journal"
check "a mapping naming a column old lacks: exit 1" expect_exit 1 "$CUTOVER" backfill "$T/badmap.md" --journal "$T/badmap.journal"
badline=$(grep -n 'customer_nom' "$T/badmap.md" | cut -d: -f1)
check "  … journaled with the runbook's FILE:LINE" \
  bash -c "sqlite3 '$T/badmap.journal' \"SELECT json_extract(body, '\$.why') FROM events WHERE kind = 'data_failed'\" | grep -qF '$T/badmap.md:$badline:'"
# a connection lost midway: old's session ended by the server under a slow copy
b "TRUNCATE orders; DROP TABLE IF EXISTS cutover_backfill" >/dev/null
rm -f "$T/lost.journal"
"$CUTOVER" backfill "$T/two.md" --rate 5000 --journal "$T/lost.journal" >"$T/lost.out" 2>&1 &
lost=$!
check "a slow copy under way (its first checkpoint journaled)" wait_for 20 bash -c "sqlite3 '$T/lost.journal' \"SELECT 1 FROM events WHERE kind = 'backfill'\" 2>/dev/null | grep -q 1"
a "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'shop' AND pid <> pg_backend_pid() AND backend_type = 'client backend'" >/dev/null
wait "$lost"
lost_rc=$?
check "old's session ended midway: the backfill exits 1" test "$lost_rc" = 1
check "  … and journals why, in one line" \
  test "$(sql "$T/lost.journal" "SELECT count(*) FROM events WHERE kind = 'data_failed' AND json_extract(body, '\$.job') = 'backfill' AND json_extract(body, '\$.why') LIKE 'backfill: old: %' AND json_extract(body, '\$.why') NOT LIKE '%' || char(10) || '%'")" = 1
check "  … after its last checkpoint" \
  test "$(sql "$T/lost.journal" "SELECT kind FROM events ORDER BY seq DESC LIMIT 1")" = data_failed
finish
