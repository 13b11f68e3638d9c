# test_charts.sh — the live screen for a long ceremony, read off the real
# screen of `cutover demo` in tmux: each signal's chart with its scale, its
# threshold line and its span (fitted to the hold, or picked with < > 0),
# the ramp's step and the abort marked on it, the chart of the signal that
# fired, the timeline of the ramp, the journal's kind and text filters, its
# full screen and its scroll, the charts in the steps' place at 80×24, and
# mouse clicks on a step, the journal and a chart.
. tests/lib.sh
need build/ordersim >/dev/null || exit 1
. tests/demo_steps.sh

screen_has() { tmux_screen "$1" | grep -qF -- "$2"; }
# a row of the screen that holds both texts, in this order
row_has() { tmux_screen "$1" | LC_ALL=C.utf8 grep -qP -- "$2"; }

tmux_start d 120 40 "$CUTOVER demo"
check "the demo opens" wait_screen d "RAMP" 10
check "the demo's folder is found (the journal this console holds open)" wait_for 10 demo_dir_of d
dir=$(demo_dir_of d) || { finish; exit 1; }
J=$dir/demo.journal

# the scale: the top and the bottom of each chart with units, the threshold
# on the axis and drawn across as a dashed line
check "the dual-write chart's threshold 1% is a line across" row_has d "│ +1%┼┄{20,}"
check "  … with the scale's top and bottom in percent" row_has d "│ +2%┤.*│ +0%┤|│ +2%┤"
check "  … and 0% at the bottom" row_has d "│ +0%┤"
check "the latency chart's bound 2 (no unit) is its line" row_has d "│ +2┼┄{20,}"
check "the shadow reads' 0.1% is theirs" row_has d "│ +0\.1%┼┄{20,}"
check "before the ramp the span is 5 minutes, fitted" wait_screen d "-5m fit"

# 200×50: the extra rows go to the charts and the journal, not to empty step rows
# panel_rows TOP_TEXT END_TEXT: rows from the row with TOP_TEXT to the next with END_TEXT
panel_rows() { tmux_screen d | awk -v a="$1" -v b="$2" 'i && index($0, b) { print NR - i; exit } !i && index($0, a) { i = NR }'; }
chart_rows() { panel_rows "┌─ Dual-write" " Timeline "; }
journal_rows() { panel_rows "┌─ Journal" "└"; }
# the steps panel's rows with nothing in them (its left border, spaces, its right border)
empty_step_rows() { tmux_screen d | awk 'index($0, "┌─ Steps") { on = 1; next } on && /^└/ { exit } on && /^│ +││/ { n++ } END { print n + 0 }'; }
charts_120=$(chart_rows); journal_120=$(journal_rows)
tmux_resize d 200 50
bigger() { [ "$(chart_rows)" -gt "$charts_120" ] && [ "$(journal_rows)" -gt "$journal_120" ]; }
check "at 200×50 the charts ($charts_120 rows at 120×40) and the journal ($journal_120) get more rows" \
  wait_for 10 bigger
check "  … and the steps panel no empty rows" test "$(empty_step_rows)" -eq 0
tmux_resize d 120 40
back_120() { [ "$(chart_rows)" -eq "$charts_120" ]; }
check "back at 120×40 the charts have their $charts_120 rows again" wait_for 10 back_120

# the span by key
tmux_keys d '<'
check "< shows a longer span (15 minutes), no longer fitted" wait_screen d "-15m "
check "  … 'fit' is gone" screen_gone d "-5m fit"
tmux_keys d '>' '>'
check "> > shows a shorter one (1 minute)" wait_screen d "-1m "
tmux_keys d '0'
check "0 fits the span to the hold again" wait_screen d "-5m fit"

# the mouse, where the terminal reports it: a click (X10 report, as tmux
# passes it) at COL ROW, 1-based, both under 95
click() {
  local b x y
  x=$(printf "\\$(printf %o $((32 + $1)))"); y=$(printf "\\$(printf %o $((32 + $2)))")
  tmux_keys d -l "$(printf '\033[M ')$x$y$(printf '\033[M#')$x$y"
}
row_of() { tmux_screen d | grep -nF -- "$1" | head -1 | cut -d: -f1; }
click 10 $(($(row_of "[ ] 2.3") ))
check "a click on a step selects it (its text shows)" wait_screen d "2.3 — owner: dba"
click 90 $(($(row_of "Journal ") + 2))
check "a click on the journal gives it the whole screen" wait_screen d "J Esc back"
click 40 10
check "  … a click anywhere gives the screen back" wait_screen d "Steps "
click 10 $(($(row_of "─ Dual-write ─") + 3))
check "a click on a chart shows a longer span" wait_screen d "-15m "
tmux_keys d 0
check "  … 0 fits it again" wait_screen d "-5m fit"

