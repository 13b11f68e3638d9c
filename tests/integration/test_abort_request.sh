# test_abort_request.sh — issue 17, a brake on every console: `Abort:` in
# ## Ramp widens who may abort; `cutover abort` from a script and `!` on a
# joined console journal an abort request that the driving console carries
# out (flag first); the script waits for the rollback's read-back (exit 0),
# the joined console says when it took effect; a role not allowed is
# refused and the refusal journaled; `check` names an unknown role.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/bad.md" "Abort: commander, dbx"
"$CUTOVER" check "$T/bad.md" >"$T/check.out" 2>&1
check "check: an unknown role in Abort: is an error at its line (exit $?)" \
  grep -q "bad.md:[0-9]*:.*Abort: unknown role \`dbx\`" "$T/check.out"

brake_runbook "$T/rb.md" "Abort: commander, dba"
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --as "Alice Ng" --role commander --headless >"$T/run.out" 2>&1 &
run=$!
check "the driving console holds at 1%" wait_until 30 advanced "$J"

"$CUTOVER" abort "$J" --as "Dee Ray" --role comms --reason "I saw errors" >"$T/comms.out" 2>&1
rc=$?
check "a role Abort: does not allow is refused (exit $rc)" test $rc -eq 1
check "… and the refusal is journaled" journal_has "$J" "kind='abort_refused' and actor like 'Dee Ray%'"
check "… and nothing was aborted" test "$(journal_count "$J" "kind='abort'")" = 0

"$CUTOVER" abort "$J" --as "Bob Li" --role dba --reason "replication lag on new" >"$T/dba.out" 2>&1
rc=$?
check "cutover abort as dba: exit 0 once the rollback is read back (exit $rc)" test $rc -eq 0
check "… it prints the read-back" grep -q "rollback read back: the flag reads 0%" "$T/dba.out"
check "the request is journaled" journal_has "$J" "kind='abort_request' and json_extract(body,'\$.reason')='replication lag on new'"
check "the driving console aborted on it, by the requester, with the reason" \
  journal_has "$J" "kind='abort' and actor like 'Bob Li%' and json_extract(body,'\$.cause') like '%replication lag on new%'"
check "the flag file is back at 0" grep -q '"on",[[:space:]]*0' "$T/rb.md.flags.json"
check "the headless run ends as an abort (exit 3)" wait_until 30 sh -c "! kill -0 $run"
wait $run; rc=$?
check "… exit 3 ($rc)" test $rc -eq 3

# a joined commander's console: ! then ABORT
brake_runbook "$T/rb2.md" ""
J=$T/rb2.journal
"$CUTOVER" run "$T/rb2.md" --journal "$J" --as "Alice Ng" --role commander --headless >"$T/run2.out" 2>&1 &
run=$!
check "a second ceremony holds at 1%" wait_until 30 advanced "$J"
tmux_start j 140 45 "$CUTOVER join $J --as 'Alice Ng' --role commander"
check "the joined console is up" wait_screen j "Brake test" 20
tmux_keys j '!'
check "! on a joined commander's console asks for ABORT" wait_screen j "type ABORT"
tmux_keys j ABORT Enter
check "… the driving console aborts" wait_until 30 journal_has "$J" "kind='abort'"
check "… and the joined console shows that it took effect" wait_screen j "your abort took effect" 30
tmux_start d 140 45 "$CUTOVER join $J --as 'Bob Li' --role dba"
check "a dba console (default Abort: commander only) is up" wait_screen d "Phase 4: Cutover" 20
tmux_keys d '!'
check "… its ! is refused" wait_screen d "does not allow the role dba"
check "… and the refusal journaled" journal_has "$J" "kind='abort_refused' and actor like 'Bob Li%'"
wait $run
finish
