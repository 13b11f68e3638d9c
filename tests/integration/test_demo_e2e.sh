# test_demo_e2e.sh — the whole ceremony on the real demo service
# (build/ordersim), headless, with the demo runbook as written (its 30 s,
# 30 s and 1 min holds, its 10 s and 20 s `for` windows, its 30 s rate
# windows) made automatic, on the test clock at ×20 (CUTOVER_TIME_SCALE):
# the service runs in real time, the cockpit judges on its own sped-up
# clock. The service reads 800 times a second, so that the observed
# share's 10 s window (half a real second) still holds some 400 reads and
# its noise stays well inside the runbook's 5 points.
# At 25% the service is told to fail 5% of new reads: the flag is back at
# 0 within 2 real seconds of the criterion firing, the service's own
# counters show reads leaving new, the journal records the abort with its
# deciding values, and the command exits 3. A second run with no fault
# reaches 100% after its holds and exits 0. `cutover report` then tells
# both ceremonies from their journals (tests/report_checks.sh).
. tests/lib.sh
. tests/wait.sh
need build/ordersim >/dev/null || exit 1
SCALE=20
export CUTOVER_TIME_SCALE=$SCALE

sed -e 's/^The demo ramps in minutes, not hours; the commander advances each step.$/Mode: automatic/' \
    runbooks/demo.md >"$T/auto.md"

start_service() {  # start_service DIR
  mkdir -p "$1"
  printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}' >"$1/flags.json"
  "$ROOT/build/ordersim" --old "$1/old.db" --new "$1/new.db" --flags "$1/flags.json" \
    --port 0 --port-file "$1/port" --read-rate 800 2>"$1/ordersim.log" &
  svc=$!
  wait_until 5 test -s "$1/port"
  export CUTOVER_DEMO_DIR=$1 CUTOVER_DEMO_PORT; CUTOVER_DEMO_PORT=$(cat "$1/port")
}
cleanup_hook() { kill $svc $run 2>/dev/null; }
new_reads() { curl -s "http://127.0.0.1:$CUTOVER_DEMO_PORT/metrics" | sed -n 's/^reads_total{backend="new"} //p'; }
# new_reads_above N: the service has served more than N reads from new.
new_reads_above() { local r; r=$(new_reads); [ -n "$r" ] && [ "${r%.*}" -gt "$1" ]; }
# new_reads_still: no read served from new during half a second.
new_reads_still() { local a b; a=$(new_reads); sleep 0.5; b=$(new_reads); [ -n "$a" ] && [ "$a" = "$b" ]; }

# The phases before the ramp are taken by their owners, from scripts, once
# the console has opened the journal (tests/demo_steps.sh: the backfill and
# compare steps by the commander's override).
. tests/demo_steps.sh
ack_all_before_ramp() {  # JOURNAL
  wait_until 10 journal_has "$1" "kind='console_open'" || return 1
  demo_steps_before_ramp "$1" "$T/auto.md"
}

# 1. A fault at 25%.
start_service "$T/a"
check "the demo runbook, made automatic, is sound" expect_exit 0 "$CUTOVER" check "$T/auto.md"
timeout 120 "$CUTOVER" run "$T/auto.md" --journal "$T/a.journal" --headless >"$T/a.out" 2>&1 &
run=$!
ack_all_before_ramp "$T/a.journal"
# backfill and compare: by the commander's override, or by their own job
# when it finished first (the console runs it at the step's turn; on a slow
# machine a 0.4 s compare can beat the script's override)
data_steps_done() {  # JOURNAL: how many of backfill and compare are done
  sql "$1" "select (select count(*) > 0 from events where kind='override' and json_extract(body,'\$.guard')='step:backfill'
                      or kind='backfill' and json_extract(body,'\$.done') = 1)
                 + (select count(*) > 0 from events where kind='override' and json_extract(body,'\$.guard')='step:compare'
                      or kind='compare' and json_extract(body,'\$.divergent') = 0 and json_extract(body,'\$.sample') is null)"
}
check "the phases before the ramp are complete: six acks, backfill and compare done" \
  test "$(sql "$T/a.journal" "select count(*) from events where kind='ack'")/$(data_steps_done "$T/a.journal")" = 6/2
check "the console ran on the test clock" \
  test "$(sql "$T/a.journal" "select json_extract(body,'\$.time_scale') from events where kind='console_open'")" = $SCALE
wait_until 60 journal_has "$T/a.journal" \
  "kind='flag_read' and json_extract(body,'\$.percent')=25 and json_extract(body,'\$.purpose')='advance'"
