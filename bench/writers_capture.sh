#!/bin/bash
# writers_capture.sh — what the writer audit's live capture costs the
# writers (issue 21): N single-row INSERTs (default 100,000, one statement
# and one transaction each, pgbench over the Unix socket, one client) into
# the old table with no trigger, with the capture's statement-level
# triggers, and with its row-level trigger — installed by the real
# `cutover writers --capture`, in the same run, alternating, the fastest
# of RUNS (default 2) each counting. Prints the rates and the ratios to
# the run without a trigger. PostgreSQL 15 as in the test suites: a
# throwaway cluster owned by postgres, fsync off.
cd "$(dirname "$0")/.." || exit 1
make -s cutover >/dev/null || exit 1
N=${N:-100000}
RUNS=${RUNS:-2}
PGBIN=/usr/lib/postgresql/15/bin
PGD=$(mktemp -d /tmp/cutover-bench-pg.XXXXXX)
chown postgres:postgres "$PGD"
cap=
trap '[ -n "$cap" ] && kill -9 "$cap" 2>/dev/null;
      runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate -w stop >/dev/null 2>&1;
      rm -rf "$PGD"' EXIT
PORT=$((20000 + RANDOM % 30000))
runuser -u postgres -- "$PGBIN/initdb" -D "$PGD/data" -U postgres -A trust --no-sync \
  -E UTF8 --locale=C.UTF-8 >"$PGD/initdb.log" 2>&1 || { cat "$PGD/initdb.log"; exit 1; }
cat >>"$PGD/data/postgresql.conf" <<EOF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$PGD'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/server.log" -w -t 30 start \
  >/dev/null || exit 1
q() { psql -h "$PGD" -p "$PORT" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 "$@"; }
# new on PostgreSQL too, so that the capture records the keys it writes
# (the mapping's key: for the rows that skipped new), as in a ceremony
q -c "CREATE TABLE orders_legacy (id bigserial PRIMARY KEY, customer text, amount numeric)" \
  -c "CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount numeric)" || exit 1
cat >"$PGD/rb.md" <<EOF
# Capture bench

## Roles
- commander: A
- dba: B

## Systems
- old: postgres \`host=$PGD port=$PORT dbname=postgres user=postgres\` table \`orders_legacy\` key \`id\`
- new: postgres \`host=$PGD port=$PORT dbname=postgres user=postgres\` table \`orders\`

## Writers
- bench: app \`bench\` role \`postgres\`

## Phase 1: Prepare {readonly}
- [ ] dba: every writer is known \`writers\`
EOF
echo "\\set c random(1, 1000)
INSERT INTO orders_legacy (customer, amount) VALUES ('c' || :c, :c);" >"$PGD/insert.sql"
chmod 644 "$PGD/insert.sql"

# inserts: the rate of N single-row inserts, in rows/s
inserts() {
  q -c "TRUNCATE orders_legacy" || return 1
  PGAPPNAME=bench "$PGBIN/pgbench" -h "$PGD" -p "$PORT" -U postgres -n -c 1 -t "$N" \
    -f "$PGD/insert.sql" postgres 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1
}
# with LEVEL: the same while `cutover writers --capture` listens
with() {
  "$ROOT_CUTOVER" writers "$PGD/rb.md" --capture 1h --capture-level "$1" >"$PGD/cap.out" 2>&1 &
  cap=$!
  for _ in $(seq 200); do
    [ "$(q -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cutover_audit%'")" -gt 0 ] && break
    sleep 0.05
  done
  local r; r=$(inserts)
  kill -INT "$cap" 2>/dev/null || { echo "the capture ended early:" >&2; cat "$PGD/cap.out" >&2; exit 1; }
  wait "$cap"; cap=
  [ "$(q -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cutover_audit%'")" = 0 ] ||
    { echo "the capture trigger was not removed" >&2; exit 1; }
  echo "$r"
}
ROOT_CUTOVER=$PWD/cutover
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
none=0 stmt=0 row=0
for ((r = 0; r < RUNS; r++)); do
  a=$(inserts) && b=$(with statement) && c=$(with row) && [ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] ||
    exit 1
  none=$(best "$none" "$a") stmt=$(best "$stmt" "$b") row=$(best "$row" "$c")
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf 'capture overhead on %d single-row inserts (one client, fastest of %d):\n' "$N" "$RUNS"
printf '  no trigger                %8.0f inserts/s  %6.1f us each\n' "$none" "$(awk -v t="$none" 'BEGIN{print 1e6/t}')"
printf '  statement-level capture   %8.0f inserts/s  %6.1f us each  time x%s\n' "$stmt" \
  "$(awk -v t="$stmt" 'BEGIN{print 1e6/t}')" "$(ratio "$none" "$stmt")"
printf '  row-level capture         %8.0f inserts/s  %6.1f us each  time x%s\n' "$row" \
  "$(awk -v t="$row" 'BEGIN{print 1e6/t}')" "$(ratio "$none" "$row")"
