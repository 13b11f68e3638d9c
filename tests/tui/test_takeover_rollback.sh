# test_takeover_rollback.sh — issue 20 with issue 16's rule that the way
# back never lies: the driver aborts while the HTTP flag service is down,
# so its rollback is not read back, and is killed with -9. A joined
# commander's console sees NO ENGINE and takes over (T, a reason); as the
# new driver it goes on trying the unconfirmed rollback (it does not take
# the abort as done), says so, and reports no success until the service
# is back and the flag reads 0%; then rollback_confirmed is journaled once.
. tests/lib.sh
. tests/wait.sh
need build/tools/fault_server >/dev/null || exit 1
tests/peers/ensure.sh || exit 1
mkdir -p "$T/answers"
metrics() { printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n' "$1" >"$T/answers/m"; mv "$T/answers/m" "$T/answers/metrics"; }
metrics 0
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
node tests/peers/http_flag_service.mjs >"$T/svc.out" 2>"$T/svc.log" &
svc=$!
run=
cleanup_hook() { kill $fault $svc $run 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out") S=$(wait_port "$T/svc.out")
cat >"$T/rb.md" <<EOF2
# Take-over rollback

## Roles
- commander: Alice Ng
- dba: Bob Li

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
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
check "the driver holds at 1% on the HTTP flag service" wait_for 60 grep -q "flag reads 1% (advance)" "$T/run.out"
tmux_start c 140 45 "$CUTOVER join $J --as 'Alice Ng' --role commander"
check "a joined commander's console is up" wait_screen c "Take-over rollback" 20
kill $svc; wait $svc 2>/dev/null
metrics 0.05
failed_rollbacks() { sql "$J" "select count(*) from events where kind='flag_set' and json_extract(body,'\$.purpose')='rollback' and not json_extract(body,'\$.ok') ${1:-}"; }
some_failed() { [ "$(failed_rollbacks)" -ge 1 ]; }
check "the abort fired with the service down: its rollback failed" wait_for 60 some_failed
kill -9 $run; wait $run 2>/dev/null
run=
metrics 0
check "the driver killed: NO ENGINE on the commander's console" wait_screen c "NO ENGINE" 10
tmux_keys c T
check "T asks for a reason" wait_screen c "take over driving — the reason" 5
tmux_keys c "the driver's host died mid-rollback" Enter
check "the take-over is journaled" wait_until 20 journal_has "$J" "kind='takeover'"
after="and seq > (select seq from events where kind='takeover')"
tries_after() { [ "$(failed_rollbacks "$after")" -ge "$1" ]; }
check "the new driver goes on trying the rollback, again and again" wait_for 60 tries_after 2
check "… and reports no success" test "$(sql "$J" "select count(*) from events where kind='rollback_confirmed'")" = 0
check "… its screen says the rollback is not read back" wait_screen c "ROLLBACK NOT CONFIRMED" 20
PORT=$S node tests/peers/http_flag_service.mjs >"$T/svc2.out" 2>"$T/svc2.log" &
svc=$!
wait_port "$T/svc2.out" >/dev/null
check "the service back: the rollback is read back, rollback_confirmed once" \
  wait_until 60 journal_has "$J" "kind='rollback_confirmed' $after"
check "… only once" test "$(sql "$J" "select count(*) from events where kind='rollback_confirmed'")" = 1
check "… the service holds 0" sh -c 'curl -s "http://127.0.0.1:$0/flags/orders" | grep -q "\"rollout\":0"' "$S"
finish
