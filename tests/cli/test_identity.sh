# test_identity.sh — issue 20, identity: the runbook may bind a person to an
# OS account (`- dba: Bob Li (bob)`); a console whose account does not
# match the person it claims is refused, in words, at run, join, ack,
# abort and approve; a bound person on the right account is let in; every console's
# account is on its console_open; a parenthesis that is not one login name
# stays part of the person's name.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
me=$(id -un)
brake_runbook "$T/rb.md"
sed -i "s/^- commander: Alice Ng$/- commander: Alice Ng ($me)/; s/^- dba: Bob Li$/- dba: Bob Li (someone-else)/; s/^- comms: Dee Ray$/- comms: Dee Ray (on call)/" "$T/rb.md"
check "check accepts the bindings" "$CUTOVER" check "$T/rb.md"
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
check "the commander bound to this account ($me) drives" wait_until 30 advanced "$J"
check "… and the console_open names the account" \
  journal_has "$J" "kind='console_open' and json_extract(body,'\$.account')='$me' and actor='Alice Ng/commander'"
"$CUTOVER" join "$J" --as "Bob Li" --role dba --headless >"$T/join.out" 2>&1
rc=$?
check "Bob Li is bound to another account: join refused (exit $rc)" test $rc -eq 1
check "… in words: whom the runbook binds and who this is" \
  grep -q "binds Bob Li (dba) to the OS account 'someone-else'; this console runs as '$me'" "$T/join.out"
"$CUTOVER" ack "$J" 4.1 --as "Bob Li" --role dba >"$T/ack.out" 2>&1
check "ack as Bob Li is refused the same way" grep -q "to the OS account 'someone-else'" "$T/ack.out"
"$CUTOVER" abort "$J" --as "Bob Li" --role dba --reason x >"$T/abort.out" 2>&1
check "abort too" grep -q "to the OS account 'someone-else'" "$T/abort.out"
"$CUTOVER" approve "$J" 4.1 --as "Bob Li" --role dba >"$T/approve.out" 2>&1
rc=$?
check "approve too, before its role is even looked at (exit $rc)" \
  sh -c "test $rc -eq 1 && grep -q \"to the OS account 'someone-else'\" '$T/approve.out'"
brake_runbook "$T/rb2.md"
sed -i "s/^- commander: Alice Ng$/- commander: Alice Ng (someone-else)/" "$T/rb2.md"
"$CUTOVER" run "$T/rb2.md" --journal "$T/rb2.journal" --headless >"$T/run2.out" 2>&1 </dev/null
rc=$?
check "run as a commander bound to another account is refused (exit $rc)" test $rc -eq 1
check "… in words" grep -q "binds Alice Ng (commander) to the OS account 'someone-else'; this console runs as '$me'" "$T/run2.out"
check "… and nothing was journaled" test "$(journal_count "$T/rb2.journal" "1")" = 0
"$CUTOVER" join "$J" --as "Dee Ray (on call)" --role comms --headless >"$T/dee.out" 2>&1 &
dee=$!
check "'(on call)' is part of Dee Ray's name, not an account: she joins" \
  wait_until 20 journal_has "$J" "kind='console_open' and actor='Dee Ray (on call)/comms'"
kill $dee $run; wait $dee $run 2>/dev/null
finish
