# test_data_steps.sh — the cockpit runs the data steps itself (issue 18):
# when the `backfill` step's turn comes the driving console starts
# `cutover backfill` as a child and journals it (`data_job`); its panel
# moves; `P` pauses and resumes it and `R` sets its rate (journaled as
# `backfill_control`); a kill -9 of the child is journaled as a failure and
# the job is started again, resuming from its checkpoint; the step
# completes itself; the compare step's job then starts by itself, finds the
# divergences planted in new, shows them on its panel with their causes,
# and leaves the step open. Quitting with a job running says so, stops the
# child, and the next console resumes it. SQLite stores; waits for
# conditions, never for a fixed time.
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
. tests/data/jobs.sh
N=40000
# a slow copy, so that a person (and this test) can watch it, pause it, kill it
data_fixture $N d.journal 'rate=2500 batch=500'
check "the runbook checks" expect_exit 0 "$CUTOVER" check "$RB"
step_is() { tmux_screen c | grep -qF -- "$1 $2"; }
screen_has() { tmux_screen c | grep -qE -- "$1"; }

tmux_start c 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the backfill step's turn: the driving console starts the job itself" \
  wait_until 15 journal_has "$J" "kind = 'data_job' AND json_extract(body, '\$.job') = 'backfill' AND json_extract(body, '\$.state') = 'started'"
check "  … journaled with the step and the console that started it" \
  test "$(sql "$J" "SELECT json_extract(body, '\$.step') || '|' || actor FROM events WHERE kind = 'data_job' LIMIT 1")" = "2.1|Ana/commander"
pid=$(child backfill)
check "  … a real process, copying" wait_for 30 at_least 1000
check "the backfill panel shows the job running" wait_screen c "running, pid $pid"
check "  … with rows of the total on a bar" wait_screen c "/$N "
check "  … and its rate and ETA once measured" wait_screen c "rows/s · ETA" 20
check "the steps list says the step is copying" wait_for 10 screen_has "copy the history +copying [0-9]+%"
first=$(ckpt)
check "  … and it moves" wait_for 30 at_least $((first + 1000))

tmux_keys c P
check "P pauses the backfill, through the control path" wait_until 15 journal_has "$J" \
  "kind = 'backfill_control' AND json_extract(body, '\$.paused') = 1"
check "  … journaled as the person at the console, not the engine" test \
  "$(sql "$J" "SELECT actor FROM events WHERE kind = 'backfill_control' LIMIT 1")" = "Ana/commander"
check "  … the job obeys: it mirrors the pause" wait_until 15 journal_has "$J" \
  "kind = 'backfill' AND json_extract(body, '\$.paused') = 1"
held=$(ckpt)
check "  … the panel says PAUSED" wait_screen c "PAUSED" 20
check "  … and the checkpoint held still meanwhile" test "$(ckpt)" = "$held"
tmux_keys c P
check "p again resumes it" wait_until 15 journal_has "$J" \
  "kind = 'backfill_control' AND json_extract(body, '\$.paused') = 0"
check "  … and it copies on" wait_for 30 at_least $((held + 500))

# Divergences for the compare to find, in rows the copy has passed.
sql "$T/new.db" "UPDATE orders SET customer = 'someone else' WHERE id = 5;
  UPDATE orders SET note = note || '  ' WHERE id = 7; DELETE FROM orders WHERE id = 11"

kill -9 "$pid"
check "kill -9 of the child is journaled as a failure, in words" wait_until 15 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'failed' AND json_extract(body, '\$.signal') = 9"
check "  … shown in red on the panel" wait_screen c "FAILED"
check "  … with no rows/s or ETA beside it (the same frame)" grep -q "not copying: the job failed" "$T/screen"
check "  … and the job is started again" wait_until 20 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'started' AND json_extract(body, '\$.attempt') = 2"
check "  … resuming from its checkpoint" wait_for 20 grep -q "resuming backfill:orders after key" "$J.backfill.log"

tmux_keys c R
check "R asks for the backfill's rate" wait_screen c "backfill rate in rows/s"
tmux_keys c 1000000 Enter
check "  … journaled as backfill_control, by the person at the console" wait_until 15 journal_has "$J" \
  "kind = 'backfill_control' AND json_extract(body, '\$.rate') = 1000000 AND actor = 'Ana/commander'"
