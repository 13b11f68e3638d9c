# test_guard_screens.sh — the guard rails as a person sees them, in tmux:
# the ramp holding outside the cutover window (saying until when), and on
# the demo service a flag that is not obeyed halting the ramp, and an abort
# shown as not yet effective until the traffic has left new. The demo
# consoles run on the test clock at ×5 (CUTOVER_TIME_SCALE): fast enough
# that holds and `for` windows take seconds, slow enough that the states
# in between (holding at 25%, not yet effective) stay on screen for a
# real second or more, for a person — and for wait_screen — to see.
. tests/lib.sh
. tests/wait.sh
SCALE=5
need build/tools/fault_server build/ordersim >/dev/null || exit 1
mkdir -p "$T/answers"
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
PIDS=($!)
cleanup_hook() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
wait_until 5 grep -q port "$T/fault.out"
P=$(sed -n 's/^port //p' "$T/fault.out")

# 1. A window on every day but today.
days=(sun mon tue wed thu fri sat)
today=$(date -u +%w)
window="${days[$(( (today + 1) % 7 ))]}-${days[$(( (today + 6) % 7 ))]} 00:00-23:59 UTC"
cat >"$T/window.md" <<EOF2
# Window

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\`

## Abort criteria
- abort if error_ratio > 1%

## Ramp
- 1% for 10m
- 100%

Window: $window

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
check "a window that excludes today is sound ($window)" expect_exit 0 "$CUTOVER" check "$T/window.md"
tmux_start w 120 40 "$CUTOVER run $T/window.md --journal $T/w.journal"
check "outside the window the ramp holds, saying until when" \
  wait_screen w "outside the cutover window: the ramp holds until $(date -u -d tomorrow +%Y-%m-%d) 00:00:00 UTC" 10
tmux_keys w + 1 Enter
check "an advance is refused outside the window" wait_screen w "refused: outside the cutover window"
tmux_keys w q

# 2. The demo service, told to ignore the flag: the ramp halts on screen.
demo_runbook() {  # FILE HOLD-AT-25
  sed -e 's/^- 1% for 30s$/- 1% for 2s/' -e 's/^- 5% for 30s$/- 5% for 2s/' \
      -e "s/^- 25% for 1m\$/- 25% for $2/" \
      -e 's/^The demo ramps in minutes, not hours; the commander advances each step.$/Mode: automatic/' \
      runbooks/demo.md >"$1"
}
service() {  # DIR [ordersim options]
  local d=$1; shift; mkdir -p "$d"
  printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}' >"$d/flags.json"
  "$ROOT/build/ordersim" --old "$d/old.db" --new "$d/new.db" --flags "$d/flags.json" --port 0 \
    --port-file "$d/port" --read-rate 400 "$@" 2>"$d/log" &
  PIDS+=($!)
  wait_until 5 test -s "$d/port"
  export CUTOVER_DEMO_DIR=$d CUTOVER_DEMO_PORT; CUTOVER_DEMO_PORT=$(cat "$d/port")
}
. tests/demo_steps.sh   # the steps before the ramp, backfill and compare by override
ack_before_ramp() {  # JOURNAL: once the console has opened it
  wait_until 10 journal_has "$1" "kind='console_open'" || return 1
  demo_steps_before_ramp "$1" runbooks/demo.md
}
demo_runbook "$T/ignored.md" 5m
service "$T/svc1" --fault ignore_flag=1
tmux_start i 120 40 "CUTOVER_TIME_SCALE=$SCALE CUTOVER_DEMO_DIR=$CUTOVER_DEMO_DIR CUTOVER_DEMO_PORT=$CUTOVER_DEMO_PORT $CUTOVER run $T/ignored.md --journal $T/i.journal"
ack_before_ramp "$T/i.journal"
check "the header says the console runs on a test clock" wait_screen i "TIME ×$SCALE (test clock)"
check "the set share rises while the observed share stays at 0" wait_screen i "HOLDING 25%   observed 0.0%" 30
check "the ramp halts: a service is not reading the flag" wait_screen i "HALTED — INCIDENT — the flag says 25% but 0.0% of traffic reaches new" 40
tmux_keys i q

# 3. An abort at 25% is not yet effective until traffic has left new.
demo_runbook "$T/abort.md" 5m
service "$T/svc2"
tmux_start a 120 40 "CUTOVER_TIME_SCALE=$SCALE CUTOVER_DEMO_DIR=$CUTOVER_DEMO_DIR CUTOVER_DEMO_PORT=$CUTOVER_DEMO_PORT $CUTOVER run $T/abort.md --journal $T/a.journal"
ack_before_ramp "$T/a.journal"
wait_screen a "HOLDING 25%" 30 >/dev/null
# the observed share has reached 25% (within the runbook's 5 points)
observed_near_25() {
  local v; v=$(sql "$T/a.journal" "select value from samples where signal='observed_share' order by seq desc limit 1")
  awk -v v="$v" 'BEGIN { exit !(v != "" && v >= 0.20) }'
}
check "new serves its share of reads at 25%" wait_until 30 observed_near_25
curl -s -X POST "http://127.0.0.1:$CUTOVER_DEMO_PORT/faults?new_read_error_rate=0.05" >/dev/null
check "after the abort the screen says it is not yet effective" wait_screen a "ABORTED — NOT YET EFFECTIVE" 40
check "then that it took effect" wait_screen a "ABORTED, effective +" 30
check "the journal records when it became effective" \
  test "$(sql "$T/a.journal" "select count(*) from events where kind='abort_effective'")" = 1
tmux_keys a q
finish
