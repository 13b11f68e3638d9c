# test_no_driver_requests.sh — issue 17, the brake with nobody driving and
# the three-second rule for a driver that hangs:
#  - a driver stopped (SIGSTOP: alive but silent) shows NO ENGINE on a
#    joined console within three seconds, and the banner goes when it runs on;
#  - `cutover abort` while no console drives says so at once (exit 1), never
#    waits for a read-back that cannot come; the joined console's banner says
#    the abort waits; `!` on a joined console says nothing moved;
#  - the next console to drive acts on that request before anything else:
#    the flag goes back and is read back, the abort names the request.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md" "Abort: commander, dba"
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --as "Alice Ng" --role commander --headless >"$T/run.out" 2>&1 &
run=$!
check "the driving console holds at 1%" wait_until 30 advanced "$J"
tmux_start j 160 45 "$CUTOVER join $J --as 'Bob Li' --role dba"
check "a joined console shows the criterion OK" wait_screen j " OK " 20

kill -STOP $run
check "a hung driver (SIGSTOP): NO ENGINE within three seconds" \
  wait_screen j "NO ENGINE — nobody is watching the criteria" 3
kill -CONT $run
gone() { tmux_screen j >"$T/screen"; ! grep -q "NO ENGINE" "$T/screen"; }
check "… it runs on: the banner goes" wait_until 10 gone

kill -9 $run; wait $run 2>/dev/null
check "the driver killed: NO ENGINE" wait_screen j "NO ENGINE" 3
start=$(date +%s)
"$CUTOVER" abort "$J" --as "Bob Li" --role dba --reason "errors while nobody drove" >"$T/abort.out" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
check "cutover abort with nobody driving: exit 1 ($rc)" test $rc -eq 1
check "… at once (${took}s), not after waiting for a read-back" test $took -lt 10
check "… saying that no console drives and nothing rolled back" \
  grep -q "NOT rolled back: no console drives this journal now (the flag last read 1%)" "$T/abort.out"
check "… the request is journaled" journal_has "$J" "kind='abort_request' and json_extract(body,'\$.reason')='errors while nobody drove'"
check "the joined console says an abort was asked and is not carried out yet" \
  wait_screen j "ABORT ASKED by Bob Li/dba at" 5
check "the flag still reads 1% (nothing pretended)" grep -q '"on",[[:space:]]*1' "$T/rb.md.flags.json"

tmux_keys j '!'
check "! on the joined dba console asks for ABORT" wait_screen j "type ABORT"
tmux_keys j ABORT Enter
check "… and says that nothing moved" wait_screen j "NO console drives: nothing moved" 5

"$CUTOVER" run "$T/rb.md" --journal "$J" --as "Alice Ng" --role commander --headless >"$T/run2.out" 2>&1 &
run=$!
check "the next driver acts on the waiting request: an abort that names it" \
  wait_until 30 journal_has "$J" "kind='abort' and json_extract(body,'\$.cause') like '%asked at % while no console drove: errors while nobody drove%'"
check "… before any advance" test "$(journal_count "$J" "kind='ramp_advance' and seq > (select max(seq) from events where kind='abort_request')")" = 0
check "… the rollback is read back" wait_until 30 journal_has "$J" "kind='rollback_confirmed'"
check "… the flag file is back at 0" grep -q '"on",[[:space:]]*0' "$T/rb.md.flags.json"
answered() { tmux_screen j >"$T/screen"; ! grep -q "NOT CARRIED OUT" "$T/screen"; }
check "… and the joined console no longer says an abort waits" wait_until 10 answered
check "the headless run ends as an abort (exit 3)" wait_until 30 sh -c "! kill -0 $run"
finish
