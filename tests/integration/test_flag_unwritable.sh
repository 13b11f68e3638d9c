# test_flag_unwritable.sh — issue 16 item 8: a flag cutover cannot write
# (string variants; a `$ref` rule someone wrote) fails the rehearsal once,
# clearly, and a headless run exits 1 instead of retrying forever. A
# DISABLED flag is not switched on by the rehearsal: it is a finding the
# commander resolves, and the file is left as it was.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault 2>/dev/null; }
P=$(wait_port "$T/fault.out")
F=$T/flags.json
cat >"$T/rb.md" <<EOF2
# Unwritable

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
- 1% for 1h
- 100%

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
strings='{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":"new","off":"old"},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}'
ref='{"$evaluators":{"staff":{"in":[{"var":"email"},["a@x"]]}},"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"if":[{"$ref":"staff"},"on","off"]}}}}'
disabled='{"flags":{"orders-read-new":{"state":"DISABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}'
for case in strings ref disabled; do
  eval "printf '%s' \"\$$case\"" >"$F"
  cp "$F" "$T/before.json"
  J=$T/$case.journal
  check "$case: a headless run exits 1" expect_exit 1 timeout 60 "$CUTOVER" run "$T/rb.md" --journal "$J" --headless
  check "$case: … saying the rehearsal failed" contains "$T/.last" "REHEARSAL FAILED"
  check "$case: the rehearsal ran once" test "$(sql "$J" "select count(*) from events where kind='rehearsal'")" = 1
  check "$case: journaled as final (only a person can fix it)" \
    test "$(sql "$J" "select json_extract(body,'\$.final') from events where kind='rehearsal'")" = 1
  check "$case: nothing advanced" test "$(sql "$J" "select count(*) from events where kind='ramp_advance'")" = 0
  check "$case: the flag file is as it was" cmp "$F" "$T/before.json"
done
check "disabled: the finding names it" contains "$T/.last" "DISABLED"
finish