# the ramp: a step, then an abort by the demo's fault
demo_steps_before_ramp "$J" runbooks/demo.md
check "the ramp is ready" wait_screen d "press +" 20
tmux_keys d + 1 Enter
check "the ramp holds 1%" wait_screen d "HOLDING 1%" 20
check "the hold (30 s) fits a 1-minute span" wait_screen d "-1m fit"
check "the step is marked on the charts: its share where its hold began" wait_for 15 row_has d "┊1%"
check "the timeline shows the step" wait_screen d "┃1%━"
check "the timeline marks the acknowledgements" row_has d "^ +.*k.*k"
tmux_keys d F 1 Enter
check "the fault makes the criterion fire and the ramp abort" wait_screen d "ABORTED" 40
check "the signal that fired has its chart (it has no panel)" \
  wait_screen d "new_read_error_rate  (fired: abort if new_read_error_rate > 1%"
check "  … with its threshold line" wait_for 10 row_has d '│ +1%┼┄+.*[\x{2801}-\x{28FF}]'
check "the abort is marked A on the charts' axis" row_has d "-1m fit .*A"
check "the timeline strikes the step through after the abort" wait_screen d "━╳"
check "  … and marks the abort" row_has d "^ +k.*A *$"
tmux_keys d F 0 Enter

# the journal, given the whole screen: kind filter, text filter, scroll
tmux_keys d J
check "J gives the journal the whole screen" wait_screen d "J Esc back"
check "  … its status line names the kind key the panel answers (e, not v: v approves)" \
  sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t d | tail -n 1 | grep -q ' e kind' && ! tmux -S '$TMUX_SOCK' capture-pane -p -t d | tail -n 1 | grep -q ' v kind'"
check "  … with the timeline above it" wait_screen d "Timeline"
check "  … and no steps" screen_gone d "Steps "
check "  … long lines wrap rather than being cut" \
  row_has d "ABORT from 1%: abort if new_read_error_rate > 1% for 10s"
check "the journal shows the flag's events" wait_screen d "flag set to 0% (rollback)"
tmux_keys d e
check "e keeps only the aborts" wait_screen d "only aborts"
check "  … the abort is there" wait_screen d "ABORT from 1%"
check "  … the flag's events are not" screen_gone d "flag set to 0% (rollback)"
tmux_keys d e
check "e again: only the acknowledgements" wait_screen d "only acks"
check "  … an ack is there" wait_screen d "step 4.1 acknowledged by"
check "  … the abort is not" screen_gone d "ABORT from 1%"
tmux_keys d e e e
check "after notes, e shows everything again" screen_gone d "only "
tmux_keys d /
check "/ asks for the text to find" wait_screen d "find in the journal"
tmux_keys d rollback Enter
check "the title says what is found" wait_screen d "/rollback"
check "  … a line with the text is there" wait_screen d "rollback confirmed"
check "  … a line without it is not" screen_gone d "console opened by"
tmux_keys d / Enter
check "an empty find shows everything again" screen_gone d "/rollback"
check "the newest lines show, not the oldest" screen_gone d "console opened by"
tmux_keys d Home
# The panel holds the newest 256 events of the fold: the console's opening
# is its oldest page until the demo's compare journals its divergences.
oldest_page() {
  tmux_screen d | grep -q "console opened by" && return 0
  [ "$(sql "$J" "select count(*) from events")" -gt 256 ] && tmux_screen d | grep -q "older"
}
# on failure: the events journaled, and the screen
oldest_or_why() {
  wait_for 10 oldest_page && return 0
  echo "events: $(sql "$J" "select count(*) from events")"; tmux_screen d | head -12
  return 1
}
check "Home scrolls back to the oldest page: the console opening, or the oldest held" oldest_or_why
check "  … the title counts the lines below" wait_screen d "older"
n=$(tmux_screen d | sed -n 's/.*↑\([0-9]*\) older.*/\1/p'); echo $((n - 1)) >"$T/older"
tmux_keys d Down
check "↓ scrolls one line towards the newest at once (never past the oldest page)" \
  wait_for 5 sh -c 'n=$(tmux -S "$0" capture-pane -p -t d | sed -n "s/.*↑\([0-9]*\) older.*/\1/p"); [ -n "$n" ] && [ "$n" -eq "$(cat "$1")" ]' "$TMUX_SOCK" "$T/older"
tmux_keys d End
check "End comes back to the newest" screen_gone d "older"
tmux_keys d Escape
check "Esc gives the screen back" wait_screen d "Steps "

# 80×24: everything readable; Tab puts the charts where the steps are
tmux_resize d 80 24
check "at 80×24 the charts' panels are there (as sparklines)" wait_screen d "Dual-write"
tmux_keys d Tab
check "Tab shows the charts in the steps' place" screen_gone d "Steps "
check "  … with their scale and span" row_has d "│ +1%┼┄+"
check "  … and time axis" wait_screen d "-1m fit"
tmux_keys d Tab
check "Tab again brings the steps back" wait_screen d "Steps "

tmux_keys d q
tmux_keys d y Enter
wait_for 10 sh -c '! pgrep -f "ordersim --old $0/old.db" >/dev/null' "$dir"
rm -rf "$dir"
finish
