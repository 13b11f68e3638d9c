# test_fresh_start.sh — issue 16 item 6: a fresh journal, `Rollback: 2.5%`,
# and the flag file at 0 % (or already at 1 %). The flag's value is read
# and journaled as the ceremony's starting point: no mismatch is reported,
# the rehearsal writes that value, and a headless run ramps on.
. tests/lib.sh
need build/tools/fault_server build/tools/flagctl >/dev/null || exit 1
FLAGCTL=$ROOT/build/tools/flagctl
mkdir -p "$T/answers"
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault $run 2>/dev/null; }
P=$(wait_port "$T/fault.out")
F=$T/flags.json
cat >"$T/rb.md" <<EOF2
# Fresh

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$F\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 200ms

## Abort criteria
- abort if error_ratio > 1%

## Ramp
- 5% for 1h
- 100%

Rollback: 2.5%

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 2.5%.
EOF2
check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/rb.md"
for start in 0 1; do
  J=$T/rb$start.journal
  rm -f "$F"
  check "the flag file is at $start%" "$FLAGCTL" "$T/rb.md" set $start
  "$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run$start.out" 2>&1 &
  run=$!
  check "a fresh headless run reaches the first step (from $start%)" wait_for 60 grep -q "flag reads 5% (advance)" "$T/run$start.out"
  kill $run; wait $run 2>/dev/null
  check "the starting value $start% is journaled as the start" \
    test "$(sql "$J" "select json_extract(body,'\$.percent') from events where kind='flag_read' and json_extract(body,'\$.purpose')='start'")" = $start
  check "no mismatch was reported" test "$(sql "$J" "select count(*) from events where kind='flag_mismatch'")" = 0
  check "the rehearsal wrote $start%, the value it found" \
    test "$(sql "$J" "select json_extract(body,'\$.percent') from events where kind='flag_set' and json_extract(body,'\$.purpose')='rehearsal'")" = $start
done
finish
