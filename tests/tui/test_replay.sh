# test_replay.sh — issue 19, `cutover replay JOURNAL`: a live ceremony with
# an abort and a resume, its whole screen captured at three moments (at
# 120×40 and 80×24), then replay --at each moment (the captured frame's
# millisecond) shows the same screen cell for cell (tests/tools/screen_diff.py; what is masked and why below),
# from the journal alone (the runbook moved away); it jumps to the abort
# and the ack, plays, goes to a typed time;
# writes nothing; a damaged journal is replayed up to its first bad row and
# says so in red.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md"
J=$T/rb.journal
# frame: FRAME="MS COLS ROWS" of the frame on the live screen, its clock
# time and the size it was drawn for (CUTOVER_FRAME_FILE, tui/frametime.h);
# MS is 0 while one is being drawn, or before the first (no process started)
frame() { local f=0 c=0 r=0; read -r f c r <"$T/frame" 2>/dev/null; FRAME="${f:-0} $c $r"; }
# snap NAME [COLS ROWS]: the live screen once it has drawn every event
# journaled (its journal panel's count is the journal's), and the clock
# time of that very frame: the same finished frame, drawn for the screen's
# size (120×40 unless told), before and after two captures that agree (the
# second is there for the terminal to have taken all the frame's bytes)
snap() {
  local POLL_T0 POLL_DEADLINE n f f2 shown size="${2:-120} ${3:-40}"
  poll_begin 10
  while :; do
    n=$(sql "$J" "select count(*) from events")
    # nothing but the captures between the two reads: the console draws a
    # frame for each sample (4 a second here), and a slow window never holds one
    frame; f=$FRAME
    tmux_screen live >"$T/live_$1"; tmux_screen live >"$T/live_again"
    frame; f2=$FRAME
    shown=$(sed -n 's/.*Journal  \([0-9]*\) events.*/\1/p' "$T/live_$1" | head -1)
    if [ "${f#* }" = "$size" ] && [ "$f2" = "$f" ] && [ "$shown" = "$n" ] &&
       cmp -s "$T/live_$1" "$T/live_again"; then
      echo "${f%% *}" >"$T/ts_$1"
      return 0
    fi
    poll_over && break
    poll_pause
  done
  echo "no frame of the live screen at $size showed the journal's $n events, whole (the last: $f, showing ${shown:-none})"; return 1
}
# snaps NAME: snap NAME at 120×40, then NAME_80 with the screen at 80×24
# (and back): the same moment's fidelity where the header must narrow
snaps() {
  snap "$1" && tmux_resize live 80 24 && snap "$1_80" 80 24 && tmux_resize live 120 40
}
tmux_start live 120 40 "CUTOVER_FRAME_FILE=$T/frame $CUTOVER run $T/rb.md --journal $J"
check "the live console holds at 1%" wait_until 30 advanced "$J"
check "… its screen says HOLDING 1%" wait_screen live "HOLDING 1%" 10
check "the live screen at this moment (holding) is captured, at 120×40 and 80×24" snaps holding
held_ms=$(now_ms)
metrics 0.05
check "the criterion fires: an abort" wait_until 30 journal_has "$J" "kind='abort'"
check "… the rollback is read back" wait_until 30 journal_has "$J" "kind='rollback_confirmed'"
check "… the live screen says ABORTED — flag back at 0%" wait_screen live "ABORTED — flag back at 0%" 10
check "the live screen at this moment (aborted) is captured, at 120×40 and 80×24" snaps aborted
metrics 0
check "the criterion is ok again" wait_until 30 journal_has "$J" "kind='criterion' and json_extract(body,'\$.to')='ok' and seq > (select max(seq) from events where kind='abort')"
tmux_keys live r
check "r asks the commander for a reason" wait_screen live "the reason (journaled)" 5
tmux_keys live "fault found and fixed" Enter
check "the resume is journaled" wait_until 10 journal_has "$J" "kind='resume'"
check "… the live screen says so" wait_screen live "resumed: fault found and fixed" 10
check "the live screen at this moment (resumed) is captured, at 120×40 and 80×24" snaps resumed
tmux_keys live q
wait_gone() { ! tmux -S "$TMUX_SOCK" list-panes -t live -F '#{pane_current_command}' 2>/dev/null | grep -q cutover; }
quit_live() { wait_gone && return 0; tmux_keys live y Enter; return 1; }
wait_until 10 quit_live >/dev/null
before=$(sql "$J" "select count(*) from events")
sum=$(sha256sum "$J" | cut -d' ' -f1)

