# test_demo_e2e.sh — the whole ceremony on the real demo service
# (build/ordersim), headless, with the demo runbook made automatic with
# short holds. At 25% the service is told to fail 5% of new reads: the flag
# is back at 0 within two poll intervals of the criterion firing, the
# service's own counters show reads leaving new, the journal records the
# abort with its deciding values, and the command exits 3. A second run
# with no fault reaches 100% and exits 0.
. tests/lib.sh
make -s build/ordersim >/dev/null || exit 1

# automatic, short holds, the abort after 2 s of breach
sed -e 's/^- 1% for 30s$/- 1% for 3s/' -e 's/^- 5% for 30s$/- 5% for 3s/' \
    -e 's/^- 25% for 1m$/- 25% for 20s/' \
    -e 's/^- abort if new_read_error_rate > 1% for 10s$/- abort if new_read_error_rate > 1% for 2s/' \
    -e 's/^The demo ramps in minutes, not hours; the commander advances each step.$/Mode: automatic/' \
    runbooks/demo.md >"$T/auto.md"

start_service() {  # start_service DIR
  mkdir -p "$1"
  printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}' >"$1/flags.json"
  "$ROOT/build/ordersim" --old "$1/old.db" --new "$1/new.db" --flags "$1/flags.json" \
    --port 0 --port-file "$1/port" --read-rate 400 2>"$1/ordersim.log" &
  svc=$!
  for _ in $(seq 100); do [ -s "$1/port" ] && break; sleep 0.05; done
  export CUTOVER_DEMO_DIR=$1 CUTOVER_DEMO_PORT; CUTOVER_DEMO_PORT=$(cat "$1/port")
}
cleanup_hook() { kill $svc $run 2>/dev/null; }
new_reads() { curl -s "http://127.0.0.1:$CUTOVER_DEMO_PORT/metrics" | sed -n 's/^reads_total{backend="new"} //p'; }

# The phases before the ramp are acknowledged by their owners, from scripts.
ack_all_before_ramp() {  # JOURNAL
  for s in 2.1 backfill 2.3 3.1 compare 3.3 4.1 4.2; do
    for role in dba flags commander comms; do
      who=$(sed -n "s/^- $role: *//p" "$T/auto.md")
      "$CUTOVER" ack "$1" "$s" --as "$who" --role $role >/dev/null 2>&1 && break
    done
  done
}

# 1. A fault at 25%.
start_service "$T/a"
check "the demo runbook, made automatic, is sound" expect_exit 0 "$CUTOVER" check "$T/auto.md"
"$CUTOVER" run "$T/auto.md" --journal "$T/a.journal" --headless >"$T/a.out" 2>&1 &
run=$!
for _ in $(seq 100); do [ -f "$T/a.journal" ] && break; sleep 0.05; done
sleep 0.5
ack_all_before_ramp "$T/a.journal"
check "the phases before the ramp are complete" \
  test "$(sql "$T/a.journal" "select count(*) from events where kind='ack'")" = 8
for _ in $(seq 300); do
  [ "$(sql "$T/a.journal" "select count(*) from events where kind='flag_read' and json_extract(body,'\$.percent')=25 and json_extract(body,'\$.purpose')='advance'")" = 1 ] && break
  sleep 0.1; done
check "the ramp reached 25%" \
  test "$(sql "$T/a.journal" "select count(*) from events where kind='flag_read' and json_extract(body,'\$.percent')=25")" -ge 1
sleep 2
before=$(new_reads)
curl -s -X POST "http://127.0.0.1:$CUTOVER_DEMO_PORT/faults?new_read_error_rate=0.05" >/dev/null
wait $run; rc=$?
check "the command exits 3" test $rc -eq 3
sleep 1; r1=$(new_reads); sleep 1.5; r2=$(new_reads)
echo "reads served by new: $before before the fault, $r1 then $r2 after the rollback"
check "the service's own counters show reads leaving new" test "$r1" = "$r2"
check "new had been serving reads at 25%" test "${before%.*}" -gt 0
fire=$(sql "$T/a.journal" "select max(ts_ms) from events where kind='criterion' and json_extract(body,'\$.to')='firing'")
back=$(sql "$T/a.journal" "select json_extract(body,'\$.confirmed_ms') from events where kind='rollback_confirmed'")
echo "criterion fired → flag read back at 0: $((back - fire)) ms"
check "the flag was back at 0 within two poll intervals of the criterion firing ($((back - fire)) ms)" \
  test $((back - fire)) -le 2000
check "the abort is journaled with its deciding value" \
  sh -c 'v=$(sqlite3 -cmd ".timeout 2000" "$0" "select json_extract(body,\"\$.value\") from events where kind=\"abort\""); awk -v v="$v" "BEGIN{exit !(v > 0.01)}"' "$T/a.journal"
check "… and the criterion that decided it" \
  sh -c 'sqlite3 -cmd ".timeout 2000" "$0" "select json_extract(body,\"\$.cause\") from events where kind=\"abort\"" | grep -q "new_read_error_rate > 1%"' "$T/a.journal"
check "the flag file says 0%" grep -q '"on",[[:space:]]*0' "$T/a/flags.json"
eff=$(sql "$T/a.journal" "select ts_ms from events where kind='abort_effective'")
check "the abort is marked effective only once the observed share fell, after the read-back ($((eff - back)) ms later)" \
  test -n "$eff" -a "$eff" -gt "$back"
kill $svc; wait $svc 2>/dev/null

# 2. No fault: 100% and exit 0.
start_service "$T/b"
"$CUTOVER" run "$T/auto.md" --journal "$T/b.journal" --headless >"$T/b.out" 2>&1 &
run=$!
for _ in $(seq 100); do [ -f "$T/b.journal" ] && break; sleep 0.05; done
sleep 0.5
ack_all_before_ramp "$T/b.journal"
wait $run; rc=$?
check "without a fault the ramp reaches 100% and exits 0" test $rc -eq 0
check "… through 1, 5, 25, 100" \
  test "$(sql "$T/b.journal" "select group_concat(json_extract(body,'\$.percent'),',') from events where kind='ramp_advance'")" = "1,5,25,100"
sleep 1; r1=$(new_reads); sleep 1; r2=$(new_reads)
check "at 100% the service serves reads from new" test "${r2%.*}" -gt "${r1%.*}"
check "both journals verify" sh -c '"$0" verify "$1" && "$0" verify "$2"' "$CUTOVER" "$T/a.journal" "$T/b.journal"
finish
