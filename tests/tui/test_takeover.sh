# test_takeover.sh — issue 20, take-over: when the driving console dies,
# a joined commander's console takes over with one key and a reason (T):
# it becomes the driver in place (same terminal, same person), journals
# `takeover` with the reason, reads the flag again before it acts, and the
# ceremony goes on; a joined dba is refused unless `Deputy:` names the
# role; T while a driver lives is refused; `cutover run --journal J` with
# no runbook drives the journal's own runbook; a `cutover run` over a dead
# driver's lease is a take-over too: refused to a dba, journaled with who
# drove before for the commander.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
driver_and_consoles "c=Alice Ng|commander" "d=Bob Li|dba"
check "while a driver lives the footer offers no T" sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t c | tail -n 1 | grep -q 'q quit' && ! tmux -S '$TMUX_SOCK' capture-pane -p -t c | grep -q 'T take over'"
check "  … but ! abort (the flag is at 1%; a joined commander's abort is a request)" sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t c | tail -n 1 | grep -q '! abort'"
tmux_keys c T
check "T while a driver lives is refused" wait_screen c "refused: a console drives" 5

kill -9 $run; wait $run 2>/dev/null
check "the driver killed: NO ENGINE" wait_screen c "NO ENGINE — nobody is watching" 5
tmux_keys d T
check "a dba (not Deputy:) is refused" wait_screen d "refused: only the commander" 5
tmux_keys c T
check "T asks the commander for a reason" wait_screen c "take over driving — the reason" 5
tmux_keys c "the driver's host died" Enter
check "the take-over is journaled with the reason, by the commander" \
  wait_until 20 journal_has "$J" "kind='takeover' and actor like 'Alice Ng%' and json_extract(body,'\$.reason')='the driver''s host died'"
named_cutover() {  # the driver T started, named cutover for ps and pgrep (not "exe")
  local p
  for p in $(pgrep -f "run --journal $J --as Alice Ng"); do
    [ "$(cat /proc/$p/comm 2>/dev/null)" = cutover ] && return 0
  done
  return 1
}
check "… the driving process is named cutover (ps, pgrep)" wait_until 10 named_cutover
check "… this console drives now: the lease names its process" \
  wait_until 10 sh -c "sqlite3 '$J' 'select holder from lease' | grep -q 'Alice Ng/commander'"
check "… it opened as the driver (console_open run)" \
  journal_has "$J" "kind='console_open' and json_extract(body,'\$.mode')='run' and seq > (select seq from events where kind='takeover')"
check "… it read the flag again before acting" \
  wait_until 20 journal_has "$J" "kind='flag_read' and seq > (select seq from events where kind='takeover')"
check "… the other console's NO ENGINE goes" wait_until 10 sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t d | grep -q 'NO ENGINE'"
check "… and the new driver still holds at 1%" wait_screen c "HOLDING 1%" 10
check "the screen is the driver's (no NO ENGINE)" sh -c "! grep -q 'NO ENGINE' '$T/screen'"
metrics 0.05
check "it watches the criteria: the breach aborts, the rollback is read back" \
  wait_until 30 journal_has "$J" "kind='rollback_confirmed' and seq > (select seq from events where kind='takeover')"
tmux_keys c q

brake_runbook "$T/rb2.md" "Deputy: comms"
J2=$T/rb2.journal
metrics 0
"$CUTOVER" run "$T/rb2.md" --journal "$J2" --headless >"$T/run2.out" 2>&1 &
run=$!
check "a second ceremony holds at 1%" wait_until 30 advanced "$J2"
kill -9 $run; wait $run 2>/dev/null
tmux_start e 140 45 "$CUTOVER join $J2 --as 'Dee Ray' --role comms"
check "a Deputy: console sees NO ENGINE" wait_screen e "NO ENGINE" 10
check "… and its footer offers T take over" wait_screen e "T take over" 5
tmux_keys e T
check "… and may take over" wait_screen e "take over driving — the reason" 5
tmux_keys e "commander unreachable" Enter
check "… journaled by the deputy" wait_until 20 journal_has "$J2" "kind='takeover' and actor like 'Dee Ray%'"
tmux_keys e q
check "… quitting the deputy's driving console asks (the flag is at 1%)" wait_screen e "quit" 5
tmux_keys e y Enter
wait_until 10 sh -c "! sqlite3 '$J2' 'select holder from lease' | grep -q 'Dee Ray'" >/dev/null
"$CUTOVER" run --journal "$J2" --headless >"$T/run3.out" 2>&1 &
run=$!
check "cutover run --journal alone drives the journal's runbook" \
  wait_until 20 journal_has "$J2" "kind='console_open' and json_extract(body,'\$.mode')='headless' and seq > (select seq from events where kind='takeover')"
kill $run; wait $run 2>/dev/null

brake_runbook "$T/rb4.md" "Deputy: comms"
J4=$T/rb4.journal
"$CUTOVER" run "$T/rb4.md" --journal "$J4" --as 'Dee Ray' --role comms --headless >"$T/run4.out" 2>&1 &
run=$!
check "a deputy's shell driver holds at 1%" wait_until 30 advanced "$J4"
kill -9 $run; wait $run 2>/dev/null
"$CUTOVER" run --journal "$J4" --as 'Bob Li' --role dba --headless >"$T/dba.out" 2>&1 </dev/null
check "cutover run by a dba over the dead driver's lease is refused" grep -q "only the commander" "$T/dba.out"
check "… naming who drove" grep -q "driven by Dee Ray/comms" "$T/dba.out"
check "… and it holds no lease after" sh -c "[ -z \"\$(sqlite3 '$J4' 'select holder from lease where holder like \"Bob Li%\"')\" ]"
check "… nor journaled a take-over" sh -c "[ \"\$(sqlite3 '$J4' \"select count(*) from events where kind='takeover'\")\" = 0 ]"
"$CUTOVER" run --journal "$J4" --headless >"$T/run5.out" 2>&1 &
run=$!
check "the commander's cutover run takes over, journaled with who drove before" \
  wait_until 20 journal_has "$J4" "kind='takeover' and actor like 'Alice Ng%' and json_extract(body,'\$.previous')='Dee Ray/comms'"
kill $run; wait $run 2>/dev/null
last=$(sqlite3 "$J4" "select max(seq) from events")
"$CUTOVER" run --journal "$J4" --headless >"$T/run6.out" 2>&1 &
run=$!
check "… the same person's restart opens a driver" \
  wait_until 20 journal_has "$J4" "kind='console_open' and seq > $last"
check "… which is not another take-over: one takeover in the journal" sh -c "[ \"\$(sqlite3 '$J4' \"select count(*) from events where kind='takeover'\")\" = 1 ]"
kill $run; wait $run 2>/dev/null

"$CUTOVER" run --journal "$T/none.journal" >"$T/none.out" 2>&1
check "… and a journal that does not exist is said in words" grep -q "does not exist" "$T/none.out"
finish
