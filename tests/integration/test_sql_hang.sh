#!/bin/bash
# test_sql_hang.sh — SQL signals that never return: a SQLite query that
# runs forever (a recursive CTE without end) and a PostgreSQL backend that
# is stopped (SIGSTOP) mid-query. Each sample is an error in words within
# its timeout, the cockpit keeps polling, and SIGTERM ends the process at
# once: quitting never waits on a worker stuck in a statement.
. tests/lib.sh
PGBIN=/usr/lib/postgresql/15/bin

# --- PostgreSQL, a throwaway cluster ----------------------------------------
chmod 755 "$T"   # postgres must reach its directory inside
PGD="$T/pg"; mkdir -p "$PGD"; chown postgres:postgres "$PGD"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGD/data" -U postgres -A trust --no-sync -E UTF8 \
  --locale=C.UTF-8 >"$T/initdb.log" 2>&1
cat >>"$PGD/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGD'
fsync = off
CONF
PGPORT=$(pg_start_port "$PGD/data" "$PGD/server.log")
cleanup_hook() {
  pkill -CONT -u postgres -f "postgres: .*hangdb" 2>/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate -w stop >/dev/null 2>&1
}
psql -h 127.0.0.1 -p $PGPORT -U postgres -qc "create database hangdb" >/dev/null

sqlite3 "$T/lite.db" "create table t(x)"
cat >"$T/hang.md" <<MD
# SQL that never returns

## Roles
- commander: Alice Ng

## Systems
- metrics: prometheus \`http://127.0.0.1:1\`
- lite: sqlite \`$T/lite.db\`
- pg: postgres \`host=127.0.0.1 port=$PGPORT dbname=hangdb user=postgres\`

## Signals
- forever: lite \`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c\`
- pg_one: pg \`SELECT 1\`

## Abort criteria
- abort if forever > 1
- abort if pg_one > 1

## Phase 1: Watch
- [ ] commander: look at the signals

## Rollback
### Phase 1
Nothing to roll back.
MD
check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/hang.md"

J="$T/hang.journal"
"$CUTOVER" run "$T/hang.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
pid=$!
# wait_sql DEADLINE_S QUERY: until the journal answers QUERY with a non-empty, non-zero value
wait_sql() {
  local end=$((SECONDS + $1)) v
  while [ $SECONDS -lt $end ]; do
    v=$(sql "$J" "$2" 2>/dev/null); [ -n "$v" ] && [ "$v" != 0 ] && return 0; sleep 0.1
  done
  echo "no answer to: $2"; return 1
}
check "the endless SQLite query is an error in words, 'timed out'" \
  wait_sql 30 "select count(*) from samples where signal='forever' and status like 'error: %timed out%'"
check "the SQLite worker goes on: a second timed-out sample follows" \
  wait_sql 30 "select count(*) >= 2 from samples where signal='forever' and status like 'error: %timed out%'"
check "the PostgreSQL signal reads 1 meanwhile" \
  wait_sql 30 "select count(*) from samples where signal='pg_one' and value = 1"

# Stop the PostgreSQL backend serving the cockpit: its statement_timeout
# cannot fire in a stopped process; the client must give up by itself.
backend=$(psql -h 127.0.0.1 -p $PGPORT -U postgres -d hangdb -Atc \
  "select pid from pg_stat_activity where datname='hangdb' and pid <> pg_backend_pid() limit 1")
check "found the cockpit's backend" test -n "$backend"
kill -STOP "$backend"
n0=$(sql "$J" "select count(*) from samples where signal='pg_one' and status like 'error: %'")
check "a stopped backend gives a timed-out error, not a hang" \
  wait_sql 30 "select count(*) > $n0 from samples where signal='pg_one' and status like 'error: %timed out%'"
check "the endless query keeps timing out meanwhile (its worker is not held)" \
  wait_sql 30 "select count(*) >= 3 from samples where signal='forever' and status like 'error: %timed out%'"

# SIGTERM while both workers sit in statements that will not return.
t0=$(date +%s%N)
kill -TERM $pid
for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "SIGTERM to exit: ${ms} ms"
check "SIGTERM ends the process while workers are stuck (10 s bound; took ${ms} ms)" \
  sh -c "! kill -0 $pid 2>/dev/null"
kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
check "the console closed the journal cleanly" \
  test "$(sql "$J" "select count(*) from events where kind='console_close'")" = 1
check "no secret or connection string reached the errors" \
  test "$(sql "$J" "select count(*) from samples where status like '%port=$PGPORT%'")" = 0
kill -CONT "$backend" 2>/dev/null
finish
