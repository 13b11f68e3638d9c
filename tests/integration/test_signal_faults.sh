# test_signal_faults.sh — endpoints that refuse, hang, fail or lie: each
# shows as an error or no data (never as a passing value, never as a
# crash), criteria go to "no data", and the keys answer while an endpoint
# hangs (within 100 ms: a figure of `make bench`, console_latency.sh; here
# within a second). The bad endpoints are tests/tools/fault_server.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
cd "$T/answers"
printf '%s' '{"status":"success","data":{"resultType":"vec' >truncated.json
printf '%s' '<html>502 Bad Gateway</html>' >html.json
printf '%s' '{"status":"success","data":{"resultType":"scalar","result":[1,"fast"]}}' >word.json
printf '%s' '{"status":"success","data":{"resultType":"scalar","result":[1,"NaN"]}}' >nan.json
printf '%s' '{"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}}' >inf.json
printf '%s' '{"status":"error","errorType":"bad_data","error":"parse error at char 3"}' >bad.json
printf '# TYPE h histogram\nh_bucket{le="0.1"} 1\nh_bucket{le="0.2' >expo-truncated
printf '# TYPE h histogram\nh_bucket{le="0.1"} 1\nh_bucket{le="0.5"} 2\nh_sum 1\nh_count 2\n' >expo-noinf
cd "$ROOT"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill "$fault" 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out")
U="http://127.0.0.1:$P"

cat >"$T/faults.md" <<EOF2
# Faulty signals

## Roles
- commander: Alice Ng

## Systems
- metrics: prometheus \`http://127.0.0.1:1\`
- hang: prometheus \`$U/hang\`
- s500: prometheus \`$U/status500\`
- trunc: prometheus \`$U/file/truncated.json\`
- html: prometheus \`$U/file/html.json\`
- word: prometheus \`$U/file/word.json\`
- nan: prometheus \`$U/file/nan.json\`
- inf: prometheus \`$U/file/inf.json\`
- bad: prometheus \`$U/file/bad.json\`
- etrunc: scrape \`$U/file/expo-truncated\`
- enoinf: scrape \`$U/file/expo-noinf\`

## Signals
- refused: \`x\`
- hanging: hang \`x\`
- status500: s500 \`x\`
- truncated: trunc \`x\`
- html: html \`x\`
- word: word \`x\`
- nan: nan \`x\`
- inf: inf \`x\`
- bad: bad \`x\`
- expo_truncated: etrunc \`h_bucket\`
- no_inf_bucket: enoinf \`histogram_quantile(0.99, h_bucket)\`

## Abort criteria
- abort if refused > 1
- abort if hanging > 1
- abort if status500 > 1
- abort if truncated > 1
- abort if html > 1
- abort if word > 1
- abort if nan > 1
- abort if inf > 1
- abort if bad > 1
- abort if expo_truncated > 1
- abort if no_inf_bucket > 1

## Phase 1: Watch
- [ ] commander: look at the signals
- [ ] commander: look again

## Rollback
### Phase 1
Nothing to roll back.
EOF2

check "the faulty runbook is sound" expect_exit 0 "$CUTOVER" check "$T/faults.md"
"$CUTOVER" preflight "$T/faults.md" >"$T/pre.out" 2>&1; pre=$?
row() { grep -E "^$1 " "$T/pre.out" | grep -qF -- "$2" || { echo "row $1 lacks: $2"; cat "$T/pre.out"; return 1; }; }
check "preflight fails (exit 1)" test $pre -eq 1
check "refused: connection refused" row refused "connection refused"
check "hang: timed out" row hanging "timed out after 2.0 s"
check "HTTP 500 in words" row status500 "HTTP 500: internal error"
check "truncated JSON" row truncated "malformed or truncated JSON"
check "an HTML page is not an answer" row html "malformed or truncated JSON"
check "a word is not a number" row word '"fast" is not a number'
check "NaN is no data" row nan "no data"
check "+Inf is no data, never a passing value" row inf "no data: the value is +Inf"
check "an error answer in words" row bad "prometheus: bad_data: parse error at char 3"
check "a truncated exposition is an error" row expo_truncated "error:"
check "a histogram without +Inf is no data" row no_inf_bucket "no data"
check "no signal reads OK" sh -c '! grep -E " OK$" "$0"' "$T/pre.out"

J="$T/faults.journal"
"$CUTOVER" run "$T/faults.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
pid=$!
# Until a hang has timed out (2 s) and every criterion has said "no data".
timed_out_and_no_data() {
  [ -s "$J" ] && [ "$(sql "$J" "select count(*) from samples where status like 'error: timed out%'")" -ge 1 ] &&
    [ "$(sql "$J" "select count(distinct json_extract(body,'\$.index')) from events where kind='criterion' and json_extract(body,'\$.to')='no data'")" = 11 ]
}
check "a hang times out and every criterion goes to 'no data'" wait_for 60 timed_out_and_no_data
kill -TERM $pid; wait $pid; rc=$?
check "the headless cockpit survives every fault and stops cleanly" test $rc -eq 0
check "every sample of every faulty signal is journaled without a value" \
  test "$(sql "$J" "select count(*) from samples where value is not null")" = 0
check "errors are journaled in words" \
  test "$(sql "$J" "select count(*) from samples where status like 'error: timed out%'")" -ge 1
check "every criterion is 'no data', none ok or firing" \
  sh -c '[ "$(sqlite3 -cmd ".timeout 3000" "$0" "select count(distinct json_extract(body,\"\$.index\")) from events where kind=\"criterion\" and json_extract(body,\"\$.to\")=\"no data\"")" = 11 ] &&
         [ "$(sqlite3 -cmd ".timeout 3000" "$0" "select count(*) from events where kind=\"criterion\" and json_extract(body,\"\$.to\") in (\"ok\",\"firing\",\"pending\")")" = 0 ]' "$J"

# The keys answer while an endpoint hangs (poll the screen every 5 ms). The
# bound is ten times the goal, for a loaded machine and tmux's own time.
tmux_start c 120 40 "$CUTOVER run $T/faults.md --journal $T/keys.journal"
wait_screen c "Phase 1" >/dev/null
worst=0
for i in 1 2 3 4 5; do
  key=j want="1.2 —"; [ $((i % 2)) -eq 0 ] && key=k want="1.1 —"
  t0=$(date +%s%N); tmux_keys c $key
  while ! tmux_screen c | grep -qF "$want"; do
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 2000 ] && break; sleep 0.005; done
  ms=$(( ($(date +%s%N) - t0) / 1000000 )); [ $ms -gt $worst ] && worst=$ms
done
echo "slowest key with a hanging endpoint: ${worst} ms"
check "keys answer while an endpoint hangs (slowest ${worst} ms < 1000 ms)" test "$worst" -lt 1000
finish
