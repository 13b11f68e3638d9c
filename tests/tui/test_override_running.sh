#!/bin/bash
# test_override_running.sh — the commander overrides the backfill step
# while its copy runs: the step completes, the copy goes on, and the
# compare step's turn comes. The comparison must wait for the copy to
# end: beside it, it called every row not yet copied missing (188,300
# missing-in-new in 30 s, a 100 MB journal, when a tester tried it).
. tests/lib.sh
. tests/data/fixture.sh
. tests/data/jobs.sh
data_fixture 100000 o.journal rate=4000
# at_least N: new holds N rows (the copy's own count, not its checkpoint)
at_least() { [ "$(sql "$T/new.db" 'SELECT count(*) FROM orders' 2>/dev/null || echo 0)" -ge "$1" ]; }
cleanup_hook() { kill "$pid" 2>/dev/null; }

"$CUTOVER" run "$RB" --journal "$J" --headless --as Ana --role commander >"$T/run.out" 2>&1 &
pid=$!
check "the console starts the backfill at its step's turn" wait_for 30 at_least 2000
check "the commander overrides the backfill step while it copies" \
  expect_exit 0 "$CUTOVER" ack "$J" 2.1 --override --reason "we go on" --as Ana --role commander
now=$(sql "$T/new.db" 'SELECT count(*) FROM orders')
check "  … the copy goes on (5,000 rows more)" wait_for 30 at_least $((now + 5000))
check "  … and no comparison starts meanwhile" \
  test "$(events data_job "json_extract(body, '\$.job') = 'compare'")" = 0
check "  … the copy still runs" test "$(events data_job "json_extract(body, '\$.job') = 'backfill' AND json_extract(body, '\$.state') = 'finished'")" = 0
check "the copy is let go faster (R from a script)" \
  expect_exit 0 "$CUTOVER" backfill "$RB" --rate 0 --running --journal "$J" --as Bo --role dba
check "  … the copy finishes" \
  wait_for 60 has data_job "json_extract(body, '\$.job') = 'backfill' AND json_extract(body, '\$.state') = 'finished'"
check "  … then the comparison starts" \
  wait_for 30 has data_job "json_extract(body, '\$.job') = 'compare' AND json_extract(body, '\$.state') = 'started'"
check "  … and finds old and new the same" wait_for 60 has compare "json_extract(body, '\$.divergent') = 0"
check "  … with no divergence journaled" test "$(events divergence)" = 0
kill -TERM $pid
wait_for 20 gone $pid
finish
