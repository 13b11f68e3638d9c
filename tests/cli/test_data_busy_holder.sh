#!/bin/bash
# test_data_busy_holder.sh — in an SQLite new a copy holds its job by its
# pid and a heartbeat, and a heartbeat more than 5 s old was taken for a
# holder gone. But a copy busy in one long statement cannot beat: a batch
# waiting on new's write lock (dual-write's long transaction) or itself
# taking that long. A second start then took the job over, and the first
# copy stopped, its claim lost. Now a stale heartbeat is a holder gone
# only when its process is: dead, stopped (Ctrl-Z), or another process
# given the pid since. Forged rows prove each case; then the story
# itself: new locked for 7 s under a running copy, a second start meanwhile.
. tests/lib.sh
. tests/data/fixture.sh
RB=$T/rb.md
now_ms() { date +%s%3N; }
forge() {  # PID HEARTBEAT_MS: the control row of a holder
  sql "$T/new.db" "CREATE TABLE IF NOT EXISTS cutover_backfill_control (job TEXT PRIMARY KEY,
    pid INTEGER NOT NULL DEFAULT 0, heartbeat_ms INTEGER NOT NULL DEFAULT 0,
    rate REAL NOT NULL DEFAULT 0, paused INTEGER NOT NULL DEFAULT 0, rate_set INTEGER NOT NULL DEFAULT 0);
    INSERT OR REPLACE INTO cutover_backfill_control (job, pid, heartbeat_ms) VALUES ('backfill:orders', $1, $2)"
}
copied() { sql "$T/new.db" "SELECT count(*) FROM orders"; }
gone() { ! kill -0 "$1" 2>/dev/null; }

make_stores "$T" 3000
# pid 1 runs, and started long before any heartbeat: a busy holder
forge 1 $(( $(now_ms) - 7000 ))
check "a holder whose heartbeat is 7 s old but whose process runs: a start is refused" \
  expect_exit 1 "$CUTOVER" backfill "$RB"
check "  … naming it" contains "$T/.last" "already running (pid 1)"
check "  … and copies nothing" test "$(copied)" = 0

sleep 300 & stopped=$!
kill -STOP $stopped
forge $stopped $(( $(now_ms) - 7000 ))
check "a stopped holder (Ctrl-Z) 7 s silent is taken over" expect_exit 0 "$CUTOVER" backfill "$RB"
check "  … every row copied" test "$(copied)" = 3000
kill -KILL $stopped; wait $stopped 2>/dev/null

make_stores "$T" 3000
sleep 300 & other=$!
forge $other $(( $(now_ms) - 60000 ))
check "a pid given to another process since the heartbeat is taken over" expect_exit 0 "$CUTOVER" backfill "$RB"
check "  … every row copied" test "$(copied)" = 3000
kill $other; wait $other 2>/dev/null

# the story: dual-write holds new's write lock for 7 s under a running copy
make_stores "$T" 40000
"$CUTOVER" backfill "$RB" --rate 4000 >"$T/a.out" 2>&1 &
a=$!
check "a copy runs" wait_for 30 at_least 2000
python3 -c "
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute('BEGIN IMMEDIATE'); open(sys.argv[2], 'w').close(); time.sleep(7); c.execute('COMMIT')
" "$T/new.db" "$T/locked" &
locker=$!
check "dual-write holds new's write lock" wait_for 30 test -e "$T/locked"
stale() { [ $(( $(now_ms) - $(sql "$T/new.db" "SELECT heartbeat_ms FROM cutover_backfill_control") )) -gt 5500 ]; }
check "  … until the copy's heartbeat is past its lapse" wait_for 30 stale
check "a second start meanwhile is refused (it waits for the lock, then sees the copy)" \
  expect_exit 1 "$CUTOVER" backfill "$RB"
check "  … naming the copy" contains "$T/.last" "already running (pid $a)"
wait $locker
check "the first copy goes on and finishes" wait_for 60 gone $a
wait $a; rc=$?
check "  … exit 0, its claim never lost" test "$rc" = 0
check "  … every row copied" test "$(copied)" = 40000
finish
