# test_screen_truth.sh — issue 17, "a screen that never says what isn't
# so", in tmux through the binary. The signals come from a metrics file this
# suite writes (fault_server /file), so each value is known: a criterion's
# rows and the abort banner show the value now, when it crossed or fired,
# and the worst since, in the runbook's units; an abort from 5% is NOT YET
# EFFECTIVE while 5% of traffic is still on new (the old "within 5 points"
# called it effective at once); the banner wraps instead of losing its end;
# "setting the flag" leaves the status line once the flag is read back; a
# resumed ramp does not say NOT STARTED; the fault menu journals what it
# sent. A joined console at 80×24 shows the same values. The console runs
# on the test clock at ×5 (CUTOVER_TIME_SCALE).
. tests/lib.sh
. tests/wait.sh
SCALE=5
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
metrics() {  # ERROR_RATIO OBSERVED_FRACTION
  printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n# TYPE app_observed gauge\napp_observed %s\n' \
    "$1" "$2" >"$T/answers/metrics.tmp" && mv "$T/answers/metrics.tmp" "$T/answers/metrics"
}
metrics 0 0
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
PIDS=($!)
cleanup_hook() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
wait_until 5 grep -q port "$T/fault.out"
P=$(sed -n 's/^port //p' "$T/fault.out")
printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}' >"$T/flags.json"
cat >"$T/truth.md" <<EOF2
# Truth

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`

## Signals
- new_read_error_rate: \`max(app_error_ratio)\`
- observed_share: \`max(app_observed)\`

## Abort criteria
- abort if new_read_error_rate > 0.1% for 1m

## Ramp
- 1% for 5s
- 5% for 10m
- 100%

Observed: observed_share within 5 points for 10m

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
J=$T/t.journal
check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/truth.md"
tmux_start t 120 40 "CUTOVER_TIME_SCALE=$SCALE CUTOVER_DEMO_PORT=$P $CUTOVER run $T/truth.md --journal $J"
check "the ramp is ready" wait_screen t "press +" 30
tmux_keys t + 1 Enter
check "1%: set and read back" wait_screen t "HOLDING 1%" 20
metrics 0 0.01
check "the 5% step is ready after its hold" wait_screen t "press +" 30
tmux_keys t + 5 Enter
check "5%: set and read back" wait_screen t "HOLDING 5%" 20
metrics 0 0.05
status_gone() { ! tmux_screen t | tail -1 | grep -qF "setting the flag"; }
check "\"setting the flag\" leaves the status line once the flag is read back" wait_until 20 status_gone

# 1. live values, in the runbook's units (0.1% written: shown as %, never 0.001)
metrics 0.0014 0.05
check "a pending row shows now, the crossing value and the worst, in %" \
  wait_screen t "now 0.14 % (crossed at 0.14 %, worst 0.14 %)" 20
metrics 0.0452 0.05
check "while pending, now and the worst follow the signal" \
  wait_screen t "now 4.52 % (crossed at 0.14 %, worst 4.52 %)" 20
check "the journal's words use the runbook's units too" \
  wait_until 20 journal_has "$J" "kind='criterion' and instr(body, 'new_read_error_rate = 0.14 % > 0.1 %') > 0"
check "it fires and the abort banner carries the live values" \
  wait_screen t "now 4.52 % (fired at 4.52 %, worst 4.52 %)" 40
metrics 0.02 0.05
check "while it fires the row shows the value now, not the transition's" \
  wait_screen t "now 2 % (fired at 4.52 %, worst 4.52 %)" 20

# 3a. the banner wraps: the cause's end is on screen at 120 columns
banner_whole() {  # the banner's two rows read as one text
  tmux_screen t | sed -n 3,4p | tr '\n' ' ' | tr -s ' ' |
    grep -qF "worst 4.52 %) — abort if new_read_error_rate > 0.1% for 1m"
}
check "the banner wraps rather than cutting the deciding value or the cause" wait_until 10 banner_whole

# 2. an abort from 5% is not effective while 5% is still on new
held() { tmux_screen t | grep -qE "NOT YET EFFECTIVE: 5.00% still on new [1-9][0-9]+s after"; }
check "the abort is not yet effective while the service keeps 5% on new (10s and more after)" \
  wait_until 40 held
check "it says what effective means (a tenth of the step)" wait_screen t "(effective at 0.5% or less)"
check "nothing says effective meanwhile" \
  test "$(journal_count "$J" "kind='abort_effective'")" = 0

# the same picture on a joined console at 80×24
tmux_start j 80 24 "$CUTOVER join $J --as 'Alice Ng' --role commander"
check "at 80×24 the row still shows its values" wait_screen j "FIRING  now 2 % (fired at 4.52 %" 20
check "  … the chart below it names what fired" grep -qF "new_read_error_rate  (fired: abort if" "$T/screen"
check "at 80×24 the banner says not yet effective" wait_screen j "NOT YET EFFECTIVE" 20
tmux_keys j q

metrics 0.02 0.001
check "once the traffic has left, the abort is effective" wait_screen t "ABORTED, effective +" 40
check "the journal's abort_effective is at the rollback, not at 5%" \
  test "$(sql "$J" "select json_extract(body,'\$.observed') <= 0.5 from events where kind='abort_effective'")" = 1

# 3b. the fault menu journals what it sent
tmux_keys t F
check "F opens the fault menu" wait_screen t "1 new-read errors"
tmux_keys t 3 Enter
check "the fault sent is journaled" \
  wait_until 10 journal_has "$J" "kind='demo_fault' and json_extract(body,'\$.query')='dual_write_failure_rate=0.05'"

# 3c. after a resume the ramp bar does not say NOT STARTED
metrics 0 0
check "the criterion clears" wait_screen t "now 0 %" 40
tmux_keys t r
check "r asks for a reason" wait_screen t "the reason (journaled)"
tmux_keys t "the fault was ours" Enter
check "resumed: the bar says so, and that the ramp starts over" wait_screen t "RESUMED 0% — the ramp starts over" 20
check "it never says NOT STARTED after a resume" sh -c "! grep -qF 'NOT STARTED' '$T/screen'"
tmux_keys t q
finish
