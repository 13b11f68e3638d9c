# test_restart_flag.sh — kill -9 in the middle of a ramp, someone changes
# the flag by hand, `cutover run` on the same journal: the cockpit is back
# at the same step, reads the flag, journals and shows the difference, and
# changes no traffic until the commander says so.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault $run 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out")
F=$T/flags.json
cat >"$T/rb.md" <<EOF2
# Restart

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$F\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\`

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
check "the ramp holds at 1%" wait_for 60 grep -q "flag reads 1% (advance)" "$T/run.out"
kill -9 $run; wait $run 2>/dev/null
sed -i 's/\["on", *1\]/["on",5]/; s/\["off", *99\]/["off",95]/' "$F"
check "someone set the flag file to 5% by hand" grep -q '"on",5' "$F"

tmux_start c 120 40 "$CUTOVER run $T/rb.md --journal $J"
check "the restarted console is back at the same step" wait_screen c "HOLDING 1%"
check "it shows that the flag differs from the journal" wait_screen c "THE FLAG SAYS 5%, THE JOURNAL 1%"
check "the difference is journaled" \
  test "$(sql "$J" "select json_extract(body,'\$.flag_percent') || '/' || json_extract(body,'\$.journal_percent') from events where kind='flag_mismatch'")" = "5/1"
# A write that should not happen cannot be waited for; wait instead for two
# signal samples journaled after the mismatch: two turns of the cockpit's
# loop, each a chance for a wrong write, however slow the machine.
samples_after_mismatch() {
  [ "$(sql "$J" "select count(*) from samples where ts_ms > (select max(ts_ms) from events where kind='flag_mismatch')")" -ge 2 ]
}
check "the cockpit goes on sampling after it" wait_for 30 samples_after_mismatch
check "no traffic was changed on start (the file still says 5%)" grep -q '"on",5' "$F"
tmux_keys c f
check "f asks the commander to type the value" wait_screen c "type it:"
tmux_keys c 1 Enter
check "the flag is set back to 1% and read back" wait_screen c "flag reads 1% (restore)"
no_banner() { ! tmux_screen c | sed -n 3p | grep -q "THE FLAG SAYS"; }
check "the mismatch banner under the ramp bar is gone" wait_for 10 no_banner
check "the file says 1% again" grep -q '"on",[[:space:]]*1\b' "$F"
check "the commander's decision is journaled" \
  test "$(sql "$J" "select count(*) from events where kind='flag_restore'")" = 1
tmux_keys c q
finish
