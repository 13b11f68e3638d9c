# test_fold_resume.sh — live equals refold across an abort and its resume,
# on screen: a breach held for its window aborts, the commander resumes
# with a written reason, the ramp holds again and goes on; the console's
# fold trace (CUTOVER_FOLD_TRACE) equals a refold of the journal at every
# position, and so does a console restarted on it.
. tests/lib.sh
. tests/wait.sh
. tests/fold_lib.sh
J="$T/resume.journal"
runbook "$T/resume.md" "$T/resume-flags.json" 1s "- 1% for 3s
- 5% for 3s
- 100%"
metrics 0 0.01
tmux_start a 140 40 "CUTOVER_FOLD_TRACE=$T/a.trace $CUTOVER run $T/resume.md --journal $J"
check "the ramp starts" wait_for 60 at_least 1 "select count(*) from events where kind='flag_read' and json_extract(body,'\$.percent')=1"
metrics 0.05 0.01
check "a breach held for 5 s aborts" wait_for 60 at_least 1 "select count(*) from events where kind='abort'"
check "the screen says so" wait_screen a "ABORTED" 20
metrics 0 0.01
check "the criterion is ok again" wait_for 30 at_least 1 \
  "select count(*) from events where kind='criterion' and json_extract(body,'\$.to')='ok' and seq > (select max(seq) from events where kind='abort')"
tmux_keys a r
check "resume asks for a reason" wait_screen a "the reason (journaled)" 10
tmux_keys a "the error spike was a test" Enter
check "the resume is journaled" wait_for 30 at_least 1 "select count(*) from events where kind='resume'"
check "the ramp goes on after the resume" wait_for 60 at_least 1 \
  "select count(*) from events where kind='ramp_advance' and seq > (select max(seq) from events where kind='resume')"
tmux_keys a q
check "the console quits" wait_for 20 at_least 1 "select count(*) from events where kind='console_close'"
check "live equals refold across the abort and the resume" compare_trace "$T/a.trace"
CUTOVER_FOLD_TRACE="$T/b.trace" timeout 30 "$CUTOVER" join "$J" --as "Bob Ruiz" --role dba --headless >"$T/b.out" 2>&1 &
b=$!
wait_until 20 grep -q console_open "$T/b.out"
kill -TERM $b; wait $b 2>/dev/null
check "a console joined afterwards folds the same" compare_trace "$T/b.trace"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
