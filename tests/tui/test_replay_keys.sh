# test_replay_keys.sh — issue 19, replay's keys that test_replay.sh does not
# press: h o k (and H O K back) jump to the next halt, override and
# acknowledgement, . and , step one event, 1–4 choose the speed, space
# plays and pauses, ← → move a minute, ? lists replay's own keys (with the
# charts' and the journal's) and any key closes them. A journal with an
# ack, then an abort (30 s later), a halt, an override and a note a minute
# apart
# (written through the journal's own append: tests/tools/journal_put).
. tests/lib.sh
. tests/wait.sh
. tests/acked_lib.sh
J=$T/k.journal
acked_journal "Replay keys" "$T/rb.md" "$J"
t0=$(sql "$J" "select max(ts_ms) from events")
"$PUT" "$J" abort '{"cause":"abort number one","percent_before":1,"manual":true}' $((t0 + 30000)) >/dev/null
"$PUT" "$J" halt '{"cause":"incident number one"}' $((t0 + 120000)) >/dev/null
"$PUT" "$J" override '{"guard":"gate","reason":"override number one"}' $((t0 + 180000)) "Alice Ng/commander" >/dev/null
"$PUT" "$J" note '{"text":"the last word"}' $((t0 + 240000)) "Alice Ng/commander" >/dev/null
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
n=$(sql "$J" "select count(*) from events")

row() { tmux_screen r | sed -n 's/.* row \([0-9]*\)\/.*/\1/p' | head -1; }
at_row() { [ "$(row)" = "$1" ]; }
tmux_start r 120 40 "$CUTOVER replay $J"
check "replay opens paused at the first row" wait_screen r "row 1/"
check "  … paused at ×1" grep -q "❚❚ ×1 .* row 1/" "$T/screen"
tmux_keys r k
check "k: the next acknowledgement (the bridge's)" wait_screen r "step bridge acknowledged by Alice Ng"
check "  … and not past it: no abort yet" screen_gone r "ABORT from 1%"
tmux_keys r h
check "h: the next halt" wait_screen r "HALT — incident: incident number one"
check "  … the abort before it shows too" wait_screen r "ABORT from 1%: abort number one"
check "  … the override after it does not" screen_gone r "override number one"
tmux_keys r o
check "o: the next override" wait_screen r "override (gate): override number one"
check "  … the note after it does not show" screen_gone r "the last word"
here=$(row)
tmux_keys r .
check ". : one event on (row $here → the note)" wait_screen r "the last word"
tmux_keys r ,
check ", : one event back, the note gone again" screen_gone r "the last word"
check "  … at the override's row again ($here)" wait_until 5 at_row "$here"
tmux_keys r H
check "H: back to the halt, the override gone" screen_gone r "override number one"
check "  … the halt shown" wait_screen r "incident number one"
tmux_keys r O
check "O with no override before: said in words" wait_screen r "no override that way"
tmux_keys r K
check "K: back to the acknowledgement, the halt gone" screen_gone r "incident number one"
tmux_keys r Right
check "→: a minute on, past the abort (30 s after the last event then)" wait_screen r "ABORT from 1%"
tmux_keys r Left
check "←: a minute back, the abort gone" screen_gone r "ABORT from 1%"
tmux_keys r 2
check "2: speed ×10" wait_screen r "❚❚ ×10 "
tmux_keys r 3
check "3: speed ×60" wait_screen r "❚❚ ×60 "
tmux_keys r Space
check "space plays: ▶ ×60" wait_screen r "▶ ×60 "
check "  … and time moves: the abort comes within seconds" wait_screen r "ABORT from 1%" 10
tmux_keys r Space
check "space again pauses" wait_screen r "❚❚ ×60 "
paused=$(tmux_screen r | sed -n 's/.*×60  \([^ ]* [^ ]*\) .*/\1/p' | head -1)
check "  … and time stands still while paused" sh -c "[ -n '$paused' ] && sleep 1.2 && tmux -S '$TMUX_SOCK' capture-pane -p -t r | grep -qF '$paused'"
tmux_keys r 1
check "1: speed ×1" wait_screen r "❚❚ ×1 "
tmux_keys r '?'
check "? lists replay's keys" wait_screen r "play / pause"
check "  … the jumps" wait_screen r "a h o k"
check "  … the charts' and the journal's keys too" wait_screen r "J { } / e"
check "  … and not the live console's (no acknowledge, no abort)" screen_gone r "acknowledge the selected step"
tmux_keys r x
check "any key closes it" screen_gone r "play / pause"
tmux_resize r 80 24
tmux_keys r '?'
check "at 80×24 its lines are whole (none cut with …)" wait_screen r "(A H O K: the previous)"
check "  … the journal's keys too" grep -q "by kind  *│" "$T/screen"
tmux_keys r x
screen_gone r "play / pause" >/dev/null
tmux_resize r 120 40
check "  … and is not taken as a command (still paused at ×1)" wait_screen r "❚❚ ×1 "
tmux_keys r End
check "End: the last moment, the note" wait_screen r "the last word"
check "  … row $n of the events" wait_screen r "row $n/"
tmux_keys r q
finish
