#!/bin/bash
# test_binary_replaced.sh — a console runs for hours; meanwhile the
# cutover binary is upgraded in place (a package, a `make install`: a new
# file renamed over the old path). The console started its jobs and its
# P/R controls from the path /proc/self/exe names, which then reads
# "…/cutover (deleted)": nothing could be started any more (a pause
# never sent, a killed copy never started again). The console now starts
# the very program it runs, whatever became of its path. SQLite stores.
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
. tests/data/jobs.sh
data_fixture 200000 r.journal 'rate=2000 batch=500'
mkdir -p "$T/bin"
cp "$CUTOVER" "$T/bin/cutover"
tmux_start c 120 40 "$T/bin/cutover run $RB --journal $J --as Ana --role commander"
check "the console starts the backfill" wait_for 30 at_least 1000
# the upgrade: a new file renamed over the running one's path
cp "$CUTOVER" "$T/bin/cutover.new" && mv "$T/bin/cutover.new" "$T/bin/cutover"
check "the running console's program now reads as deleted (the test's premise)" \
  bash -c "readlink /proc/$(console_pid c)/exe | grep -q '(deleted)'"
tmux_keys c P
check "P still pauses the copy" wait_until 15 has backfill_control "json_extract(body, '\$.paused') = 1"
check "  … and it obeys" wait_until 15 has backfill "json_extract(body, '\$.paused') = 1"
tmux_keys c P
check "P resumes it" wait_until 15 has backfill_control "json_extract(body, '\$.paused') = 0"
pid=$(child backfill)
kill -9 "$pid"
check "a copy killed -9 is started again" wait_until 20 has data_job \
  "json_extract(body, '\$.state') = 'started' AND json_extract(body, '\$.attempt') = 2"
check "  … and copies on" wait_for 30 at_least $(( $(ckpt) + 500 ))
check "no start failed" test "$(events data_job "json_extract(body, '\$.why') LIKE '%cannot start%'")" = 0
finish
