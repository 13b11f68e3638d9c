# test_rollback_resume.sh — issue 16 items 2 and 4: a rollback interrupted
# by kill -9 while the HTTP flag service is down. On every start the
# unconfirmed rollback is resumed and retried with backoff, whatever the
# first look said; the screen says so coherently (`!`, `f`, `r`); `q` asks
# before leaving it, SIGTERM goes on trying for CUTOVER_ROLLBACK_WAIT_S and
# then exits 1 naming the flag's last known value; once the service is
# back the rollback is read back and a headless run exits 3.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
tests/peers/ensure.sh || exit 1
mkdir -p "$T/answers"
metrics() { printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n' "$1" >"$T/answers/m"; mv "$T/answers/m" "$T/answers/metrics"; }
metrics 0
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
node tests/peers/http_flag_service.mjs >"$T/svc.out" 2>"$T/svc.log" &
svc=$!
cleanup_hook() { kill $fault $svc $run 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out") S=$(wait_port "$T/svc.out")
cat >"$T/rb.md" <<EOF2
# Rollback resume

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
J=$T/rb.journal
export CUTOVER_TIME_SCALE=4
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
check "the ramp holds at 1% on the HTTP flag service" wait_for 60 grep -q "flag reads 1% (advance)" "$T/run.out"
kill $svc; wait $svc 2>/dev/null
metrics 0.05
failed_tries() { sql "$J" "select count(*) from events where kind='flag_set' and json_extract(body,'\$.purpose')='rollback' and not json_extract(body,'\$.ok') and seq > (select max(seq) from events where kind='console_open')"; }
tries_after_open() { [ "$(failed_tries)" -ge "$1" ]; }
# resumed OPENS N: a console opened since OPENS were counted, and it failed N tries
# (before its own console_open the previous run's tries would count)
opens() { sql "$J" "select count(*) from events where kind='console_open'"; }
resumed() { [ "$(opens)" -gt "$1" ] && tries_after_open "$2"; }
check "the abort fired with the service down, and its rollback failed" wait_for 60 tries_after_open 1
kill -9 $run; wait $run 2>/dev/null
metrics 0

# headless, the service still down: resumed at once, then SIGTERM
o=$(opens)
CUTOVER_ROLLBACK_WAIT_S=2 "$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run2.out" 2>"$T/run2.err" &
run=$!
check "restarted: the unconfirmed rollback is tried again, and again" wait_for 60 resumed "$o" 2
check "no success is reported" test "$(sql "$J" "select count(*) from events where kind='rollback_confirmed'")" = 0
kill -TERM $run
t0=$(now_ms); wait $run; rc=$?; waited=$(( $(now_ms) - t0 ))
check "SIGTERM: it kept trying, then exited 1 (exit $rc)" test $rc -eq 1
check "… after about CUTOVER_ROLLBACK_WAIT_S (${waited} ms)" test $waited -ge 1500
check "… naming the flag's last known value" contains "$T/run2.err" "NOT confirmed: it last read 1%"

# at a console: the banner, !, f and r agree; q asks
o=$(opens)
tmux_start c 120 40 "CUTOVER_ROLLBACK_WAIT_S=2 $CUTOVER run $T/rb.md --journal $J; echo rc=\$?"
check "the console resumes the rollback" wait_for 60 resumed "$o" 1
check "the banner shows the current failure" wait_screen c "connection refused" 30
tmux_keys c '!'
tmux_keys c ABORT Enter
check "! tries the rollback again now, not 'already aborted'" wait_screen c "not read back yet"
tmux_keys c f
tmux_keys c 0 Enter
check "f says the rollback is being retried" wait_screen c "is being retried"
tmux_keys c r
tmux_keys c "it is fine" Enter
check "r is refused: the rollback is not confirmed" wait_screen c "refused: the rollback is not confirmed yet"
tmux_keys c q
check "q asks before leaving an unconfirmed rollback" wait_screen c "quit anyway?"
tmux_keys c y Enter
check "confirmed: it tries for a while, then says the flag's value and exits 1" wait_screen c "rc=1" 30
check "… naming the value" wait_screen c "NOT confirmed: it last read 1%"

# the service is back: the next start reads the rollback back
PORT=$S node tests/peers/http_flag_service.mjs >"$T/svc2.out" 2>"$T/svc2.log" &
svc=$!
wait_port "$T/svc2.out" >/dev/null
check "with the service back, a headless run confirms the rollback and exits 3" \
  expect_exit 3 timeout 60 "$CUTOVER" run "$T/rb.md" --journal "$J" --headless
check "rollback_confirmed is journaled once" test "$(sql "$J" "select count(*) from events where kind='rollback_confirmed'")" = 1
check "the service holds 0" sh -c 'curl -s "http://127.0.0.1:$0/flags/orders" | grep -q "\"rollout\":0"' "$S"
finish
