# test_job_held.sh — a backfill already runs, started by hand (as the
# README allows), when the console's backfill step comes up. Before, the
# console's child (`--driven --rate N`, from the step's {rate=N}) found the
# job held and turned into a control: it set the hand copy's rate to the
# step's, exited 0, was journaled "finished", and the console started
# another one the next tick — dozens a second. Now the driven child refuses
# (exit 4, held by another live copy) without touching the job, and the
# console watches the other copy (data_job watched): one start, the hand
# copy's rate kept, and when that copy ends the step completes itself.
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
. tests/data/jobs.sh
data_fixture 60000 h.journal 'rate=2000 batch=500'
# not this shell's child: once it ends it is gone, not a zombie kill -0 still finds
hand=$(sh -c '"$0" backfill "$1" --journal "$2" --rate 3000 >"$3" 2>&1 & echo $!' \
  "$CUTOVER" "$RB" "$J" "$T/hand.log")
check "a copy started by hand copies" wait_for 30 at_least 500
tmux_start c 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the console finds the copy running and watches it" wait_until 20 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'watched' AND json_extract(body, '\$.pid') = $hand"
check "  … its panel says so, with the hand copy's pid" wait_screen c "runs elsewhere, pid $hand" 15
check "  … its child refused, saying why" grep -q "already run by another copy (pid $hand)" "$J.backfill.log"
now=$(ckpt)
check "the hand copy copies on" wait_for 20 at_least $((now + 1000))
check "  … the console started one child, not one a tick" \
  test "$(events data_job "json_extract(body, '\$.job') = 'backfill' AND json_extract(body, '\$.state') = 'started'")" = 1
check "  … journaled no end for it but the watch" \
  test "$(events data_job "json_extract(body, '\$.state') IN ('finished', 'failed')")" = 0
check "  … and changed nothing of the hand copy (no backfill_control)" \
  test "$(events backfill_control)" = 0
check "  … whose rate is still its own" \
  test "$(sql "$T/new.db" "SELECT rate FROM cutover_backfill_control")" = 3000.0
"$CUTOVER" backfill "$RB" --journal "$J" --rate 1000000 >/dev/null 2>&1
check "the hand copy ends, done" wait_for 60 gone $hand
check "  … the watching console journals it finished" wait_until 20 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'finished' AND json_extract(body, '\$.pid') = $hand"
check "  … the step completes itself" wait_screen c "[x] 2.1" 20
check "  … and no copy of the console's ran" \
  test "$(events data_job "json_extract(body, '\$.job') = 'backfill' AND json_extract(body, '\$.state') = 'started'")" = 1
check "the report counts no run of the console's" sh -c \
  '"$0" report "$1" --format json | python3 -c "
import json, sys
b = json.load(sys.stdin)[\"data\"][\"backfill\"][0]
assert b.get(\"restarts\", 0) == 0, b
"' "$CUTOVER" "$J"
tmux_keys c q
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
