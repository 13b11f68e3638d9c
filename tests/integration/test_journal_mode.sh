# test_journal_mode.sh — issue 20, identity: a journal is created so that
# the ceremony's group may write it and nobody else may read it (the file,
# its WAL and its shared memory: mode 0660, whatever the umask); a journal
# anyone may write is refused by every console that writes (run, join, ack,
# abort) with the words to fix it, while read-only readers (verify, report)
# still read it. A journal's missing directory is created mode 2770 (the
# group may write, setgid so files keep its group, nobody else may look);
# an existing directory's mode is never changed.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md"
J=$T/rb.journal
( umask 000; exec "$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 ) &
run=$!
check "the driver holds at 1%" wait_until 30 advanced "$J"
mode() { stat -c %a "$1"; }
check "the journal is 0660 though the umask was 000 ($(mode "$J"))" test "$(mode "$J")" = 660
check "… its WAL too ($(mode "$J-wal"))" test "$(mode "$J-wal")" = 660
check "… and its shared memory ($(mode "$J-shm"))" test "$(mode "$J-shm")" = 660
kill $run; wait $run 2>/dev/null

chmod o+w "$J"
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run2.out" 2>&1
rc=$?
check "run refuses a journal anyone may write (exit $rc)" test $rc -eq 1
check "… saying so, with the mode and the fix" grep -q "is writable by anyone (mode 0662).*chmod o-w" "$T/run2.out"
"$CUTOVER" join "$J" --as "Bob Li" --role dba --headless >"$T/join.out" 2>&1
check "join refuses it too" grep -q "is writable by anyone" "$T/join.out"
"$CUTOVER" ack "$J" 4.1 --as "Alice Ng" --role commander >"$T/ack.out" 2>&1
check "so does ack" grep -q "is writable by anyone" "$T/ack.out"
"$CUTOVER" abort "$J" --as "Alice Ng" --role commander --reason x >"$T/abort.out" 2>&1
check "and abort" grep -q "is writable by anyone" "$T/abort.out"
check "verify still reads it" "$CUTOVER" verify "$J"
check "report too" sh -c "'$CUTOVER' report '$J' >/dev/null"
chmod o-w "$J"
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run3.out" 2>&1 &
run=$!
check "once fixed, it runs again" wait_until 20 sh -c "grep -q 'console opened' '$T/run3.out'"
kill $run; wait $run 2>/dev/null
# the directory: made when missing, left alone when there
D=$T/ceremony
( umask 000; exec "$CUTOVER" run "$T/rb.md" --journal "$D/x.journal" --headless >"$T/run4.out" 2>&1 ) &
run=$!
check "run makes the journal's missing directory" wait_until 20 sh -c "grep -q 'console opened' '$T/run4.out'"
check "… mode 2770 though the umask was 000 ($(mode "$D" 2>/dev/null))" test "$(mode "$D")" = 2770
check "… and the journal in it 0660 ($(mode "$D/x.journal" 2>/dev/null))" test "$(mode "$D/x.journal")" = 660
kill $run; wait $run 2>/dev/null
mkdir "$T/mine" && chmod 0750 "$T/mine"
"$CUTOVER" run "$T/rb.md" --journal "$T/mine/x.journal" --headless >"$T/run5.out" 2>&1 &
run=$!
check "an existing directory is used" wait_until 20 sh -c "grep -q 'console opened' '$T/run5.out'"
check "… and its mode left alone ($(mode "$T/mine"))" test "$(mode "$T/mine")" = 750
kill $run; wait $run 2>/dev/null
"$CUTOVER" run "$T/rb.md" --journal "$T/no/such/x.journal" --headless >"$T/run6.out" 2>&1
rc=$?
check "a directory whose parent is missing too is refused (exit $rc)" test $rc -eq 1
check "… saying which" grep -q "the directory $T/no/such does not exist, nor its parent" "$T/run6.out"
check "… and nothing is made" test ! -e "$T/no"
finish
