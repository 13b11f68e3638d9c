# test_advance_inflight.sh — issue 16 item 3: the console dies (kill -9)
# with an advance journaled but its result never journaled. On start the
# flag is read and the advance journaled as applied or as not applied; the
# screen agrees with itself (no "SETTING FLAG 5%" over a flag at 1%). And
# item 4: with the flag above the rollback value, q asks first.
# The in-flight state is made exactly: the advance's intent is appended
# with journal_put after the kill, as the console journals it before the
# write, and the flag is left as it was (not applied) or set (applied).
. tests/lib.sh
need build/tools/fault_server build/tools/flagctl build/tools/journal_put >/dev/null || exit 1
FLAGCTL=$ROOT/build/tools/flagctl PUT=$ROOT/build/tools/journal_put
mkdir -p "$T/answers"
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault $run 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out")
F=$T/flags.json
cat >"$T/rb.md" <<EOF2
# In flight

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
- 5% for 1h
- 100%

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
# killed_in_flight JOURNAL: held at 1%, killed -9, the advance to 5% journaled
killed_in_flight() {
  rm -f "$F"
  rm -f "$T/run.out"   # the last run's lines are not this one's
  "$CUTOVER" run "$T/rb.md" --journal "$1" --headless >"$T/run.out" 2>&1 &
  run=$!
  wait_for 60 grep -q "flag reads 1% (advance)" "$T/run.out" || return 1
  kill -9 $run; wait $run 2>/dev/null
  "$PUT" "$1" ramp_advance '{"step":1,"percent":5,"automatic":true}' >/dev/null
}
applied() { sql "$1" "select json_extract(body,'\$.applied') from events where kind='flag_read' and json_extract(body,'\$.applied') is not null"; }

# not applied: the flag still says 1%
J=$T/a.journal
check "killed at 1% with the advance to 5% in flight" killed_in_flight "$J"
tmux_start c 120 40 "$CUTOVER run $T/rb.md --journal $J; echo rc=\$?"
is_not_applied() { [ "$(applied "$J")" = 0 ]; }
check "on start the advance is journaled as not applied" wait_for 30 is_not_applied
check "the screen says HOLDING 1%" wait_screen c "HOLDING 1%"
check "… and not SETTING FLAG" sh -c '! grep -q "SETTING FLAG" "$0"' "$T/screen"
check "… and no mismatch" sh -c '! grep -q "THE FLAG SAYS" "$0"' "$T/screen"
check "no mismatch is journaled" test "$(sql "$J" "select count(*) from events where kind='flag_mismatch'")" = 0
check "the flag still says 1%" test "$("$FLAGCTL" "$T/rb.md" read)" = 1
tmux_keys c q
check "q asks first: the flag is above the rollback value" wait_screen c "quit anyway?"
tmux_keys c Escape
check "Esc stays" wait_screen c "cancelled"
tmux_keys c q
wait_screen c "quit anyway?" >/dev/null
tmux_keys c y Enter
check "y quits" wait_screen c "rc=0"

# applied: the flag says 5%
J=$T/b.journal
check "killed again with the advance to 5% in flight" killed_in_flight "$J"
check "… whose write did reach the flag" "$FLAGCTL" "$T/rb.md" set 5
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run2.out" 2>&1 &
run=$!
is_applied() { [ "$(applied "$J")" = 1 ]; }
check "on start the advance is journaled as applied" wait_for 30 is_applied
check "the ramp holds at 5%" wait_for 30 grep -q "HOLDING\|flag reads 5% (advance)" "$T/run2.out"
check "no mismatch is journaled" test "$(sql "$J" "select count(*) from events where kind='flag_mismatch'")" = 0
kill $run; wait $run 2>/dev/null
finish