check "the copy finishes and the step completes itself" wait_until 60 step_is "[x]" 2.1
# the ended copy's panel: done, and no P or R offered for a copy that is gone
ended_panel() { tmux_screen c >"$T/screen"; grep -q "every row copied" "$T/screen" && ! grep -q "P pause/resume" "$T/screen"; }
check "  … its panel says it is done and offers no P or R" wait_for 15 ended_panel
# the changes in words, as the report's timeline (and a console's log)
# gives them (they read "rate ?, paused yes (asked by a script)" for Ana's P)
"$CUTOVER" report "$J" >"$T/report.md" 2>&1
check "the report's timeline says Ana paused the copy" grep -qE "Ana/commander.*backfill backfill:orders: paused" "$T/report.md"
check "  … resumed it" grep -qE "Ana/commander.*backfill backfill:orders: resumed" "$T/report.md"
check "  … and set its rate" grep -qE "Ana/commander.*backfill backfill:orders: rate limit 1000000 rows/s" "$T/report.md"
check "  … no field shown as ?, nobody called a script" \
  bash -c "! grep -E 'backfill backfill:orders: rate \\?|asked by a script' '$T/report.md'"
check "  … every row of old is in new (but the one deleted)" test "$(sql "$T/new.db" "SELECT count(*) FROM orders")" = $((N - 1))

check "the compare step's job starts by itself" wait_until 20 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.job') = 'compare' AND json_extract(body, '\$.state') = 'started'"
check "  … finds the planted divergences" wait_until 60 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.job') = 'compare' AND json_extract(body, '\$.state') = 'diverged'"
check "  … and leaves the compare step open" step_is "[ ]" 2.2
check "  … marked DIVERGED in the steps list" wait_for 10 screen_has "2\.2 dba  compare +DIVERGED"
tmux_keys c j
check "the compare panel counts them by cause" wait_screen c "3 DIVERGENT"
for cause in value whitespace missing-in-new; do
  check "  … $cause among them" grep -qF "$cause 1" "$T/screen"
done
check "  … and shows the newest keys, each with what differs" wait_screen c '5 value customer: "cust 5" → "someone else"'
check "a diverged compare is not started again" \
  test "$(events data_job "json_extract(body, '\$.job') = 'compare' AND json_extract(body, '\$.state') = 'started'")" = 1

tmux_resize c 80 24
check "at 80×24 the compare panel still shows the count" wait_screen c "3 DIVERGENT"
tmux_keys c k
check "  … and the backfill panel its bar" wait_screen c "$N/$N 100%"
tmux_keys c c
check "c asks for the comparison again only on a compare step" wait_screen c "select an open compare"

# new repaired by hand; c on the compare step runs it again, and it passes
sql "$T/new.db" "ATTACH '$T/old.db' AS o; UPDATE orders SET customer = 'cust 5' WHERE id = 5;
  UPDATE orders SET note = 'note 7' WHERE id = 7; INSERT INTO orders SELECT id, customer_name,
  total_cents / 100.0, note, created, meta, updated_at, 'EUR', NULL FROM o.orders_legacy WHERE id = 11"
tmux_keys c j c
check "c asks for the comparison again, through the journal" wait_until 15 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'requested'"
check "  … the driving console runs it" wait_until 20 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.job') = 'compare' AND json_extract(body, '\$.state') = 'finished'"
check "  … it finds nothing, and the compare step completes itself" wait_until 20 step_is "[x]" 2.2
tmux_keys c q
check "quitting with no job running asks nothing" wait_screen c "journal: $J"
tmux_start r 120 40 "$CUTOVER replay $J"
check "replay opens the journal" wait_screen r "replay/read-only"
tmux_keys r End
check "  … to its end" wait_screen r "COMPLETE"
tmux_keys r Down
check "replay draws the compare panel from the journal alone" wait_screen r "Compare · step 2.2"
check "  … as it ended: the second run found nothing" wait_screen r "no divergence"
tmux_keys r q

# Quitting while a copy runs says so and stops it; the next run resumes it.
data_fixture $N e.journal 'rate=2500 batch=500'
tmux_start e 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "a second ceremony's backfill starts" wait_for 30 at_least 1000
pid2=$(child backfill)
tmux_start g 120 40 "$CUTOVER join $J --as Bo --role dba"
check "a joined console shows the same backfill panel" wait_screen g "running, pid $pid2"
tmux_keys g P
check "  … and its dba pauses the copy from there" wait_until 15 journal_has "$J" \
  "kind = 'backfill_control' AND json_extract(body, '\$.paused') = 1 AND actor = 'Bo/dba'"
