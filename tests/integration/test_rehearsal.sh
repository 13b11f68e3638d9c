# test_rehearsal.sh — the way back is rehearsed before the first step: the
# flag is written with the value it has and read back, the signals the
# criteria need answer, dual-write flows. It fails on a flag file in a
# read-only directory and on a dual-write signal stuck at zero, and passes
# once both are fixed; or the commander overrides it with a written reason,
# shown in red for the rest of the ceremony.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers" "$T/flagdir"
metrics() { printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n# TYPE dual_writes gauge\ndual_writes %s\n' "$1" >"$T/answers/m"; mv "$T/answers/m" "$T/answers/metrics"; }
metrics 0
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { chattr -i "$T/flagdir" 2>/dev/null; kill $fault $run 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out")
F=$T/flagdir/flags.json
printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}' >"$F"
# Root ignores permissions: make the directory immutable instead (read-only
# for everyone), or fall back to a directory under a file.
if chattr +i "$T/flagdir" 2>/dev/null; then ro=immutable; else ro=; F=/dev/null/flags.json; fi
runbook() {
cat >"$1" <<EOF2
# Rehearsal

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$F\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\`
- dual_write_rate: \`max(dual_writes)\`

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
}
runbook "$T/rb.md"
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
wait_for 60 grep -q "rehearsal" "$T/run.out"
check "a rehearsal ran before the first step" test "$(sql "$J" "select count(*) from events where kind='rehearsal'")" -ge 1
check "it failed" test "$(sql "$J" "select json_extract(body,'\$.passed') from events where kind='rehearsal' limit 1")" = 0
check "… on the flag that cannot be written (read-only directory${ro:+, $ro})" \
  test "$(sql "$J" "select json_extract(value,'\$.ok') from events, json_each(json_extract(body,'\$.checks')) where kind='rehearsal' and json_extract(value,'\$.name')='flag' limit 1")" = 0
check "… and on dual-write stuck at zero" \
  test "$(sql "$J" "select json_extract(value,'\$.detail') from events, json_each(json_extract(body,'\$.checks')) where kind='rehearsal' and json_extract(value,'\$.name')='dual-write' limit 1")" = "dual-write is not flowing: dual_write_rate = 0"
check "the signals the criteria need were answering" \
  test "$(sql "$J" "select json_extract(value,'\$.ok') from events, json_each(json_extract(body,'\$.checks')) where kind='rehearsal' and json_extract(value,'\$.name')='signals' limit 1")" = 1
check "the ramp did not start" test "$(sql "$J" "select count(*) from events where kind='ramp_advance'")" = 0

chattr -i "$T/flagdir" 2>/dev/null
if [ -z "$ro" ]; then F=$T/flagdir/flags.json; runbook "$T/rb2.md"; fi
metrics 12
ramp_started() { [ "$(sql "$J" "select count(*) from events where kind='ramp_advance'")" = 1 ]; }
[ -n "$ro" ] && wait_for 60 ramp_started
if [ -n "$ro" ]; then
  check "once both are fixed the rehearsal passes" \
    test "$(sql "$J" "select json_extract(body,'\$.passed') from events where kind='rehearsal' order by seq desc limit 1")" = 1
  check "… and the ramp starts" test "$(sql "$J" "select count(*) from events where kind='ramp_advance'")" = 1
fi
kill -TERM $run; wait $run

# The commander overrides a failed rehearsal with a written reason.
metrics 0
J2=$T/over.journal
F=$T/flagdir/over-flags.json   # a flag of its own: the one above was left at 1%
runbook "$T/over.md"
tmux_start c 120 40 "$CUTOVER run $T/over.md --journal $J2"
check "the screen says the rehearsal failed and how to override" wait_screen c "REHEARSAL FAILED" 30
check "… naming the dual-write check" wait_screen c "dual-write is not flowing"
tmux_keys c o
check "o asks for a reason" wait_screen c "the reason (journaled, shown in red)"
tmux_keys c "dual-write verified in the service logs" Enter
check "the override is confirmed on screen" wait_screen c "OVERRIDDEN: dual-write verified in the service logs"
check "the header shows OVERRIDE" sh -c 'tmux -S "$0" capture-pane -p -t c | head -1 | grep -q OVERRIDE' "$TMUX_SOCK"
check "the override is journaled with its reason and what failed" \
  test "$(sql "$J2" "select json_extract(body,'\$.reason') from events where kind='override'")" = "dual-write verified in the service logs"
check "and the ramp starts" wait_screen c "HOLDING 1%" 30

# The commander aborts by hand: confirmed by typing ABORT.
tmux_keys c '!'
check "! asks for ABORT to be typed" wait_screen c "type ABORT"
tmux_keys c abort Enter
check "anything but ABORT does nothing" wait_screen c "not aborted (type ABORT in capitals"
tmux_keys c '!' ABORT Enter
# at once: how soon is bench_abort's figure (make bench); here a bound
check "typing ABORT rolls the flag back at once" wait_screen c "flag back at 0%" 20
check "the manual abort is journaled with who did it" \
  test "$(sql "$J2" "select actor || ':' || json_extract(body,'\$.manual') from events where kind='abort'")" = "Alice Ng/commander:1"
tmux_keys c q
finish
