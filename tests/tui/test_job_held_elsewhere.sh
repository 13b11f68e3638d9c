#!/bin/bash
# test_job_held_elsewhere.sh — a backfill runs on another machine (a DBA's
# copy from a bastion; here a holder whose pid this machine cannot see as
# a backfill) when the console's backfill step comes up. The console's
# child refuses (exit 4, held), and the console, unable to watch a
# process it cannot see, called that a failure: FAILED in red, "started
# again in 1s", 2s, 4s …, one `failed` and one `started` journaled each
# time, for as long as the other copy ran. Now it is journaled once as
# `held` (another copy runs it, not seen from here), the panel says so
# without FAILED, the console asks again quietly (journaling nothing
# while the answer stays the same), and once the other copy lets go its
# own copy starts and the step completes itself; a console killed -9
# and started again meanwhile decides the same. SQLite stores; the
# holder is a forged control row.
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
. tests/data/jobs.sh
data_fixture 20000 e.journal 'rate=20000 batch=1000'
now_ms() { date +%s%3N; }
# the other machine's copy: its control row, its pid some process here
# that is no backfill, its heartbeat kept fresh
sleep 600 & other=$!
sql "$T/new.db" "CREATE TABLE cutover_backfill_control (job TEXT PRIMARY KEY,
  pid INTEGER NOT NULL DEFAULT 0, heartbeat_ms INTEGER NOT NULL DEFAULT 0,
  rate REAL NOT NULL DEFAULT 0, paused INTEGER NOT NULL DEFAULT 0, rate_set INTEGER NOT NULL DEFAULT 0);
  INSERT INTO cutover_backfill_control (job, pid, heartbeat_ms) VALUES ('backfill:orders', $other, $(now_ms))"
( while [ -e "$T/beat" ]; do
    sql "$T/new.db" "UPDATE cutover_backfill_control SET heartbeat_ms = $(now_ms) WHERE pid = $other" 2>/dev/null
    sleep 0.5
  done ) & touch "$T/beat"; beater=$!
tmux_start c 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the console's child finds the job held elsewhere: journaled held" wait_until 20 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'held' AND json_extract(body, '\$.pid') = $other"
check "  … the panel says so" wait_screen c "held by another copy" 15
check "  … and not FAILED" bash -c "! grep -q FAILED '$T/screen'"
# the console asks again (its child's log grows) and journals nothing new
asked_again() { [ "$(grep -c "already run by another copy" "$J.backfill.log")" -ge 3 ]; }
check "the console asks again while it is held" wait_for 60 asked_again
check "  … journaling no failure" test "$(events data_job "json_extract(body, '\$.state') = 'failed'")" = 0
check "  … held said once" test "$(events data_job "json_extract(body, '\$.state') = 'held'")" = 1
check "  … and no start for the refused asks (the first start only)" \
  test "$(events data_job "json_extract(body, '\$.state') = 'started'")" = 1
# the console killed -9 while held and started again decides as the live
# one did: held (from the journal), asking quietly, journaling no job event
jobs_before=$(events data_job)
kill -9 "$(console_pid c)"
tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
grep -c "already run by another copy" "$J.backfill.log" >"$T/asks0"
asked_more() { [ "$(grep -c "already run by another copy" "$J.backfill.log")" -ge $(( $(cat "$T/asks0") + 2 )) ]; }
tmux_start c 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "killed -9 and started again, the console says held" wait_screen c "held by another copy" 20
check "  … asks again" wait_for 60 asked_more
check "  … and journals no job event (held, failed or started) for it" test "$(events data_job)" = "$jobs_before"
# the other copy ends: it lets go of the job
rm -f "$T/beat"; wait $beater 2>/dev/null
sql "$T/new.db" "UPDATE cutover_backfill_control SET pid = 0"
kill $other; wait $other 2>/dev/null
check "then the console's own copy starts" wait_until 60 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'started' AND seq > (SELECT seq FROM events WHERE kind = 'data_job' AND json_extract(body, '\$.state') = 'held')"
check "  … and the step completes itself" wait_screen c "[x] 2.1" 60
check "every row copied" test "$(sql "$T/new.db" "SELECT count(*) FROM orders")" = 20000
finish
