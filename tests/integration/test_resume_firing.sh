# test_resume_firing.sh — issue 17: `r` (resume) while the criterion that
# aborted still fires is refused with the value it sees now, instead of a
# resume followed at once by another abort; once it is clear, `r` resumes.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md"
J=$T/rb.journal
tmux_start c 160 45 "$CUTOVER run $T/rb.md --journal $J --as 'Alice Ng' --role commander 2>$T/c.err; echo rc=\$?"
check "the ramp holds at 1%" wait_until 30 advanced "$J"
metrics 0.05
check "the breach aborts and the rollback is read back" wait_until 30 journal_has "$J" "kind='rollback_confirmed'"
tmux_keys c r
tmux_keys c "looks fine now" Enter
check "r is refused while the criterion still fires, with the value now" wait_screen c "still fires: now 5%"
check "… and nothing was resumed" test "$(journal_count "$J" "kind='resume'")" = 0
metrics 0
check "the criterion clears" wait_until 30 journal_has "$J" "kind='criterion' and json_extract(body,'\$.to')='ok' and seq > (select max(seq) from events where kind='abort')"
tmux_keys c r
tmux_keys c "it is clear" Enter
check "once clear, r resumes" wait_until 15 journal_has "$J" "kind='resume'"
finish
