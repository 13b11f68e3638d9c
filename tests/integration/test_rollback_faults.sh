# test_rollback_faults.sh — a rollback that cannot be confirmed: the HTTP
# flag service goes down in the middle of a ramp, a criterion fires, and
# the cockpit keeps trying with backoff, journaling each try, never
# reporting a rollback it did not see — until the service is back, when the
# rollback is read back and the command exits 3.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
tests/peers/ensure.sh || exit 1
mkdir -p "$T/answers"
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
node tests/peers/http_flag_service.mjs >"$T/svc.out" 2>"$T/svc.log" &
svc=$!
cleanup_hook() { kill $fault $svc $run 2>/dev/null; }
P=$(wait_port "$T/fault.out") S=$(wait_port "$T/svc.out")

cat >"$T/rb.md" <<EOF2
# Rollback faults

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: http \`http://127.0.0.1:$S/flags/orders\` body \`{"rollout": {{percent}}}\` path \`\$.rollout\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 250ms

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
check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/rb.md"
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
advanced_to_1() {
  [ -s "$J" ] && [ "$(sql "$J" "select count(*) from events where kind='flag_read' and json_extract(body,'\$.percent')=1 and json_extract(body,'\$.purpose')='advance'")" = 1 ]
}
wait_for 60 advanced_to_1
check "the ramp holds at 1% on the HTTP flag service" \
  test "$(sql "$J" "select count(*) from events where kind='flag_read' and json_extract(body,'\$.percent')=1")" -ge 1

kill $svc; wait $svc 2>/dev/null
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0.05\n' >"$T/answers/m" && mv "$T/answers/m" "$T/answers/metrics"
failed_tries() { sql "$J" "select count(*) from events where kind='flag_set' and json_extract(body,'\$.purpose')='rollback' and not json_extract(body,'\$.ok')"; }
# Until the abort has fired and four tries failed (about 3 s when idle):
# the backoff below compares the gaps between the first four.
four_failed_tries() { [ "$(failed_tries)" -ge 4 ]; }
wait_for 60 four_failed_tries
check "the abort fired" test "$(sql "$J" "select count(*) from events where kind='abort'")" = 1
tries=$(failed_tries)
check "while the service is down every try is journaled as failed (${tries} tries)" test "$tries" -ge 3
check "each failure says why" \
  test "$(sql "$J" "select json_extract(body,'\$.error') from events where kind='flag_set' and json_extract(body,'\$.purpose')='rollback' limit 1" | grep -c 'connection refused')" = 1
check "the tries back off (the gap grows)" sh -c '
  sqlite3 -cmd ".timeout 2000" "$0" "select ts_ms from events where kind=\"flag_set\" and json_extract(body,\"\$.purpose\")=\"rollback\" order by seq limit 4" >"$1/ts"
  set -- $(cat "$1/ts"); [ $(( $4 - $3 )) -gt $(( $2 - $1 )) ]' "$J" "$T"
check "no success is reported while it was not seen" \
  test "$(sql "$J" "select count(*) from events where kind='rollback_confirmed'")" = 0
check "the process is still running, waiting" kill -0 $run

PORT=$S node tests/peers/http_flag_service.mjs >"$T/svc2.out" 2>"$T/svc2.log" &
svc=$!
wait $run; rc=$?
check "once the service is back the rollback is read back and the command exits 3" test $rc -eq 3
check "rollback_confirmed is journaled once, with its number of tries" \
  test "$(sql "$J" "select count(*) || ':' || (max(json_extract(body,'\$.tries')) >= 3) from events where kind='rollback_confirmed'")" = "1:1"
check "the service holds 0" sh -c 'curl -s "http://127.0.0.1:$0/flags/orders" | grep -q "\"rollout\":0"' "$S"
finish
