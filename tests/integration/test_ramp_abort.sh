# test_ramp_abort.sh — the ramp end to end through the real binary: an
# automatic ramp over a real flagd flag file, driven by a scrape signal the
# test controls (an exposition file served by tests/tools/fault_server).
# A clean run reaches 100% and exits 0; a breach at 25% aborts: the flag is
# back at 0 and read back, the journal has the abort with its deciding
# values and the rollback's timings, and the command exits 3. The cockpit
# runs on the test clock at ×20 (CUTOVER_TIME_SCALE): the holds and the
# `for` window pass on it, the flag file and the webhooks in real time.
. tests/lib.sh
. tests/wait.sh
SCALE=20
export CUTOVER_TIME_SCALE=$SCALE
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill "$fault" 2>/dev/null; }
wait_until 5 grep -q port "$T/fault.out"
P=$(sed -n 's/^port //p' "$T/fault.out")
metrics() { printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n' "$1" >"$T/answers/m.tmp"; mv "$T/answers/m.tmp" "$T/answers/metrics"; }
metrics 0

runbook() {  # runbook FILE FLAGFILE [NOTIFY-URL [HOLD-AT-25%]]
cat >"$1" <<EOF2
# Ramp test

## Roles
- commander: Alice Ng
- flags: Carol Diaz

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$2\` flag \`orders-read-new\`
- notify: slack \`${3:-http://127.0.0.1:$P/record/slack}\`

## Signals
- error_ratio: \`max(app_error_ratio)\`

## Abort criteria
- abort if error_ratio > 1% for 1s

## Ramp
- 1% for 2s
- 5% for 2s
- 25% for ${4:-3s}
- 100%

Mode: automatic

## Phase 4: Cutover
- [ ] flags: ramp reads \`ramp\`

## Rollback
### Phase 4
Flip \`orders-read-new\` back to 0%.
EOF2
}

# 1. No fault: the ramp reaches 100% and the command exits 0.
runbook "$T/clean.md" "$T/clean-flags.json"
timeout 60 "$CUTOVER" run "$T/clean.md" --journal "$T/clean.journal" --headless >"$T/clean.out" 2>&1
rc=$?
check "a clean automatic ramp exits 0" test $rc -eq 0
check "it went through 1, 5, 25 and 100%" \
  test "$(sql "$T/clean.journal" "select group_concat(json_extract(body,'\$.percent'),',') from events where kind='ramp_advance'")" = "1,5,25,100"
check "every step was read back before its hold" \
  test "$(sql "$T/clean.journal" "select count(*) from events where kind='flag_read' and json_extract(body,'\$.purpose')='advance' and json_extract(body,'\$.ok')")" -ge 4
check "the flag file holds 100%" grep -q '"on",[[:space:]]*100' "$T/clean-flags.json"
check "each hold lasted at least its length" sh -c '
  sqlite3 "$0" "select ts_ms from events where kind=\"ramp_advance\" order by seq" >"$1/adv"
  set -- $(cat "$1/adv"); [ $(( $2 - $1 )) -ge 2000 ] && [ $(( $3 - $2 )) -ge 2000 ] && [ $(( $4 - $3 )) -ge 3000 ]' \
  "$T/clean.journal" "$T"

check "comms heard of every advance on the webhook" \
  test "$(grep -c 'ramp: advance to' "$T/answers/slack")" = 4
check "… as Slack messages with the runbook's title" grep -q '{"text":"\[Ramp test\] ramp: advance to 1%' "$T/answers/slack"
rm -f "$T/answers/slack"

# A webhook that hangs delays nothing: the same ramp takes the same time.
# The holds are 7 s of the test clock, 350 ms real at ×20; a webhook that
# held the loop would cost its 5 s timeout (real) for each of 4 advances,
# so 10× the holds (3.5 s) still tells the two apart.
runbook "$T/hang.md" "$T/hang-flags.json" "http://127.0.0.1:$P/hang/webhook"
t0=$(now_ms)
timeout 60 "$CUTOVER" run "$T/hang.md" --journal "$T/hang.journal" --headless >/dev/null 2>&1
rc=$? ms=$(( $(now_ms) - t0 ))
holds=$((7000 / SCALE))
echo "the ramp with a hanging webhook took ${ms} ms real (holds: 7000 ms on the test clock, ${holds} ms real)"
check "a hanging webhook delays nothing: 100% in ${ms} ms, under 10× the holds' ${holds} ms" \
  sh -c "[ $rc -eq 0 ] && [ $ms -lt $((holds * 10)) ]"
check "… the messages it never took are journaled as not delivered at the close" \
  journal_has "$T/hang.journal" "kind='notify_failed' and json_extract(body,'\$.error') like '%not delivered: the console closed%'"

# 2. A breach at 25%: abort, rollback, exit 3.
# The 25% step holds for 10 min, so that the breach, not the end of the
# hold, is what ends the ramp however slow the machine.
runbook "$T/abort.md" "$T/abort-flags.json" "" 10m
timeout 60 "$CUTOVER" run "$T/abort.md" --journal "$T/abort.journal" --headless >"$T/abort.out" 2>&1 &
pid=$!
wait_until 30 journal_has "$T/abort.journal" "kind='flag_read' and json_extract(body,'\$.percent')=25"
metrics 0.05
wait $pid; rc=$?
check "a breach at 25% ends the command with exit 3" test $rc -eq 3
check "the abort is journaled with the criterion, the value and the breach time" \
  test "$(sql "$T/abort.journal" "select json_extract(body,'\$.criterion') || ':' || json_extract(body,'\$.value') || ':' || (json_extract(body,'\$.breach_ms') > 0) from events where kind='abort'")" = "0:0.05:1"
check "it aborted from 25%" \
  test "$(sql "$T/abort.journal" "select json_extract(body,'\$.percent_before') from events where kind='abort'")" = 25
check "the rollback was read back at 0%" \
  test "$(sql "$T/abort.journal" "select json_extract(body,'\$.percent') from events where kind='rollback_confirmed'")" = 0
check "the flag file holds 0%" grep -q '"on",[[:space:]]*0' "$T/abort-flags.json"
lat=$(sql "$T/abort.journal" "select json_extract(body,'\$.confirmed_ms') - json_extract(body,'\$.abort_ms') from events where kind='rollback_confirmed'")
real=$((${lat:-1000000} / SCALE))
echo "abort journaled → rollback read back: ${lat} ms on the test clock, ${real} ms real"
check "from the abort to the confirmed read-back under 1 real second, 10× the 100 ms aimed at (${real} ms)" \
  test "$real" -lt 1000
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$T/abort.journal"
check "comms heard of the abort and of the confirmed rollback" \
  sh -c 'grep -q "ABORT from 25%" "$0" && grep -q "rollback confirmed: the flag reads 0%" "$0"' "$T/answers/slack"

# 3. The same abort with a webhook that answers 400 ms late: on main the
# command exited as the rollback was confirmed, and comms never heard of
# it. The close gives the last messages a second to arrive.
metrics 0
runbook "$T/slow.md" "$T/slow-flags.json" "http://127.0.0.1:$P/slowrecord/slow" 10m
timeout 60 "$CUTOVER" run "$T/slow.md" --journal "$T/slow.journal" --headless >"$T/slow.out" 2>&1 &
pid=$!
wait_until 30 journal_has "$T/slow.journal" "kind='flag_read' and json_extract(body,'\$.percent')=25"
metrics 0.05
wait $pid; rc=$?
check "a slow webhook: the abort still ends the command with exit 3" test $rc -eq 3
check "… and comms heard of the confirmed rollback before it ended" \
  grep -q "rollback confirmed: the flag reads 0%" "$T/answers/slow"
finish
