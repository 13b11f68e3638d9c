# test_takeover_hung.sh — issue 20, take-over of a driver that hangs
# (alive, no longer renewing its lease): joined consoles show NO ENGINE
# after 2 s, but the lease is the hung driver's for 5 s. On main, T then
# started `cutover run` in the console's place, the journal refused it
# ("is driven by"), and the commander's console was gone. Now T inside
# that window is refused in words with the seconds left, the console
# stays, and T once the lease has lapsed takes over; the hung driver,
# woken, finds its lease taken and only watches.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md"
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
check "the driver holds at 1%" wait_until 30 advanced "$J"
tmux_start c 140 45 "$CUTOVER join $J --as 'Alice Ng' --role commander; echo CONSOLE-EXITED"
check "a joined commander's console is up" wait_screen c "Brake test" 20
kill -STOP $run
check "the driver hangs: NO ENGINE" wait_screen c "NO ENGINE — nobody is watching" 5
age=$(( $(now_ms) - $(sql "$J" "select renewed_ms from lease") ))
tmux_keys c T
if [ "$age" -lt 4000 ]; then
  check "T while the hung driver's lease lives is refused, saying when it lapses" \
    wait_screen c "not yet: the driver's lease lapses in" 5
else
  echo "# the lease was ${age} ms old when T was pressed: the refusal was not reachable"
fi
check "… the commander's console is still there" sh -c '! tmux -S "$0" capture-pane -p -t c | grep -q CONSOLE-EXITED' "$TMUX_SOCK"
lapsed() { [ $(( $(now_ms) - $(sql "$J" "select renewed_ms from lease") )) -gt 5200 ]; }
check "the lease lapses" wait_until 10 lapsed
tmux_keys c Escape T
check "T now asks for a reason" wait_screen c "take over driving — the reason" 5
tmux_keys c "the driver hangs" Enter
check "the take-over is journaled" \
  wait_until 20 journal_has "$J" "kind='takeover' and json_extract(body,'\$.reason')='the driver hangs'"
check "… this console drives: the lease is its" \
  wait_until 10 sh -c "sqlite3 '$J' 'select holder, pid from lease' | grep -q 'Alice Ng/commander' && ! sqlite3 '$J' 'select pid from lease' | grep -qx $run"
check "… and holds at 1%" wait_screen c "HOLDING 1%" 10
kill -CONT $run
check "the hung driver, woken, finds its lease taken and says so" \
  wait_until 20 grep -q "another console took the lease and drives: Alice Ng/commander" "$T/run.out"
check "… the lease stays the new driver's" sh -c "sqlite3 '$J' 'select holder from lease' | grep -q 'Alice Ng/commander'"
check "… and this console still drives, holding 1%" wait_screen c "HOLDING 1%" 5
tail -5 "$T/run.out"; tmux_keys c q
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
