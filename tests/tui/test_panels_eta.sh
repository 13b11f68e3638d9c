# test_panels_eta.sh — issue 17, "any signal can have a panel" and "one
# ETA", in tmux through the binary. A runbook with its own signal names
# declares its panels (## Panels): each shows its title, the value now in
# the criterion's units, the threshold (the criterion's bound, or the one
# written), and the signal declared under it. The header shows one ETA
# for the ramp (its holds, from the journal's own times) at 160, 120 and
# 80 columns without pushing the phase or the status off. The signals come
# from a metrics file this suite writes (fault_server /file), so every
# value is known; the console runs on the test clock at ×5.
. tests/lib.sh
. tests/wait.sh
SCALE=5
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
metrics() {  # FAILURE_RATIO LAG_SECONDS
  printf '# TYPE ledger_fail gauge\nledger_fail %s\n# TYPE ledger_lag gauge\nledger_lag %s\n' \
    "$1" "$2" >"$T/answers/metrics.tmp" && mv "$T/answers/metrics.tmp" "$T/answers/metrics"
}
metrics 0.0042 1.5
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
PIDS=($!)
cleanup_hook() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
wait_until 5 grep -q port "$T/fault.out"
P=$(sed -n 's/^port //p' "$T/fault.out")
printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}' >"$T/flags.json"
cat >"$T/ledger.md" <<EOF2
# Ledger

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`

## Signals
- ledger_write_failure_rate: \`max(ledger_fail)\`
- ledger_lag: \`max(ledger_lag)\`

## Abort criteria
- abort if ledger_write_failure_rate > 2% for 1m

## Panels
- Ledger writes: ledger_write_failure_rate, also ledger_lag
- Ledger lag: ledger_lag, threshold 2.5

## Ramp
- 1% for 10m
- 5% for 20m
- 100%

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
J=$T/l.journal
check "the runbook with ## Panels is sound, and no default panel is missed" \
  sh -c '"$0" check "$1" >"$2" && ! grep -q warning "$2"' "$CUTOVER" "$T/ledger.md" "$T/check.out"
tmux_start t 160 40 "CUTOVER_TIME_SCALE=$SCALE $CUTOVER run $T/ledger.md --journal $J"

# 1. the declared panels, with their titles, values and thresholds
check "the first declared panel has its title" wait_screen t "─ Ledger writes ─" 20
check "  … its value now in the criterion's units, against the criterion's bound" \
  wait_screen t "now 0.42% (> 2%)" 20
check "  … and the signal declared under it" wait_screen t "ledger_lag 1.5" 20
check "the second panel draws the threshold the runbook wrote" wait_screen t "now 1.5 (threshold 2.5)" 20
check "no named panel says a signal is missing" sh -c '! grep -q "no dual_write_failure_rate signal\|no p99_ratio signal\|no divergence_rate signal" "$0"' "$T/screen"
check "the named panels are not drawn" sh -c '! grep -q "Shadow reads\|Latency p99" "$0"' "$T/screen"
metrics 0.031 3.25
check "the values follow the signal" wait_screen t "now 3.1% (> 2%)" 20
check "  … on both panels" wait_screen t "now 3.25 (threshold 2.5)" 20
metrics 0.0042 1.5
check "the criterion clears again" wait_screen t "now 0.42% (> 2%)" 20

# 2. the ETA: an idle ramp is its holds (10m + 20m) from now
header() { tmux_screen t | head -1; }
# eta_is MINUTES: the header's ETA is its own clock plus MINUTES (the
# minute the clock is in, or the next one if the clock turned between)
eta_is() {
  local h; h=$(header)
  local eta clock
  # an ETA on another day than the clock's (past midnight) carries its date: ETA 12-06 00:05
  eta=$(printf '%s\n' "$h" | grep -oE 'ETA ([0-9]{2}-[0-9]{2} )?[0-9]{2}:[0-9]{2}' | head -1 | grep -oE '[0-9]{2}:[0-9]{2}$')
  clock=$(printf '%s\n' "$h" | grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC' | cut -c1-5)
  [ -n "$eta" ] && [ -n "$clock" ] || { echo "no ETA or clock in: $h"; return 1; }
  local e=$((10#${eta%:*} * 60 + 10#${eta#*:})) c=$((10#${clock%:*} * 60 + 10#${clock#*:}))
  local d=$(( (e - c + 1440) % 1440 ))
  [ "$d" -eq "$1" ] || [ "$d" -eq $(( $1 - 1 )) ] || { echo "ETA $eta at $clock: $d min, wanted $1: $h"; return 1; }
}
check "the ramp is ready" wait_screen t "press +" 30
check "at 160 columns the header says the ETA and what it is made of" wait_screen t "(ramp holds 30m)" 10
check "  … and it is the clock plus the ramp's holds" wait_until 10 eta_is 30
tmux_keys t + 1 Enter
check "1%: set and read back" wait_screen t "HOLDING 1%" 20
# during the hold the ETA is the journaled read-back plus 10m + 20m
read_ms=$(sql "$J" "select ts_ms from events where kind='flag_read' and json_extract(body,'\$.percent')=1 order by seq desc limit 1")
want=$(date -u -d "@$(( read_ms / 1000 + 30 * 60 ))" +%H:%M)
header_eta() { tmux_screen t | head -1 | grep -qE "ETA ([0-9]{2}-[0-9]{2} )?$want \(ramp holds"; }
check "during the hold the ETA is the step's read-back plus the holds ($want, dated past midnight)" wait_until 10 header_eta
check "  … and the ramp bar's earliest 100% says the same" wait_screen t "100% at $want UTC at the earliest" 10

# 3. narrower: the phase and the status stay, the ETA keeps its time
tmux_resize t 120 40
# eta_shown SUFFIX: the header's ETA is $want (dated when past midnight), then SUFFIX
eta_shown() { tmux_screen t >"$T/screen"; head -1 "$T/screen" | grep -qE "ETA ([0-9]{2}-[0-9]{2} )?$want$1"; }
check "at 120 columns the ETA is still there" wait_until 10 eta_shown ""
check "  … with the phase, the status and the mode" sh -c 'head -1 "$0" | grep -q "Phase 4: Cutover │ READY │ ARMED │ ETA"' "$T/screen"
check "  … and the test clock's mark" sh -c 'head -1 "$0" | grep -q "×5"' "$T/screen"
tmux_resize t 80 24
# (the mode ARMED gives way to the test clock's mark before the phase is cut)
check "at 80×24 the ETA is still there" wait_until 10 eta_shown " holds"
# (an ETA dated past midnight takes six columns from the phase's name)
check "  … with the phase, the status, the role and the clock" \
  sh -c 'head -1 "$0" | grep -qE "Phase 4: (Cutover|Cu…) │ READY │ ETA .* commander  [0-9:]* UTC" || { head -1 "$0"; exit 1; }' "$T/screen"
check "  … and the declared panels" sh -c 'grep -q "Ledger writes" "$0" && grep -q "Ledger lag" "$0"' "$T/screen"
tmux_keys t q
finish
