# test_restart_reads_first.sh — issue 20: a driver that starts on a
# ceremony in progress (a restart, a take-over) reads the flag and every
# signal again before it advances. On main, its first step could advance
# on what the journal said: with the hold already over when it started,
# the automatic ramp's next step was intended before the flag had been
# read back by the new driver (its signal, polled every 10 s, was not yet
# stale, so the old driver's verdicts still stood).
. tests/lib.sh
. tests/wait.sh
. tests/fold_lib.sh
J="$T/r.journal"
runbook "$T/rb.md" "$T/flags.json" 10s "- 1% for 2s
- 5% for 10m
- 100%"
metrics 0 0.01
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/a.out" 2>&1 &
pid=$!
check "the first driver reaches 1%" wait_until 60 grep -q "flag reads 1% (advance)" "$T/a.out"
kill -9 $pid; wait $pid 2>/dev/null
held() { [ $(( $(now_ms) - $(sql "$J" "select max(ts_ms) from events where kind='flag_read'") )) -gt 3000 ]; }
check "the 1% hold is over before a driver starts again" wait_until 10 held
opened=$(sql "$J" "select max(seq) from events")
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/b.out" 2>&1 &
pid=$!
check "the new driver advances to 5%" wait_until 30 journal_has "$J" \
  "kind='ramp_advance' and json_extract(body,'\$.percent')=5 and seq > $opened"
adv=$(sql "$J" "select min(seq) from events where kind='ramp_advance' and json_extract(body,'\$.percent')=5")
check "… after it read the flag back itself (its start check)" \
  journal_has "$J" "kind='flag_read' and json_extract(body,'\$.purpose')='check' and seq > $opened and seq < $adv"
# journal_has_sample SIGNAL AFTER BEFORE: a sample placed between two events
journal_has_sample() {
  [ "$(sql "$J" "select count(*) from samples where signal='$1' and after_event >= $2 and after_event < $3")" -ge 1 ]
}
for sig in error_ratio share; do
  check "… and after a sample of $sig of its own" \
    journal_has_sample "$sig" "$opened" "$adv"
done
kill -TERM $pid; wait $pid 2>/dev/null
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
