# test_data_pause_kept.sh — P in the cockpit goes by the backfill's paused
# state, not by the words of the last control: paused, then slowed with R,
# P resumes it. Paused, the console quit and started again: the job it
# starts again stays paused at the rate R set (not its step's), journaled
# so; the panel says PAUSED, and P resumes it. SQLite stores; waits for
# conditions, never for a fixed time.
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
. tests/data/jobs.sh
data_fixture 200000 p.journal 'rate=2000 batch=500'
controls() { journal_count "$J" "kind = 'backfill_control' AND json_extract(body, '\$.paused') = $1"; }
asked() { [ "$(controls "$1")" -ge "$2" ]; }
copy_paused_at() { journal_has "$J" "kind = 'backfill' AND json_extract(body, '\$.paused') = 1 AND json_extract(body, '\$.rate') = $1 AND seq > $2"; }
last_seq() { sql "$J" "SELECT max(seq) FROM events"; }

tmux_start c 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the console starts the backfill" wait_for 30 at_least 1000
tmux_keys c P
check "P pauses it" wait_until 15 asked 1 1
check "  … it obeys" wait_until 15 journal_has "$J" "kind = 'backfill' AND json_extract(body, '\$.paused') = 1"
tmux_keys c R
check "R asks for a rate" wait_screen c "backfill rate in rows/s"
tmux_keys c 1500 Enter
check "  … 1500, journaled" wait_until 15 journal_has "$J" \
  "kind = 'backfill_control' AND json_extract(body, '\$.rate') = 1500"
tmux_keys c P
check "P then resumes the paused copy (not a second pause)" wait_until 15 asked 0 1
check "  … and no second pause was sent" test "$(controls 1)" = 1
# the copy must have seen the resume before the next pause, or it never
# left its pause and has no new pause to mirror
check "  … the copy runs on, at 1500" wait_until 15 journal_has "$J" \
  "kind = 'backfill' AND json_extract(body, '\$.paused') IS NULL AND json_extract(body, '\$.rate') = 1500"
tmux_keys c P
check "P pauses it again" wait_until 15 asked 1 2
seq=$(last_seq)
check "  … it obeys" wait_until 15 copy_paused_at 1500 0
pid=$(child)
tmux_keys c q
check "quitting asks first" wait_screen c "quitting stops it"
tmux_keys c y Enter
check "  … and stops the copy" wait_for 15 gone "$pid"
held=$(ckpt)
seq=$(last_seq)
tmux_start d 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the next console starts the job again" wait_until 15 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'started' AND seq > $seq"
check "  … paused at the rate R set, journaled so" wait_until 20 copy_paused_at 1500 "$seq"
check "  … the copy says why" wait_for 15 grep -q "paused, as the last control left it" "$J.backfill.log"
check "  … the panel says PAUSED" wait_screen d "PAUSED" 20
check "  … and the checkpoint holds" test "$(ckpt)" = "$held"
tmux_keys d P
check "P resumes it" wait_until 15 asked 0 2
check "  … and it copies on" wait_for 30 at_least $((held + 500))
tmux_keys d q
check "quitting asks first" wait_screen d "quitting stops it"
tmux_keys d y Enter
check "  … and stops the copy" wait_for 15 gone "$(child)"
finish
