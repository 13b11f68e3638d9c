# test_demo_obeyed.sh — is the flag really obeyed? The demo service is told
# to ignore the flag: the share set rises to 25%, the share observed stays
# at 0, and after the runbook's 20 s the ramp halts with that message, and
# stays at 25% past the end of its 1 min hold. The cockpit runs on the test
# clock at ×20 (CUTOVER_TIME_SCALE); the service in real time.
. tests/lib.sh
. tests/wait.sh
need build/ordersim >/dev/null || exit 1
SCALE=20
sed -e 's/^- 1% for 30s$/- 1% for 2s/' -e 's/^- 5% for 30s$/- 5% for 2s/' \
    -e 's/^The demo ramps in minutes, not hours; the commander advances each step.$/Mode: automatic/' \
    runbooks/demo.md >"$T/auto.md"
D=$T/svc; mkdir -p "$D"
printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}' >"$D/flags.json"
"$ROOT/build/ordersim" --old "$D/old.db" --new "$D/new.db" --flags "$D/flags.json" --port 0 \
  --port-file "$D/port" --read-rate 400 --fault ignore_flag=1 2>"$D/ordersim.log" &
svc=$!
cleanup_hook() { kill $svc $run 2>/dev/null; }
wait_until 5 test -s "$D/port"
export CUTOVER_DEMO_DIR=$D CUTOVER_DEMO_PORT; CUTOVER_DEMO_PORT=$(cat "$D/port")
J=$T/j.journal
CUTOVER_TIME_SCALE=$SCALE timeout 120 "$CUTOVER" run "$T/auto.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
wait_until 10 journal_has "$J" "kind='console_open'"
. tests/demo_steps.sh   # the steps before the ramp, backfill and compare by override
demo_steps_before_ramp "$J" "$T/auto.md"
wait_until 60 grep -q "HALT" "$T/run.out"
check "the ramp reached 25% by the flag" \
  test "$(sql "$J" "select count(*) from events where kind='flag_read' and json_extract(body,'\$.percent')=25")" -ge 1
check "the ramp halted" test "$(sql "$J" "select count(*) from events where kind='halt'")" = 1
# how long it was held is the cockpit's own measure: 20 s of the test
# clock, more when a tick came late on a busy machine (×20: 50 ms late is 1 s)
cause=$(sql "$J" "select json_extract(body,'\$.cause') from events where kind='halt'")
held_for() {
  [[ $cause =~ ^"the flag says 25% but 0.0% of traffic reaches new (observed_share for "([0-9]+)"s): a service is not reading the flag"$ ]] &&
    [ "${BASH_REMATCH[1]}" -ge 20 ] || { echo "cause: $cause"; return 1; }
}
check "… saying a service is not reading the flag, held for 20 s or more" held_for
check "the halt records the set and the observed share" \
  test "$(sql "$J" "select json_extract(body,'\$.set') || '/' || json_extract(body,'\$.observed') from events where kind='halt'")" = "25/0"
at25=$(sql "$J" "select min(ts_ms) from events where kind='flag_read' and json_extract(body,'\$.percent')=25")
halt=$(sql "$J" "select ts_ms from events where kind='halt'")
check "… no sooner than 20 s of the test clock after the flag said 25% ($((halt - at25)) ms)" \
  test $((halt - at25)) -ge 20000
# The halt must be what stops the ramp, not a hold that has not ended yet:
# wait until the cockpit's clock (its newest sample) is past the 1 min hold.
past_hold() { [ "$(sql "$J" "select max(ts_ms) from samples")" -gt $((at25 + 65000)) ]; }
check "the cockpit's clock went past the end of the 1 min hold at 25%" wait_until 30 past_hold
check "it did not go on to 100%" \
  test "$(sql "$J" "select count(*) from events where kind='ramp_advance' and json_extract(body,'\$.percent')=100")" = 0
kill -TERM $run; wait $run
finish
