# test_flag_rule.sh — issue 16 item 7, who is on new: the flagd driver
# journals a digest of the rule it wrote and read back; after a restart a
# rule that gives the same share in another order (buckets reordered by
# hand, so other users are on new) is a mismatch, not silence: a headless
# run exits 1 naming it, and the file is left as the person left it.
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
# Rule

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

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
check "the ramp holds at 5%" wait_for 60 grep -q "flag reads 5% (advance)" "$T/run.out"
kill -9 $run; wait $run 2>/dev/null
check "the read-back journaled the rule's digest" \
  test -n "$(sql "$J" "select json_extract(body,'\$.rule') from events where kind='flag_read' and json_extract(body,'\$.purpose')='advance'")"
python3 - "$F" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
frac = doc["flags"]["orders-read-new"]["targeting"]["fractional"]
frac.reverse()
json.dump(doc, open(sys.argv[1], "w"))
PY
check "someone reordered the buckets: the share is still 5%" test "$("$FLAGCTL" "$T/rb.md" read)" = 5
cp "$F" "$T/edited.json"
check "the headless rerun exits 1" expect_exit 1 timeout 60 "$CUTOVER" run "$T/rb.md" --journal "$J" --headless
check "… naming the changed rule" contains "$T/.last" "RULE CHANGED at 5%"
check "the mismatch is journaled as a rule change" \
  test "$(sql "$J" "select json_extract(body,'\$.rule_changed') from events where kind='flag_mismatch'")" = 1
check "no advance after it" test "$(sql "$J" "select count(*) from events where kind='ramp_advance'")" = 1
check "the file is as the person left it" cmp "$F" "$T/edited.json"
finish