# fidelity: replay of the journal alone (the runbook moved away) at each
# moment — the millisecond of the live frame captured — shows the live
# screen cell for cell: the clock, the ETA and the timeline strip too, all
# drawn from that moment. Masked, each for a reason of principle:
# - who sits at the console, in the header: "Alice Ng/commander" live,
#   "replay/read-only" in replay ("commander" and "read-only" narrower),
#   in the room the header keeps for the widest of them (panels/header.c),
#   so the rest of the header is laid out alike;
# - the bottom row: the live footer or status line, replay's own bar.
mv "$T/rb.md" "$T/rb.md.away"
# who_on SCREEN: who sits at the live console, as its header shows it
# (the name goes before the role as the header narrows)
who_on() { head -1 "$1" | grep -qF "Alice Ng/commander" && echo "Alice Ng/commander" || echo commander; }
iso() { echo "$(date -u -d @$(($1 / 1000)) +%Y-%m-%dT%H:%M:%S).$(printf %03d $(($1 % 1000)))Z"; }
for m in holding aborted resumed holding_80 aborted_80 resumed_80; do
  at=$(iso "$(cat "$T/ts_$m")")
  size="120 40"; [ "${m%_80}" = "$m" ] || size="80 24"
  tmux_start "r_$m" $size "$CUTOVER replay $J --at $at"
  check "replay --at $at ($m) opens" wait_screen "r_$m" "REPLAY" 10
  wait_for 5 sh -c '! tmux -S "$0" capture-pane -p -t "$1" | grep -q "NOT YET VERIFIED"' "$TMUX_SOCK" "r_$m" >/dev/null
  tmux_screen "r_$m" >"$T/replay_$m"
  check "fidelity ($m): the replayed screen is the live one, cell for cell" \
    python3 tests/tools/screen_diff.py "$T/live_$m" "$T/replay_$m" \
      --mask-text "$(who_on "$T/live_$m")" --mask -1:0-
  tmux_keys "r_$m" q
done
mv "$T/rb.md.away" "$T/rb.md"

tmux_start r 120 40 "$CUTOVER replay $J"
check "replay opens at the journal's first row" wait_screen r "REPLAY" 10
check "… paused, with the row count and a timeline" grep -q "❚❚ ×1 .* row 1/" "$T/screen"
tmux_keys r a
check "a jumps to the abort: ABORTED on the replayed screen" wait_screen r "ABORTED" 5
tmux_keys r End
check "End shows the last moment: resumed (its reason in the journal panel)" wait_screen r "fault found and fixed" 5
tmux_keys r Home
check "Home: back at the start" wait_screen r "row 1/" 5
tmux_keys r g
check "g asks for a time" wait_screen r "go to (UTC" 5
at=$(date -u -d @$((held_ms / 1000)) +%H:%M:%S).$(printf %03d $((held_ms % 1000)))
tmux_keys r "$at" Enter
check "… at the moment it held: HOLDING 1% as the live screen said" wait_screen r "HOLDING 1%" 5
cp "$T/screen" "$T/replay_holding"
tmux_keys r 4 Space
check "space plays at ×600 to the end: the resume's reason in the journal panel" wait_screen r "fault found and fixed" 20
tmux_keys r g
tmux_keys r "not-a-time" Enter
check "a bad time is refused in words" wait_screen r "not a time: 'not-a-time'" 5
tmux_keys r q
check "replay wrote nothing: the same events ($before)" test "$(sqlite3 "$J" "select count(*) from events")" = "$before"
check "… and the same bytes" test "$(sha256sum "$J" | cut -d' ' -f1)" = "$sum"

sql "$J" ".backup '$T/bad.journal'"   # whole, whatever the WAL still holds
sqlite3 "$T/bad.journal" "drop trigger if exists events_no_update; update events set body = replace(body, 'error_ratio', 'ERROR_RATIO') where seq = (select max(seq) from events where kind='abort')"
tmux_start d 120 40 "$CUTOVER replay $T/bad.journal"
check "a damaged journal says DAMAGED with its first bad row" wait_screen d "DAMAGED: events #" 10
tmux -S "$TMUX_SOCK" capture-pane -p -e -t d >"$T/damaged.ansi"
check "  … in red (white on a red background)" python3 tests/tools/sgr_background.py "$T/damaged.ansi" "DAMAGED: events #" 1 9
tmux_start dm 120 40 "NO_COLOR=1 $CUTOVER replay $T/bad.journal"
check "  … and without colour (NO_COLOR) it still says DAMAGED" wait_screen dm "DAMAGED: events #" 10
tmux_keys dm q
tmux_keys d End
check "… and is replayed only up to it: no abort at the end" sh -c "sleep 0.5; ! tmux -S '$TMUX_SOCK' capture-pane -p -t d | grep -q 'ABORTED —'"
tmux_keys d q

"$CUTOVER" replay "$T/missing.journal" >"$T/miss.out" 2>&1
rc=$?
check "a missing journal: exit 1 in words ($rc)" sh -c "test $rc -eq 1 && grep -q 'does not exist' '$T/miss.out'"
finish