check "  … its panel says PAUSED" wait_screen g "PAUSED" 20
tmux_keys g P
check "  … and resumes it" wait_until 15 journal_has "$J" \
  "kind = 'backfill_control' AND json_extract(body, '\$.paused') = 0"
tmux_keys g q
tmux_keys e q
check "q with the job running says so" wait_screen e "quitting stops it"
tmux_keys e y Enter
check "  … y stops the child" wait_for 15 gone "$pid2"
check "  … journaled as stopped" wait_until 15 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'stopped'"
tmux_start f 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the next run starts the job again" wait_until 15 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'started' AND seq > (SELECT max(seq) FROM events WHERE kind = 'data_job' AND json_extract(body, '\$.state') = 'stopped')"
check "  … and it resumes from its checkpoint" wait_for 20 grep -q "resuming backfill:orders" "$J.backfill.log"
tmux_keys f q
check "  … that console, quitting, asks first" wait_screen f "quitting stops it"
tmux_keys f y Enter
check "  … and stops it again" wait_until 15 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'stopped' AND seq > (SELECT max(seq) FROM events WHERE kind = 'data_job' AND json_extract(body, '\$.state') = 'started')"

# The driving console killed with -9 while its copy runs: the console that
# takes over adopts the running job rather than start a second copy.
tmux_start h 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "a third console starts the job" wait_until 15 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'started' AND seq > (SELECT max(seq) FROM events WHERE kind = 'data_job' AND json_extract(body, '\$.state') = 'stopped')"
pid3=$(child backfill)
starts=$(events data_job "json_extract(body, '\$.state') = 'started'")
console=$(console_pid h)
kill -9 "$console"
check "  … its console killed with -9, the copy runs on" kill -0 "$pid3"
tmux_start i 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the next driver adopts the running job" wait_screen i "runs on (pid $pid3)" 15
check "  … and shows it on the panel" wait_screen i "running, pid $pid3"
check "  … no second copy was started" test "$(events data_job "json_extract(body, '\$.state') = 'started'")" = "$starts"
tmux_keys i R
check "  … R there paces the adopted job" wait_screen i "backfill rate in rows/s"
tmux_keys i 1000000 Enter
check "  … when it ends, the step completes itself" wait_until 60 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'finished' AND json_extract(body, '\$.pid') = $pid3"
check "  … every row copied" test "$(sql "$T/new.db" "SELECT count(*) FROM orders")" = $N
tmux_keys i q
# A job that cannot run: each failure journaled with its reason, in red,
# started again after a longer wait each time.
data_fixture 100 f.journal
sqlite3 "$T/new.db" "DROP TABLE orders"
tmux_start k 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "a job that fails is journaled with its reason" wait_until 15 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'failed' AND json_extract(body, '\$.exit') = 1 AND json_extract(body, '\$.why') LIKE 'exited with status 1: cutover backfill: %'"
check "  … shown in red on its panel" wait_screen k "FAILED"
check "  … and started again after 1 s, then 2 s" wait_until 20 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.state') = 'failed' AND json_extract(body, '\$.retry_s') = 2"
check "  … journaled once each, by the console (the child, --driven, adds no data_failed)" \
  test "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'data_failed'")" = 0
tmux_keys k q
check "the report tells the failed runs of a backfill that never checkpointed" \
  sh -c '"$0" report "$1" >"$2" && grep -qF "| rows copied | none (no checkpoint was journaled) |" "$2" &&
         grep -qE "\| failures \| [0-9]+ runs? failed; the last: exited with status 1: cutover backfill: " "$2"' \
  "$CUTOVER" "$J" "$T/f.report"
check "  … in its JSON too" sh -c '"$0" report "$1" --format json | python3 -c "
import json, sys
b = json.load(sys.stdin)[\"data\"][\"backfill\"][0]
assert b[\"job\"] is None and b[\"rows\"] == 0 and b[\"failed\"] >= 1, b
assert b[\"last_failure\"].startswith(\"exited with status 1: cutover backfill: \"), b
"' "$CUTOVER" "$J"
check "the journals verify" expect_exit 0 "$CUTOVER" verify "$T/d.journal"
finish
