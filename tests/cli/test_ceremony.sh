# test_ceremony.sh — a ceremony through the real binary, headless: start,
# acknowledge from scripts, a refusal, a clean stop on SIGTERM, kill -9 and
# recovery, the runbook-mismatch guard, and verify with tampering.
. tests/lib.sh
J="$T/orders.journal"
# Step 2.1 is acknowledged by hand here: the writer audit that completes it
# in orders.md (its `writers` action) has suites of its own.
sed -e 's/ is known `writers`$/ is known/' -e 's/ needs=writers}/}/' "$ROOT/runbooks/orders.md" >"$T/orders.md"
RB=$T/orders.md
person() { sed -n "s/^- $1: *//p" $RB | head -1; }
commander=$(person commander) dba=$(person dba)

# start_headless [ARGS]: a headless console in the background ($pid).
start_headless() {
  rm -f "$T/headless.out"   # the last run's console_open is not this one's
  "$CUTOVER" run "${RUNBOOK:-$RB}" --journal "$J" --headless "$@" >"$T/headless.out" 2>&1 &
  pid=$!
  wait_for 30 grep -q "console_open" "$T/headless.out" ||
    { echo "headless console did not start"; cat "$T/headless.out"; return 1; }
}
stop_headless() { kill -TERM "$pid"; wait "$pid"; }
# wait_line TEXT: true once the headless console has printed TEXT. How soon
# (goal: within a second) is a figure of `make bench` (console_latency.sh);
# here ten times that, for a loaded machine.
wait_line() {
  wait_for 10 grep -qF -- "$1" "$T/headless.out" || { cat "$T/headless.out"; return 1; }
}
count() { sql "$J" "select count(*) from events where $1"; }

check "headless run starts" start_headless
check "the runbook's sha256 is journaled" \
  test "$(sql "$J" "select json_extract(body,'\$.sha256') from events where kind='runbook'")" = \
       "$(sha256sum $RB | cut -d' ' -f1)"
check "the runbook's full text is journaled" \
  test "$(sql "$J" "select json_extract(body,'\$.text') from events where kind='runbook'")" = "$(cat $RB)"
check "ack from a script as the owning role" expect_exit 0 "$CUTOVER" ack "$J" 2.1 --as "$dba" --role dba
check "the headless console prints it" wait_line "step 2.1 acknowledged by $dba"
check "ack by another role is refused (exit 1)" \
  expect_exit 1 "$CUTOVER" ack "$J" 2.2 --as "$commander" --role commander
check "the refusal is journaled" test "$(count "kind='ack_refused'")" = 1
check "--as must be the person the runbook assigns to --role" \
  sh -c '"$0" ack "$1" 2.2 --as Mallory --role dba 2>&1 | grep -q "not to Mallory"' "$CUTOVER" "$J"
check "ack of a step that does not exist is refused" \
  expect_exit 1 "$CUTOVER" ack "$J" 9.9 --as "$dba" --role dba
check "SIGTERM closes the console cleanly (exit 0)" stop_headless
check "and journals console_close last" \
  test "$(sql "$J" "select kind from events order by seq desc limit 1")" = console_close

# Crash: kill -9 mid-ceremony, then run again on the same journal.
check "a second run resumes" start_headless
check "its summary shows the ack from before" wait_line "1/17 steps acknowledged"
"$CUTOVER" ack "$J" 2.2 --as "$dba" --role dba >/dev/null
check "a new ack reaches it" wait_line "step 2.2 acknowledged"
kill -9 "$pid"; wait "$pid" 2>/dev/null
check "after kill -9 the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
start_headless >/dev/null
check "after kill -9 a new run shows exactly the acks before" \
  wait_line "2/17 steps acknowledged, IN PROGRESS, phase 2"
stop_headless

# A different runbook on the same journal.
sed 's/^# \(.*\)/# \1 (edited)/' $RB >"$T/edited.md"
check "a different runbook is refused, naming --force" \
  sh -c '"$0" run "$1" --journal "$2" --headless 2>&1 | grep -q "different runbook.*--force"' "$CUTOVER" "$T/edited.md" "$J"
RUNBOOK="$T/edited.md" start_headless --force >/dev/null
check "--force replaces it and journals the replacement" \
  test "$(count "kind='runbook' and json_extract(body,'\$.forced')")" = 1
check "the acks survive the replacement" wait_line "2/17 steps acknowledged"
stop_headless

# Tampering, each kind on its own copy (plain SQL, as an attacker would).
tamper() {  # tamper NAME SQL EXPECTED-SEQ
  cp "$J" "$T/$1.journal"
  sql "$T/$1.journal" "drop trigger if exists events_no_update; drop trigger if exists events_no_delete; $2"
  "$CUTOVER" verify "$T/$1.journal" >"$T/$1.out" 2>&1
  local rc=$?
  cat "$T/$1.out"
  [ $rc -eq 1 ] && grep -q "seq $3:" "$T/$1.out"
}
check "verify: an intact journal (exit 0)" expect_exit 0 "$CUTOVER" verify "$J"
check "verify: an edited body is named" tamper edited "update events set body='{}' where seq=3" 3
check "verify: a deleted row is named" tamper deleted "delete from events where seq=3" 3
check "verify: a missing journal is an error (exit 1)" expect_exit 1 "$CUTOVER" verify "$T/none.journal"
finish
