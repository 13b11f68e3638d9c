# test_consoles.sh — two real consoles in tmux on one journal: start, move,
# acknowledge, see it on the other console (within a second: a figure of
# `make bench`, console_latency.sh; here within ten), a refusal in the status
# line, help (with the journal's path to join), a too-small terminal, quit. Asserts on the captured screens and
# on the journal.
. tests/lib.sh
J="$T/orders.journal"
# Step 2.1 is acknowledged by hand here: the writer audit that completes it
# in orders.md (its `writers` action) has suites of its own.
sed 's/ is known `writers`$/ is known/' "$ROOT/runbooks/orders.md" >"$T/orders.md"
RB=$T/orders.md
dba=$(sed -n 's/^- dba: *//p' "$RB" | head -1)

tmux_start cmd 100 30 "$CUTOVER run $RB --journal $J"
check "the commander's console opens on phase 2" wait_screen cmd "Phase 2"
check "the header shows who sits there" wait_screen cmd "/commander"
check "the rollback plan of the phase is on screen" wait_screen cmd "Rollback plan"
tmux_start rp 120 40 "$CUTOVER replay $J"
check "the journal's first line, replayed, tells the runbook loaded" wait_screen rp "runbook loaded"
check "  … as a valid event, not INVALID (its text is left out of the tail, not its field)" \
  sh -c '! tmux -S "$0" capture-pane -p -t rp | grep -q "INVALID"' "$TMUX_SOCK"
tmux_keys rp q

tmux_start dba 100 30 "$CUTOVER join $J --as '$dba' --role dba"
check "a second console joins as the dba" wait_screen dba "$dba/dba"
check "the first console sees the join in its journal tail" wait_screen cmd "console opened by $dba"

tmux_keys dba a
check "the dba acknowledges step 2.1" wait_screen dba "step 2.1 acknowledged by $dba"
check "the commander's console shows it" wait_screen cmd "[x] 2.1" 10
check "the ack is in the journal with the dba as actor" \
  test "$(sql "$J" "select actor from events where kind='ack'")" = "$dba/dba"

tmux_keys cmd a
check "the commander may not acknowledge a dba step: refused in the status line" \
  wait_screen cmd "refused: step 2.1"
check "the refusal is journaled" \
  test "$(sql "$J" "select count(*) from events where kind='ack_refused'")" = 1

tmux_keys cmd j
check "j moves the cursor to step 2.2" wait_screen cmd "2.2 —"
tmux_keys cmd '?'
check "? shows the keys" wait_screen cmd "acknowledge the selected step"
check "  … and the command that joins this journal, its path in full" wait_screen cmd "cutover join $J --as NAME --role ROLE"
tmux_keys cmd x
check "any key closes help" sh -c '! tmux -S "$0" capture-pane -p -t cmd | grep -q "this help"' "$TMUX_SOCK"

tmux_resize cmd 70 20
check "a 70×20 terminal is told it is too small" wait_screen cmd "needs at least 80×24"
tmux_resize cmd 80 24
check "at 80×24 the cockpit draws again" wait_screen cmd "Rollback plan"
# a resize while a prompt is open is the terminal's, not the prompt's
tmux_keys cmd n
check "n opens the note prompt" wait_screen cmd "note: "
tmux_resize cmd 70 20
check "  … a resize meanwhile is taken: too small" wait_screen cmd "needs at least 80×24"
tmux_resize cmd 100 30
check "  … and back to a size it draws at, the prompt still open" wait_screen cmd "note: "
check "  … drawn for 100 columns" sh -c 'tmux -S "$0" capture-pane -p -t cmd | grep -q "Rollback plan"' "$TMUX_SOCK"
tmux_keys cmd Escape
check "  … Esc cancels the note" wait_screen cmd "cancelled"
tmux_resize cmd 80 24
check "  … and at 80×24 it draws again" wait_screen cmd "Rollback plan"

tmux_keys cmd q
check "q quits and prints the journal's path" wait_screen cmd "journal: $J"
tmux_keys dba q
check "the second console quits too" wait_screen dba "journal: $J"
check "both consoles journaled their close" \
  test "$(sql "$J" "select count(*) from events where kind='console_close'")" = 2
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
