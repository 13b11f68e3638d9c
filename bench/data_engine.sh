#!/bin/bash
# data_engine.sh — the data engine's figures on SQLite, side by side in one
# run (issue 18): backfill of ROWS rows (default 1,000,000) through the
# mapping, with a checkpoint per batch, against a plain single
# `INSERT … SELECT` of the same mapped rows; compare of identical tables
# against one plain scan of both; compare with 10 planted divergences and
# with 1 % of rows divergent against a clean compare; peak RSS of each.
# Then PostgreSQL (when PostgreSQL 15 is installed and we are root): backfill
# of PG_ROWS rows (default ROWS) in one database and across two servers
# against a `COPY (SELECT …) TO STDOUT | COPY … FROM STDIN` pipe of the same
# mapped rows, and compare of identical tables against one scan of both;
# then the backfill against the playbook's loop and Debian's pgcopydb, and
# its peak RSS on PG_ROWS against MEM_ROWS rows (the last section), then
# the compare's peak RSS on the same two sizes.
# PG_ONLY=1 skips the SQLite figures.
cd "$(dirname "$0")/.." || exit 1
make -s cutover >/dev/null || exit 1
ROWS=${ROWS:-1000000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/data/fixture.sh
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# timed VAR CMD...: runs CMD, sets VAR to its milliseconds and VAR_rss to
# its peak RSS in kB. On a shared machine one run is noise: the read-only
# commands run RUNS times (default 3) and the fastest counts.
RUNS=${RUNS:-3}
timed() {
  local var=$1 t0 t1 best= rc; shift
  for ((r = 0; r < RUNS; r++)); do
    t0=$(now_ms)
    /usr/bin/time -f '%M' -o "$T/rss" "$@" >"$T/out" 2>&1
    rc=$?
    t1=$(now_ms)
    [ -z "$best" ] || [ $((t1 - t0)) -lt "$best" ] && best=$((t1 - t0))
    [ "${ONCE:-}" = 1 ] && break
  done
  printf -v "$var" '%s' "$best"
  printf -v "${var}_rss" '%s' "$(tail -1 "$T/rss")"
  return $rc
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n * 1000 / ms }'; }

[ "${PG_ONLY:-}" = 1 ] && SQLITE=0 || SQLITE=1
if [ $SQLITE = 1 ]; then
make_stores "$T" "$ROWS"
RB=$T/rb.md
cp "$T/new.db" "$T/empty.db"
fresh() { cp "$T/empty.db" "$T/new.db"; rm -f "$T/new.db-wal" "$T/new.db-shm"; }
# Each write RUNS times into a fresh new, alternating, the fastest of each counting.
bf= base=
for ((k = 0; k < RUNS; k++)); do
  fresh
  ONCE=1 timed b sqlite3 "$T/new.db" "ATTACH '$T/old.db' AS o;
    INSERT INTO orders (id, customer, total, note, created, meta, updated_at, currency)
    SELECT id, customer_name, total_cents / 100.0, note, created, meta, updated_at, 'EUR' FROM o.orders_legacy;"
  [ -z "$base" ] || [ "$b" -lt "$base" ] && base=$b
  fresh
  ONCE=1 timed f ./cutover backfill "$RB" || { cat "$T/out"; exit 1; }
  [ -z "$bf" ] || [ "$f" -lt "$bf" ] && bf=$f bf_rss=$f_rss
done
echo "backfill $ROWS rows SQLite→SQLite: $(rate "$ROWS" "$bf") rows/s (${bf} ms, peak RSS ${bf_rss} kB) vs plain INSERT…SELECT $(rate "$ROWS" "$base") rows/s (${base} ms): $(ratio "$base" "$bf")× the baseline's rate"

timed scan sh -c "sqlite3 '$T/old.db' 'SELECT count(*), total(length(id || customer_name || total_cents || coalesce(note, \"\") || created || meta || updated_at)) FROM orders_legacy' &&
                  sqlite3 '$T/new.db' 'SELECT count(*), total(length(id || customer || total || coalesce(note, \"\") || created || meta || updated_at)) FROM orders'"
timed clean ./cutover compare "$RB"
[ $? -eq 0 ] || { echo "compare of identical tables did not exit 0"; cat "$T/out"; exit 1; }
echo "compare identical: ${clean} ms (peak RSS ${clean_rss} kB) vs one scan of both ${scan} ms: $(ratio "$clean" "$scan")×"
sqlite3 "$T/new.db" "UPDATE orders SET customer = customer || '!' WHERE id IN (SELECT id FROM orders WHERE id % $((ROWS / 10)) = 17)"
timed ten ./cutover compare "$RB"
echo "compare, 10 divergent rows: ${ten} ms: $(ratio "$ten" "$clean")× clean, $(ratio "$ten" "$scan")× one scan; found $(grep -c '^key ' "$T/out")"
sqlite3 "$T/new.db" "UPDATE orders SET customer = customer || '!' WHERE id % 100 = 50"
timed pct ./cutover compare "$RB"
echo "compare, 1 % divergent: ${pct} ms (peak RSS ${pct_rss} kB): $(ratio "$pct" "$clean")× clean; found $(grep -c '^key ' "$T/out")"
fi

# --- PostgreSQL ---------------------------------------------------------------
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ] || [ "$(id -u)" != 0 ]; then
  echo "PostgreSQL figures skipped (needs PostgreSQL 15 and root to run it as postgres)"
  exit 0