check "the ramp reached 25%" \
  test "$(sql "$T/a.journal" "select count(*) from events where kind='flag_read' and json_extract(body,'\$.percent')=25")" -ge 1
check "new serves reads at 25% (the service follows the flag)" wait_until 10 new_reads_above 0
before=$(new_reads)
curl -s -X POST "http://127.0.0.1:$CUTOVER_DEMO_PORT/faults?new_read_error_rate=0.05" >/dev/null
wait $run; rc=$?
check "the command exits 3" test $rc -eq 3
check "the service's own counters show reads leaving new" wait_until 10 new_reads_still
echo "reads served by new: $before before the fault, $(new_reads) after the rollback"
check "new had been serving reads at 25%" test "${before%.*}" -gt 0
fire=$(sql "$T/a.journal" "select max(ts_ms) from events where kind='criterion' and json_extract(body,'\$.to')='firing'")
back=$(sql "$T/a.journal" "select json_extract(body,'\$.confirmed_ms') from events where kind='rollback_confirmed'")
real=$(( (back - fire) / SCALE ))
echo "criterion fired → flag read back at 0: $((back - fire)) ms on the test clock, ${real} ms real"
check "the flag was back at 0 within 2 real seconds of the criterion firing (${real} ms)" \
  test "$real" -le 2000
check "the abort is journaled with its deciding value" \
  sh -c 'v=$(sqlite3 -cmd ".timeout 2000" "$0" "select json_extract(body,\"\$.value\") from events where kind=\"abort\""); awk -v v="$v" "BEGIN{exit !(v > 0.01)}"' "$T/a.journal"
check "… and the criterion that decided it" \
  sh -c 'sqlite3 -cmd ".timeout 2000" "$0" "select json_extract(body,\"\$.cause\") from events where kind=\"abort\"" | grep -q "new_read_error_rate > 1%"' "$T/a.journal"
check "… after its 10 s window on the test clock" \
  sh -c 'sqlite3 -cmd ".timeout 2000" "$0" "select json_extract(body,\"\$.cause\") from events where kind=\"abort\"" | grep -q "for 10s"' "$T/a.journal"
check "the flag file says 0%" grep -q '"on",[[:space:]]*0' "$T/a/flags.json"
eff=$(sql "$T/a.journal" "select ts_ms from events where kind='abort_effective'")
check "the abort is marked effective only once the observed share fell, after the read-back ($((eff - back)) ms later)" \
  test -n "$eff" -a "$eff" -gt "$back"
kill $svc; wait $svc 2>/dev/null

# 2. No fault: 100% and exit 0.
start_service "$T/b"
t0=$(now_ms)
timeout 120 "$CUTOVER" run "$T/auto.md" --journal "$T/b.journal" --headless >"$T/b.out" 2>&1 &
run=$!
ack_all_before_ramp "$T/b.journal"
wait $run; rc=$?
ms=$(( $(now_ms) - t0 ))
check "without a fault the ramp reaches 100% and exits 0" test $rc -eq 0
check "… through 1, 5, 25, 100" \
  test "$(sql "$T/b.journal" "select group_concat(json_extract(body,'\$.percent'),',') from events where kind='ramp_advance'")" = "1,5,25,100"
# the gaps between the four advances, on the journal's (test) clock
gaps=$(sql "$T/b.journal" "select ts_ms from events where kind='ramp_advance' order by seq" |
  awk 'NR > 1 { printf "%s%d", sep, $1 - prev; sep = " " } { prev = $1 }')
echo "holds on the test clock, ms: ${gaps:-none}; the run took ${ms} ms real"
holds_last() {  # each gap at least its hold: 30 s, 30 s, 1 min
  set -- $gaps
  [ $# -eq 3 ] && [ "$1" -ge 30000 ] && [ "$2" -ge 30000 ] && [ "$3" -ge 60000 ]
}
check "… each hold lasting its 30 s, 30 s and 1 min on the test clock ($gaps)" holds_last
check "… in under 10× their real length at ×$SCALE ($((120000 / SCALE)) ms): ${ms} ms" \
  test "$ms" -lt $((120000 / SCALE * 10))
r1=$(new_reads)
check "at 100% the service serves reads from new" wait_until 10 new_reads_above "${r1%.*}"
check "both journals verify" sh -c '"$0" verify "$1" && "$0" verify "$2"' "$CUTOVER" "$T/a.journal" "$T/b.journal"

# 3. The post-mortem of both, from the journals alone.
. tests/report_checks.sh
report_checks "$T/a.journal" "$T/b.journal"
finish
