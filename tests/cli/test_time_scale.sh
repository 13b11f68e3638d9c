# test_time_scale.sh — the test clock (CUTOVER_TIME_SCALE): an automatic
# ramp of three 10 s holds, headless at ×20, finishes in a couple of real
# seconds while its journal shows the holds a full 10 s apart, says it ran
# on a test clock (the headless summary, console_open's time_scale, the
# header on screen, and replay and the report of its journal); a `for 5s` window fires after 5 s of the test clock;
# a bad value is refused before anything is journaled.
. tests/lib.sh
. tests/wait.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill "$fault" 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
wait_until 5 grep -q port "$T/fault.out"
P=$(sed -n 's/^port //p' "$T/fault.out")
metrics() { printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n' "$1" >"$T/answers/m.tmp"; mv "$T/answers/m.tmp" "$T/answers/metrics"; }
metrics 0

runbook() {  # runbook FILE FLAGFILE
cat >"$1" <<EOF2
# Clock test

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$2\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\`

## Abort criteria
- abort if error_ratio > 1% for 5s

## Ramp
- 1% for 10s
- 5% for 10s
- 25% for 10s
- 100%

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Flip \`orders-read-new\` back to 0%.
EOF2
}

# 1. Bad values stop the command at once, naming the variable; nothing is journaled.
runbook "$T/bad.md" "$T/bad-flags.json"
for v in abc 0 0.5 -3 20x "" 1e9 nan; do
  check "CUTOVER_TIME_SCALE='$v' is refused with exit 2, naming the variable" sh -c '
    CUTOVER_TIME_SCALE=$1 "$0" run "$2" --journal "$3" --headless >"$4/bad.out" 2>&1; rc=$?
    [ $rc -eq 2 ] && grep -q "CUTOVER_TIME_SCALE" "$4/bad.out" && [ ! -e "$3" ]' \
    "$CUTOVER" "$v" "$T/bad.md" "$T/bad.journal" "$T"
done
check "… also for a command that never reads the clock" \
  sh -c 'CUTOVER_TIME_SCALE=fast "$0" check "$1" >"$2" 2>&1; [ $? -eq 2 ] && grep -q "CUTOVER_TIME_SCALE=\"fast\"" "$2"' \
  "$CUTOVER" "$T/bad.md" "$T/check.out"
check "a fractional value is accepted" \
  sh -c 'CUTOVER_TIME_SCALE=2.5 "$0" check "$1" >/dev/null' "$CUTOVER" "$T/bad.md"

# 2. Three holds of 10 s at ×20: 30 s of the test clock in ~1.5 real seconds.
runbook "$T/clean.md" "$T/clean-flags.json"
t0=$(now_ms)
CUTOVER_TIME_SCALE=20 timeout 60 "$CUTOVER" run "$T/clean.md" --journal "$T/clean.journal" --headless >"$T/clean.out" 2>&1
rc=$? ms=$(( $(now_ms) - t0 ))
echo "three 10 s holds at ×20 took ${ms} ms of real time"
check "the sped-up ramp reaches 100% and exits 0" test $rc -eq 0
check "… through 1, 5, 25, 100" \
  test "$(sql "$T/clean.journal" "select group_concat(json_extract(body,'\$.percent'),',') from events where kind='ramp_advance'")" = "1,5,25,100"
# the gaps between the four advances, on the journal's (test) clock
gaps=$(sql "$T/clean.journal" "select ts_ms from events where kind='ramp_advance' order by seq" |
  awk 'NR > 1 { printf "%s%d", sep, $1 - prev; sep = " " } { prev = $1 }')
echo "advances on the test clock, ms apart: ${gaps:-none}"
gaps_within() {  # MIN MAX: three gaps, each in [MIN, MAX)
  [ "$(echo $gaps | wc -w)" -eq 3 ] || return 1
  for g in $gaps; do [ "$g" -ge "$1" ] && [ "$g" -lt "$2" ] || return 1; done
}
check "the journal has the holds at least 10 s apart on the test clock ($gaps)" gaps_within 10000 1000000000
# the loop wakes when a hold ends, not at a coarse tick: each gap under
# 30 s (a real second of slack at ×20: a loaded 2-core machine stalled a
# wake by over half a second once), and one at least under 20 s
some_gap_under() { for g in $gaps; do [ "$g" -lt "$1" ] && return 0; done; return 1; }
check "… and not much more (each under 30 s, a real second of slack at ×20 on a loaded machine): the loop woke when they ended ($gaps)" gaps_within 0 30000
check "… one of them within half a real second of its end ($gaps)" some_gap_under 20000
check "the 30 s of holds took under 15 s of real time (${ms} ms; ×20 needs 1.5 s)" test "$ms" -lt 15000
check "… and no less than their scaled length, 1.5 s (${ms} ms)" test "$ms" -ge 1500
check "the headless summary says the clock is a test clock" contains "$T/clean.out" "# TIME ×20 (test clock)"
check "console_open journals time_scale 20" \
  test "$(sql "$T/clean.journal" "select json_extract(body,'\$.time_scale') from events where kind='console_open'")" = 20
check "the sped-up journal verifies" expect_exit 0 "$CUTOVER" verify "$T/clean.journal"

# 3. A `for 5s` window runs on the test clock too: a breach at 25% aborts
#    after 5 s of it, in a fraction of a real second.
runbook "$T/abort.md" "$T/abort-flags.json"
CUTOVER_TIME_SCALE=20 timeout 60 "$CUTOVER" run "$T/abort.md" --journal "$T/abort.journal" --headless >"$T/abort.out" 2>&1 &
pid=$!
wait_until 30 grep -q "flag reads 25% (advance)" "$T/abort.out"
metrics 0.05
t0=$(now_ms)
wait $pid; rc=$? ms=$(( $(now_ms) - t0 ))
check "a breach on the test clock aborts: exit 3" test $rc -eq 3
abort=$(sql "$T/abort.journal" "select ts_ms from events where kind='abort'")
breach=$(sql "$T/abort.journal" "select max(ts_ms) from events where kind='criterion' and json_extract(body,'\$.to')='pending' and ts_ms <= ${abort:-0}")
held=$(( ${abort:-0} - ${breach:-0} ))
echo "breach → abort: ${held} ms on the test clock, the whole abort ${ms} ms real"
check "the abort came 5 s of the test clock after the breach began (${held} ms)" \
  sh -c "[ -n '$abort' ] && [ -n '$breach' ] && [ $held -ge 5000 ] && [ $held -lt 8000 ]"
check "… well under 5 real seconds after the fault (${ms} ms)" test "$ms" -lt 5000

# 4. Without the variable the clock is the wall clock, and the journal says nothing of a scale.
runbook "$T/plain.md" "$T/plain-flags.json"
timeout 60 "$CUTOVER" run "$T/plain.md" --journal "$T/plain.journal" --headless >"$T/plain.out" 2>&1 &
pid=$!
wait_until 10 grep -q console_open "$T/plain.out"
kill -TERM $pid; wait $pid
check "on the wall clock console_open has no time_scale" \
  test "$(sql "$T/plain.journal" "select json_extract(body,'\$.time_scale') is null from events where kind='console_open'")" = 1
check "… and the headless summary no test-clock line" sh -c '! grep -q "test clock" "$0"' "$T/plain.out"

# 5. On screen, the header says so.
runbook "$T/screen.md" "$T/screen-flags.json"
tmux_start s 140 40 "CUTOVER_TIME_SCALE=20 $CUTOVER run $T/screen.md --journal $T/s.journal"
check "the header marks the test clock" wait_screen s "TIME ×20 (test clock)" 10
tmux_keys s q
tmux_start p 140 40 "$CUTOVER run $T/screen.md --journal $T/p.journal"
wait_screen p "Alice Ng/commander" 10 >/dev/null
check "… and a console on the wall clock has no such mark" sh -c '! grep -q "test clock" "$0"' "$T/screen"
tmux_keys p q

# 6. The journal of a sped-up run is never read as a ceremony's: replay
#    shows the same mark, and the report says so in every format.
tmux_start r 140 40 "$CUTOVER replay $T/clean.journal"
check "replay of a test-clock journal marks the test clock" wait_screen r "TIME ×20 (test clock)" 10
tmux_keys r q
tmux_start rp 140 40 "$CUTOVER replay $T/plain.journal"
wait_screen rp "replay" 10 >/dev/null
check "… and replay of a wall-clock journal has no such mark" sh -c '! grep -q "test clock" "$0"' "$T/screen"
tmux_keys rp q
"$CUTOVER" report "$T/clean.journal" --format md >"$T/clean.md.out" 2>&1
check "the Markdown report says the run was on a test clock" contains "$T/clean.md.out" "TIME ×20 (test clock)"
"$CUTOVER" report "$T/clean.journal" --format html >"$T/clean.html" 2>&1
check "… the HTML report too" contains "$T/clean.html" "TIME ×20 (test clock)"
check "… and the JSON has test_clock 20" \
  sh -c '"$0" report "$1" --format json | python3 -c "import json,sys; assert json.load(sys.stdin)[\"test_clock\"] == 20"' "$CUTOVER" "$T/clean.journal"
check "a wall-clock journal's report has no test_clock" \
  sh -c '"$0" report "$1" --format json | python3 -c "import json,sys; assert \"test_clock\" not in json.load(sys.stdin)"' "$CUTOVER" "$T/plain.journal"
check "… and no test-clock line in Markdown" sh -c '! "$0" report "$1" --format md | grep -q "test clock"' "$CUTOVER" "$T/plain.journal"
finish
