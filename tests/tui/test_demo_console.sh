# test_demo_console.sh — `cutover demo` in tmux as a commander would use it:
# live signals from the real demo service, a confirmed advance, a refused
# one, the fault menu, the automatic abort with the rollback plan on
# screen, a resume with a written reason, and quitting stops the service.
. tests/lib.sh
need build/ordersim >/dev/null || exit 1
tmux_start d 120 40 "$CUTOVER demo"
check "the demo opens with the ramp bar" wait_screen d "RAMP" 10
check "the demo's folder is found (the journal this console holds open)" wait_for 10 demo_dir_of d
dir=$(demo_dir_of d) || { finish; exit 1; }
J=$dir/demo.journal
# the live ratio wanders either side of 1 (0.98 as often as 1.02): a number is what shows it is live
live_ratio() { tmux -S "$TMUX_SOCK" capture-pane -p -t d | grep -qE "ratio [0-9]+\.[0-9]"; }
check "the signals come from the live service (a p99 ratio is shown)" wait_for 30 live_ratio
check "the criteria are judged ok" wait_screen d " OK " 20

. tests/demo_steps.sh   # backfill and compare: by the commander's override
demo_steps_before_ramp "$J" runbooks/demo.md
check "the phases before the ramp are done" wait_screen d "Phase 4: Cutover ceremony  2/4 current"
check "the ramp is ready for the commander" wait_screen d "press +"

tmux_keys d +
check "+ asks for the target percentage" wait_screen d "type the target percentage (1)"
tmux_keys d 5 Enter
check "a wrong percentage is refused" wait_screen d "typed \"5\", but the next step is 1%"
tmux_keys d + 1 Enter
check "typing 1 advances: the flag is set and read back" wait_screen d "HOLDING 1%" 20
check "the hold counts down" wait_screen d "hold 2"
# the footer offers the keys that matter now: advance and abort while it holds, no resume yet
check "the footer while holding: + advance, ! abort, the demo's F, no r resume" \
  wait_screen d "n note  + advance  ! abort  F faults  ? help  q quit" 15
check "… and r resume is nowhere on the bottom row" sh -c "! tail -n 1 '$T/screen' | grep -q 'r resume'"
tmux_keys d + 5 Enter
check "advancing during the hold is refused, with the time left" wait_screen d "refused: holding 1%"
check "refusals are journaled" test "$(sql "$J" "select count(*) from events where kind='ramp_refused'")" -ge 2

tmux_resize d 80 24
tmux_keys d F
check "F opens the demo's fault menu" wait_screen d "1 new-read errors"
# at 80 columns the status line held half of it ("… · new.db: 6 val…")
check "  … whole at 80×24: every choice in the menu over the screen" \
  sh -c 'grep -qF "9 space             new.db: trailing spaces" "$0" && grep -qF "0 reset             every fault" "$0"' "$T/screen"
check "  … and the question, uncut, on the status line" grep -qF "fault (1–9, 0 reset) and Enter:" "$T/screen"
tmux_resize d 120 40
tmux_keys d 1 Enter
check "the fault is sent" wait_screen d "demo fault sent: 5% of reads on new fail"
check "the criterion goes pending" wait_screen d "PENDING" 20
check "the abort comes by itself, the rollback read back (at 1% it is effective at once)" \
  wait_screen d "flag back at 0%" 30
check "the screen says ABORTED" wait_screen d "ABORTED"
# at 80×24 the four criteria fill their panel: no chart below names the
# one that fired, so its row does, beside the value now (the crossing and
# the worst are in the banner); on main the row was values only
tmux_resize d 80 24
firing_named() { tmux_screen d | grep -qE "FIRING  now [0-9.]+ %  abort if new_read_error"; }
check "at 80×24 the firing row names what fired" wait_until 10 firing_named
tmux_resize d 120 40
# the banner (the top rows) wraps where its width says: join its rows
check "  … with its cause" wait_for 10 sh -c 'tmux -S "$0" capture-pane -p -t d | head -5 | tr "\n" " " | tr -s " " | grep -qF "abort if new_read_error_rate > 1% for 10s"' "$TMUX_SOCK"
check "the rollback plan of the phase is on screen" wait_screen d "Flip \`orders-read-new\` back to 0%"
check "after the abort the footer offers r resume (and no + advance)" \
  wait_screen d "n note  r resume  F faults  ? help  q quit" 15
tmux_keys d F 0 Enter
tmux_keys d '?'
check "? lists every key, F o T v among them" wait_screen d "the demo's fault menu" 5
for key in "o         override" "T         take over" "v         approve" "F         the demo"; do
  check "  … help has '$key'" grep -qF "$key" "$T/screen"
done
tmux_keys d Escape
check "any key closes help" wait_for 5 sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t d | grep -q 'this help (any key closes it)'"
tmux_keys d r
check "r asks for a reason" wait_screen d "the reason (journaled)"
tmux_keys d "too early" Enter
check "r is refused while the criterion still fires, with its value now" wait_screen d "still fires: now"
clear_again() { [ "$(sql "$J" "select count(*) from events where kind='criterion' and json_extract(body,'\$.to')='ok' and seq > (select max(seq) from events where kind='abort')")" -ge 1 ]; }
check "the fault cleared, the criterion is ok again (its 30s rate falls)" wait_for 90 clear_again
tmux_keys d r
tmux_keys d "fault injected on purpose" Enter
check "resumed with the reason" wait_screen d "resumed: fault injected on purpose"
check "the resume is journaled with its reason" \
  test "$(sql "$J" "select json_extract(body,'\$.reason') from events where kind='resume'")" = "fault injected on purpose"
tmux_keys d q
check "quitting stops the service and names the journal" wait_screen d "service stopped; the journal is $J" 10
check "no demo service is left running" sh -c '! pgrep -f "ordersim --old $0/old.db" >/dev/null' "$dir"
rm -rf "$dir"
finish
