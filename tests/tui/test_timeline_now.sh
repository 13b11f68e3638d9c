# test_timeline_now.sh — a ramp step that reads back at the very moment the
# screen shows (its mark in the timeline's last column) leaves the screen
# live: the console and the replay keep drawing and answering keys. The
# timeline's step label, given one column, used to be drawn as nothing and
# the loop stepped back onto it forever: the console froze with the flag
# read back, still saying "waiting for the flag to read back".
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md"
J=$T/rb.journal
tmux_start drv 140 45 "$CUTOVER run $T/rb.md --journal $J"
check "the ramp's first step reads back" wait_until 30 advanced "$J"
check "the driving console shows it read back" wait_screen drv "HOLDING 1%" 10
tmux_keys drv '?'
check "… and still answers a key" wait_screen drv "Keys" 5
tmux_keys drv q
wait_for 10 sh -c "! tmux -S '$TMUX_SOCK' has-session -t drv 2>/dev/null" >/dev/null || tmux -S "$TMUX_SOCK" kill-session -t drv
# The replay at the step's read-back: its mark is at "now", in the last column.
ts=$(sql "$J" "select strftime('%H:%M:%f', ts_ms/1000.0, 'unixepoch') from events where kind='flag_read' and json_extract(body,'\$.purpose')='advance' and json_extract(body,'\$.ok')")
tmux_start rp 140 45 "$CUTOVER replay $J --at $ts"
check "the replay opens at the read-back ($ts)" wait_screen rp "HOLDING 1%" 10
tmux_keys rp '?'
check "… and still answers a key there: ? shows its keys" wait_screen rp "play / pause" 5
tmux_keys rp '?' End
at_end() { tmux_screen rp | grep -qE 'row ([0-9]+)/\1 '; }
check "… and goes on to the last event" wait_for 5 at_end
finish