fi
# lib.sh's port helpers (the bench cannot source lib.sh: it makes its own
# $T and trap); pg.sh's pg_start needs pg_start_port
eval "$(sed -n '/^free_port()/,/^}/p; /^pg_start_port()/,/^}/p' tests/lib.sh)"
. tests/data/pg.sh
trap 'pg_stop_all; rm -rf "$T"' EXIT
PG_ROWS=${PG_ROWS:-$ROWS}
pg_start A && pg_start B || exit 1
NEW_DDL="CREATE TABLE orders (id bigint PRIMARY KEY, customer text, total numeric(12,2), note text,
  created timestamptz, meta jsonb, updated_at timestamptz, currency text, legacy_flag int)"
pgq "$A_PORT" postgres "CREATE DATABASE shop" && pgq "$B_PORT" postgres "CREATE DATABASE shop"
pgq "$A_PORT" shop "CREATE TABLE orders_legacy (id bigint PRIMARY KEY, customer_name text,
  total_cents bigint, note text, created text, meta json, updated_at timestamptz, legacy_flag int);
  INSERT INTO orders_legacy SELECT i, 'cust ' || (i % 997), i * 7,
    CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END,
    to_char(to_timestamp(1700000000 + i * 60) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
    ('{\"a\":' || (i % 5) || ',\"b\":\"x\"}')::json, '2024-01-01 00:00:00+00', i % 2
  FROM generate_series(1, $PG_ROWS) i; $NEW_DDL" >/dev/null
pgq "$A_PORT" shop "VACUUM ANALYZE orders_legacy"
pgq "$B_PORT" shop "$NEW_DDL"
pg_runbook() {
  cat >"$T/$1.md" <<MD
# PG bench

## Roles
- commander: Ana

## Systems
- old: postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\` table \`orders_legacy\`
- new: postgres \`host=127.0.0.1 port=$2 dbname=shop user=postgres\` table \`orders\`

## Mapping
- key \`id\`
- version \`updated_at\`
- \`customer\` from \`customer_name\`
- \`total\` from \`total_cents / 100.0\`
- \`created\` from \`created::timestamptz\`
- \`currency\` default \`'EUR'\`
- exclude \`legacy_flag\`

## Phase 2: Backfill {readonly}
- [ ] commander: copy \`backfill\`
MD
}
pg_runbook same "$A_PORT"
pg_runbook two "$B_PORT"
MAPPED="SELECT id, customer_name, total_cents / 100.0, note, created::timestamptz, meta, updated_at, 'EUR' FROM orders_legacy"
COLS="id, customer, total, note, created, meta, updated_at, currency"
pg_fresh() { pgq "$1" shop "SET client_min_messages = warning; TRUNCATE orders; DROP TABLE IF EXISTS cutover_backfill; CHECKPOINT"; }
# pipe PORT: the baseline, as a command line (`timed` runs a program)
pipe() {
  echo "psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $A_PORT -U postgres -d shop -c \"COPY ($MAPPED) TO STDOUT\" |
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $1 -U postgres -d shop -c \"COPY orders ($COLS) FROM STDIN\""
}
# --- compare on PostgreSQL (the compare half: kept apart from backfill's) ---
# pg_compare_figures WHERE PORT: after the backfill made new a faithful
# copy, compare of the identical tables against one scan of both (`SELECT
# count(*), sum(hashtext(t::text))` on each, one after the other), the two
# alternating RUNS times, fastest of each; then 10 planted divergences
# against that scan, and 1 % of rows divergent against the clean compare;
# peak RSS of each.
pg_compare_figures() {
  local where=$1 port=$2 k scan= clean= c s ten pct
  pgq "$port" shop "VACUUM ANALYZE orders" >/dev/null
  for ((k = 0; k < RUNS; k++)); do
    ONCE=1 timed s sh -c "psql -X -q -h 127.0.0.1 -p $A_PORT -U postgres -d shop -Atc 'SELECT count(*), sum(hashtext(t::text)) FROM orders_legacy t' >/dev/null &&
                          psql -X -q -h 127.0.0.1 -p $port -U postgres -d shop -Atc 'SELECT count(*), sum(hashtext(t::text)) FROM orders t' >/dev/null"
    [ -z "$scan" ] || [ "$s" -lt "$scan" ] && scan=$s
    ONCE=1 timed c ./cutover compare "$T/$where.md"
    [ $? -eq 0 ] || { echo "compare of identical tables did not exit 0"; cat "$T/out"; return 1; }
    [ -z "$clean" ] || [ "$c" -lt "$clean" ] && clean=$c clean_rss=$c_rss
  done
  cmp_clean_rss=$clean_rss
  echo "compare identical PostgreSQL, $where: ${clean} ms (peak RSS ${clean_rss} kB) vs one scan of both ${scan} ms: $(ratio "$clean" "$scan")× (goal ≤ 1.5×)"
  pgq "$port" shop "UPDATE orders SET customer = customer || '!' WHERE id % $((PG_ROWS / 10)) = 17" >/dev/null
  timed ten ./cutover compare "$T/$where.md"
  echo "compare PostgreSQL $where, 10 divergent rows: ${ten} ms: $(ratio "$ten" "$scan")× one scan (goal ≤ 2×), $(ratio "$ten" "$clean")× clean; found $(grep -c '^key ' "$T/out")"
  pgq "$port" shop "UPDATE orders SET customer = customer || '!' WHERE id % 100 = 50" >/dev/null
  timed pct ./cutover compare "$T/$where.md"
  echo "compare PostgreSQL $where, 1 % divergent: ${pct} ms (peak RSS ${pct_rss} kB): $(ratio "$pct" "$clean")× clean (goal ≤ 3×); found $(grep -c '^key ' "$T/out")"
}
for where in same two; do
  port=$A_PORT; [ $where = two ] && port=$B_PORT
  bf= base=
  for ((k = 0; k < RUNS; k++)); do
    pg_fresh "$port"
    ONCE=1 timed p sh -c "$(pipe "$port")" || { cat "$T/out"; exit 1; }
    [ -z "$base" ] || [ "$p" -lt "$base" ] && base=$p
    pg_fresh "$port"
    ONCE=1 timed f ./cutover backfill "$T/$where.md" || { cat "$T/out"; exit 1; }
    [ -z "$bf" ] || [ "$f" -lt "$bf" ] && bf=$f bf_rss=$f_rss
  done
  label="one database"; [ $where = two ] && label="two servers"
  label="$label, $(sed -n 's/^backfill: copying //p' "$T/out" | head -1)"   # the path it took
  echo "backfill $PG_ROWS rows PostgreSQL→PostgreSQL, $label: $(rate "$PG_ROWS" "$bf") rows/s (${bf} ms, peak RSS ${bf_rss} kB) vs COPY|COPY pipe $(rate "$PG_ROWS" "$base") rows/s (${base} ms): $(ratio "$base" "$bf")× the pipe's rate"
  pg_compare_figures "$where" "$port" || exit 1
done

# --- backfill against what a user would do instead (issue 18) -----------------
# Its own section, side by side, alternating RUNS times. The playbook's loop (keyset
# batches of 500, one upsert statement per row, one round trip each, as
# psql's \gexec sends them) on LOOP_ROWS rows (default 100,000: at its
# rate 1,000,000 would take minutes; rows/s is what is compared); Debian's
# pgcopydb `copy table-data` into a same-named table in a second database
# (it cannot rename) against our backfill into a second database of the
# same server (the COPY → staging → upsert path, checkpointed); and the
# backfill's peak RSS on PG_ROWS rows against MEM_ROWS (default
# 10,000,000) through the same path.
LOOP_ROWS=${LOOP_ROWS:-100000}
MEM_ROWS=${MEM_ROWS:-10000000}
bf_runbook() {   # bf_runbook NAME OLD_DB NEW_DB: both on server A
  sed -e "/^- old:/s/dbname=shop /dbname=$2 /" \
      -e "/^- new:/s/port=$B_PORT dbname=shop /port=$A_PORT dbname=$3 /" "$T/two.md" >"$T/$1.md"
}
bf_loop() {
  local k lp= f= l b
  for ((k = 0; k < LOOP_ROWS / 500; k++)); do
    echo "BEGIN;"
    echo "SELECT format('INSERT INTO orders ($COLS) VALUES (%L, %L, %L, %L, %L, %L, %L, %L) ON CONFLICT (id) DO UPDATE SET customer = excluded.customer, total = excluded.total, note = excluded.note, created = excluded.created, meta = excluded.meta, updated_at = excluded.updated_at, currency = excluded.currency WHERE orders.updated_at IS NULL OR excluded.updated_at > orders.updated_at', id, customer_name, total_cents / 100.0, note, created::timestamptz, meta, updated_at, 'EUR') FROM orders_legacy WHERE id > $((k * 500)) ORDER BY id LIMIT 500"
    echo '\gexec'
    echo "COMMIT;"
  done >"$T/loop.sql"
  # the two alternating RUNS times, the fastest of each (one run of each
  # on a shared machine is mostly the load of that moment)
  for ((k = 0; k < RUNS; k++)); do
    pg_fresh "$A_PORT"
    ONCE=1 timed l psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$A_PORT" -U postgres -d shop -f "$T/loop.sql" ||
      { cat "$T/out"; exit 1; }
    [ "$(pgq "$A_PORT" shop "SELECT count(*) FROM orders")" = "$LOOP_ROWS" ] || { echo "the loop did not copy $LOOP_ROWS rows"; exit 1; }
    [ -z "$lp" ] || [ "$l" -lt "$lp" ] && lp=$l
    pg_fresh "$A_PORT"
    ONCE=1 timed b ./cutover backfill "$T/same.md" || { cat "$T/out"; exit 1; }
    [ -z "$f" ] || [ "$b" -lt "$f" ] && f=$b
  done
  echo "backfill $PG_ROWS rows, one database: $(rate "$PG_ROWS" "$f") rows/s vs the playbook's loop (batches of 500, one upsert per row) on $LOOP_ROWS rows: $(rate "$LOOP_ROWS" "$lp") rows/s: $(ratio "$(rate "$PG_ROWS" "$f")" "$(rate "$LOOP_ROWS" "$lp")")× the loop's rate (goal ≥ 30×)"
}
bf_pgcopydb() {
  command -v pgcopydb >/dev/null || { echo "pgcopydb figures skipped: pgcopydb is not installed (scripts/deps.sh test)"; return; }
  local k pc= f= g= c b i
  pgq "$A_PORT" postgres "CREATE DATABASE shopcopy" >/dev/null
  pgq "$A_PORT" shopcopy "$NEW_DDL; CREATE TABLE orders_legacy (id bigint PRIMARY KEY, customer_name text,
    total_cents bigint, note text, created text, meta json, updated_at timestamptz, legacy_flag int)" >/dev/null
  printf '[include-only-table]\npublic.orders_legacy\n' >"$T/filters"
  bf_runbook cross shop shopcopy
  # the same work as pgcopydb: the same-named table, no mapping
  sed -e '/^## Mapping/,/^## Phase/{/^## Phase/!d}' -e "/^- new:/s/table \`orders\`/table \`orders_legacy\`/" \
    "$T/cross.md" >"$T/ident.md"
  # the three alternating RUNS times, the fastest of each
  for ((k = 0; k < RUNS; k++)); do
    pgq "$A_PORT" shopcopy "SET client_min_messages = warning; TRUNCATE orders, orders_legacy; DROP TABLE IF EXISTS cutover_backfill" >/dev/null
    rm -rf "$T/pgcopydb"
    ONCE=1 timed c pgcopydb copy table-data --source "postgres://postgres@127.0.0.1:$A_PORT/shop" \
      --target "postgres://postgres@127.0.0.1:$A_PORT/shopcopy" --dir "$T/pgcopydb" --filters "$T/filters" ||
      { cat "$T/out"; exit 1; }
    [ "$(pgq "$A_PORT" shopcopy "SELECT count(*) FROM orders_legacy")" = "$PG_ROWS" ] || { echo "pgcopydb did not copy $PG_ROWS rows"; exit 1; }
    [ -z "$pc" ] || [ "$c" -lt "$pc" ] && pc=$c
    ONCE=1 timed b ./cutover backfill "$T/cross.md" || { cat "$T/out"; exit 1; }
    [ -z "$f" ] || [ "$b" -lt "$f" ] && f=$b bf_cross_rss=$b_rss
    pgq "$A_PORT" shopcopy "TRUNCATE orders_legacy; DROP TABLE cutover_backfill" >/dev/null
    ONCE=1 timed i ./cutover backfill "$T/ident.md" || { cat "$T/out"; exit 1; }
    [ -z "$g" ] || [ "$i" -lt "$g" ] && g=$i
  done
  echo "backfill $PG_ROWS rows into a second database, through the mapping (casts, json → jsonb, a default; COPY, checkpointed): $(rate "$PG_ROWS" "$f") rows/s (${f} ms) vs pgcopydb copy table-data (same-named table, no mapping, checkpoint, throttle or upsert): $(rate "$PG_ROWS" "$pc") rows/s (${pc} ms): $(ratio "$pc" "$f")× pgcopydb's rate (goal > 1×)"
  echo "backfill $PG_ROWS rows into a same-named table in a second database, as pgcopydb does (no mapping; COPY, checkpointed): $(rate "$PG_ROWS" "$g") rows/s (${g} ms): $(ratio "$pc" "$g")× pgcopydb's rate"
}
bf_memory() {
  [ -n "${bf_cross_rss:-}" ] || return
  pgq "$A_PORT" postgres "CREATE DATABASE big" >/dev/null
  pgq "$A_PORT" big "CREATE TABLE orders_legacy (id bigint PRIMARY KEY, customer_name text,
    total_cents bigint, note text, created text, meta json, updated_at timestamptz, legacy_flag int);
    INSERT INTO orders_legacy SELECT i, 'cust ' || (i % 997), i * 7,
      CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END,
      to_char(to_timestamp(1700000000 + i * 60) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
      ('{\"a\":' || (i % 5) || ',\"b\":\"x\"}')::json, '2024-01-01 00:00:00+00', i % 2
    FROM generate_series(1::bigint, $MEM_ROWS) i" >/dev/null
  pgq "$A_PORT" big "VACUUM ANALYZE orders_legacy" >/dev/null
  pgq "$A_PORT" shopcopy "SET client_min_messages = warning; TRUNCATE orders; DROP TABLE IF EXISTS cutover_backfill" >/dev/null
  bf_runbook big big shopcopy
  ONCE=1 timed f ./cutover backfill "$T/big.md" || { cat "$T/out"; exit 1; }
  echo "backfill peak RSS, COPY path: ${bf_cross_rss} kB on $PG_ROWS rows vs ${f_rss} kB on $MEM_ROWS rows ($(rate "$MEM_ROWS" "$f") rows/s): $(ratio "$f_rss" "$bf_cross_rss")×"
}
# compare's peak RSS on PG_ROWS rows (the clean compare above) against
# MEM_ROWS rows: old and new as bf_memory left them (MEM_ROWS rows each,
# identical through the mapping); goal: flat, within 10 %.
cmp_memory() {
  [ -f "$T/big.md" ] && [ -n "${cmp_clean_rss:-}" ] || { echo "compare memory figures skipped (no MEM_ROWS tables)"; return; }
  pgq "$A_PORT" shopcopy "VACUUM ANALYZE orders" >/dev/null
  ONCE=1 timed f ./cutover compare "$T/big.md"
  [ $? -eq 0 ] || { echo "compare of the MEM_ROWS tables did not exit 0"; cat "$T/out"; return 1; }
  echo "compare peak RSS: ${cmp_clean_rss} kB on $PG_ROWS rows vs ${f_rss} kB on $MEM_ROWS rows ($(rate "$MEM_ROWS" "$f") rows/s): $(ratio "$f_rss" "$cmp_clean_rss")× (goal ≤ 1.10×)"
}
bf_loop
bf_pgcopydb
bf_memory
cmp_memory
