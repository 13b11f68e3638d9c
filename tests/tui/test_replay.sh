# test_replay.sh — issue 19, `cutover replay JOURNAL`: a live ceremony with
# an abort, its screens captured at chosen moments, then replay of its
# journal shows the same screens at the same moments, from the journal
# alone; it jumps to the abort and the ack, plays, goes to a typed time;
# writes nothing; a damaged journal is replayed up to its first bad row and
# says so in red.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md"
J=$T/rb.journal
tmux_start live 120 40 "$CUTOVER run $T/rb.md --journal $J"
check "the live console holds at 1%" wait_until 30 advanced "$J"
check "… its screen says HOLDING 1%" wait_screen live "HOLDING 1%" 10
cp "$T/screen" "$T/live_holding"
held_ms=$(now_ms)
metrics 0.05
check "the criterion fires: an abort" wait_until 30 journal_has "$J" "kind='abort'"
check "… the rollback is read back" wait_until 30 journal_has "$J" "kind='rollback_confirmed'"
check "… the live screen says ABORTED — flag back at 0%" wait_screen live "ABORTED — flag back at 0%" 10
cp "$T/screen" "$T/live_aborted"
tmux_keys live q   # the flag is back at 0%: nothing to confirm
wait_gone() { ! tmux -S "$TMUX_SOCK" list-panes -t live -F '#{pane_current_command}' 2>/dev/null | grep -q cutover; }
wait_until 10 wait_gone >/dev/null
before=$(sqlite3 "$J" "select count(*) from events")
sum=$(sha256sum "$J" | cut -d' ' -f1)

tmux_start r 120 40 "$CUTOVER replay $J"
check "replay opens at the journal's first row" wait_screen r "REPLAY" 10
check "… paused, with the row count and a timeline" grep -q "❚❚ ×1 .* row 1/" "$T/screen"
tmux_keys r a
check "a jumps to the abort: ABORTED on the replayed screen" wait_screen r "ABORTED" 5
tmux_keys r End
check "End shows the last moment: the flag back at 0%" wait_screen r "ABORTED — flag back at 0%" 5
cp "$T/screen" "$T/replay_end"
# fidelity: the steps, the criteria and the ramp as the live console drew them
same_rows() {   # same_rows LIVE PATTERN: the line matching PATTERN is on the replay screen too
  line=$(grep -m1 -- "$2" "$1" | sed 's/ *$//; s/[0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC.*//; s/   flag: .*//')
  [ -n "$line" ] && tmux_screen r | grep -qF -- "$line"
}
check "fidelity: the ramp bar after the abort is the live one" same_rows "$T/live_aborted" "RAMP "
check "fidelity: the step row is the live one" same_rows "$T/live_aborted" "4.1 commander"
tmux_keys r Home
check "Home: back at the start" wait_screen r "row 1/" 5
tmux_keys r g
check "g asks for a time" wait_screen r "go to (UTC" 5
at=$(date -u -d @$((held_ms / 1000)) +%H:%M:%S).$(printf %03d $((held_ms % 1000)))
tmux_keys r "$at" Enter
check "… at the moment it held: HOLDING 1% as the live screen said" wait_screen r "HOLDING 1%" 5
cp "$T/screen" "$T/replay_holding"
check "fidelity: the criterion row while holding is the live one" same_rows "$T/live_holding" "error_ratio"
tmux_keys r 4 Space
check "space plays at ×600 to the end" wait_screen r "ABORTED — flag back at 0%" 20
tmux_keys r g
tmux_keys r "not-a-time" Enter
check "a bad time is refused in words" wait_screen r "not a time: 'not-a-time'" 5
tmux_keys r q
check "replay wrote nothing: the same events ($before)" test "$(sqlite3 "$J" "select count(*) from events")" = "$before"
check "… and the same bytes" test "$(sha256sum "$J" | cut -d' ' -f1)" = "$sum"

cp "$J" "$T/bad.journal"
rm -f "$T/bad.journal-wal" "$T/bad.journal-shm"
sqlite3 "$T/bad.journal" "drop trigger if exists events_no_update; update events set body = replace(body, 'error_ratio', 'ERROR_RATIO') where seq = (select max(seq) from events where kind='abort')"
tmux_start d 120 40 "$CUTOVER replay $T/bad.journal"
check "a damaged journal says DAMAGED with its first bad row" wait_screen d "DAMAGED: events #" 10
tmux_keys d End
check "… and is replayed only up to it: no abort at the end" sh -c "sleep 0.5; ! tmux -S '$TMUX_SOCK' capture-pane -p -t d | grep -q 'ABORTED —'"
tmux_keys d q

"$CUTOVER" replay "$T/missing.journal" >"$T/miss.out" 2>&1
rc=$?
check "a missing journal: exit 1 in words ($rc)" sh -c "test $rc -eq 1 && grep -q 'does not exist' '$T/miss.out'"
cp $T/live_* $T/replay_* /tmp/ 2>/dev/null
finish
