# test_job_lease_lost.sh — a driving console hangs while its backfill
# runs; a joined commander takes over (T) and adopts the running job; the
# old console wakes and finds it no longer drives. Before, quitting it
# still said "the backfill … runs; quitting stops it", SIGTERMed the job
# the new driver watched and journaled "stopped", and the new driver
# journaled a failure and started the copy again. Now a console that lost
# the lease forgets the job: it quits without asking about it, the job
# copies on, and the new driver journals no stop and no failure.
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
. tests/data/jobs.sh
data_fixture 200000 l.journal 'rate=2000 batch=500'
tmux_start c 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the driving console starts the backfill" wait_until 20 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'started'"
job=$(child)
check "  … which copies" wait_for 30 at_least 500
old=$(console_pid c)
kill -STOP "$old"
tmux_start d 120 40 "$CUTOVER join $J --as Ana --role commander"
check "a joined commander's console is up" wait_screen d "NO ENGINE" 20
lapsed() { [ $(( $(now_ms) - $(sql "$J" "select renewed_ms from lease") )) -gt 5200 ]; }
check "the hung driver's lease lapses" wait_until 15 lapsed
tmux_keys d T
check "T asks for a reason" wait_screen d "take over driving — the reason" 5
tmux_keys d "the driver hangs" Enter
check "the new driver adopts the running job" wait_screen d "runs on (pid $job)" 20
kill -CONT "$old"
check "the old console wakes and says it does not drive" wait_screen c "NOT DRIVING" 20
tmux_keys c q
check "  … q quits it without a word about stopping the job" wait_for 10 gone "$old"
if kill -0 "$old" 2>/dev/null; then   # it asked: say yes, and see what it does to the job
  tmux_screen c | tail -1; tmux_keys c y Enter
fi
now=$(ckpt)
check "the job copies on" wait_for 20 at_least $((now + 1000))
check "  … nobody journaled it stopped" test "$(events data_job "json_extract(body, '\$.state') = 'stopped'")" = 0
check "  … nor failed" test "$(events data_job "json_extract(body, '\$.state') = 'failed'")" = 0
check "  … nor started it twice" test "$(events data_job "json_extract(body, '\$.state') = 'started'")" = 1
check "the new driver still shows it running" wait_screen d "running, pid $job"
tmux_keys d q
check "  … and its own quit asks about it" wait_screen d "quitting stops it"
tmux_keys d y Enter
check "  … and stops it, journaled once" wait_until 15 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'stopped'"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
