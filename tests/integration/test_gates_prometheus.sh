#!/bin/bash
# test_gates_prometheus.sh — `cutover gates` judging exit gates over a real
# Prometheus's history, with the time as an argument. History is written
# straight into a TSDB with `promtool tsdb create-blocks-from openmetrics`
# (days of samples in seconds, no waiting for scrapes), around a fixed
# past time T = 2026-11-25T14:00:00Z; Prometheus (Debian's 2.42) serves it.
#  - a 7-day gate with 5 days of history: insufficient, ~71 % covered,
#    exit 3; at the time it said it opens, and with 7 full days: open, 0;
#  - a breach inside the window: closed, naming the value and its time;
#  - a rate of counters (reset part way) over 7 days: open;
#  - 7 days at a 30 s step (20,164 points) is refused by Prometheus in one
#    request (400, "exceeded maximum resolution of 11,000 points"); the
#    history is read in two pages, every point once, and judged alike;
#  - a scrape signal is not pretended about; three series, a refused
#    expression, a truncated answer, HTTP 500, a server that hangs or
#    echoes a secret, and Prometheus down: exit 1 in words, secrets masked.
# Needs (scripts/deps.sh test): prometheus (promtool is in it), curl, python3.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

PIDS=()
cleanup_hook() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
trap 'exit 1' INT TERM

command -v promtool >/dev/null || scripts/deps.sh test >&2 ||
  { echo "promtool is not installed: apt-get install -y --no-install-recommends prometheus"; exit 1; }
[ -x "$CUTOVER" ] || need cutover >/dev/null || exit 1

AT=1795615200                      # 2026-11-25T14:00:00Z
DAY=86400

# --- the history, as OpenMetrics text: one gauge, one series per case -------
# five_days:  from T-5d to T+2d+1h, 0.05 %
# seven_days: from T-7d-1h to T,    0.04 %
# breach:     as seven_days, but 0.4 % for five minutes from T-2d
awk -v T=$AT -v D=$DAY 'BEGIN {
  print "# HELP divergence_ratio Share of shadow reads that differ."
  print "# TYPE divergence_ratio gauge"
  for (t = T - 5*D; t <= T + 2*D + 3600; t += 60) printf "divergence_ratio{case=\"five_days\"} 0.0005 %d\n", t
  for (t = T - 7*D - 3600; t <= T; t += 60) printf "divergence_ratio{case=\"seven_days\"} 0.0004 %d\n", t
  for (t = T - 7*D - 3600; t <= T; t += 60)
    printf "divergence_ratio{case=\"breach\"} %s %d\n", (t >= T - 2*D && t < T - 2*D + 300) ? "0.004" : "0.0004", t
  # counters of shadow reads and of the divergent ones (0.05 %), both
  # reset to 0 at T-3d as a restart does: rate() carries over the reset
  print "# HELP shadow_reads Shadow reads compared."
  print "# TYPE shadow_reads counter"
  for (t = T - 7*D - 3600; t <= T; t += 60) printf "shadow_reads_total %d %d\n", ((t - (t < T - 3*D ? T - 8*D : T - 3*D)) / 60) * 1000, t
  print "# HELP shadow_divergent Shadow reads that differed."
  print "# TYPE shadow_divergent counter"
  for (t = T - 7*D - 3600; t <= T; t += 60) printf "shadow_divergent_total %.1f %d\n", ((t - (t < T - 3*D ? T - 8*D : T - 3*D)) / 60) * 0.5, t
  print "# EOF"
}' >"$T/history.om"
check "promtool writes the history into TSDB blocks" \
  promtool tsdb create-blocks-from openmetrics -q "$T/history.om" "$T/tsdb"

printf 'global: {scrape_interval: 15s}\n' >"$T/prometheus.yml"
# The blocks lie in the past: a long retention keeps Prometheus from
# deleting them whatever the date the suite runs on.
prom_start "$T/prom.log" --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
  --storage.tsdb.retention.time=36500d
PORT=$PROM_PORT
PIDS+=($PROM_PID)
has_history() {
  curl -sG --max-time 2 "http://127.0.0.1:$PORT/api/v1/query" \
    --data-urlencode 'query=count(divergence_ratio)' --data-urlencode "time=$AT" | grep -q '"3"\]'
}
check "Prometheus is up and serves the three series at T" wait_for 60 has_history

runbook() {  # FILE CASE [GATE...]: a runbook whose divergence_rate reads CASE
  local f=$1 case=$2; shift 2
  cat >"$f" <<EOF
# Shadow reads exit gate

## Roles
- commander: Alice Ng

## Systems
- metrics: prometheus \`http://reader:\${GATES_TEST_PW}@127.0.0.1:$PORT\`
- exporter: scrape \`http://127.0.0.1:9/metrics\`

## Signals
- divergence_rate: \`max(divergence_ratio{case="$case"})\`
- live_errors: exporter \`sum(errors_total)\`

## Phase 3: Shadow reads {readonly} {gate: divergence_rate < 0.1% over 7d}
- [ ] commander: read the divergence report
EOF
  for g in "$@"; do echo "- [ ] commander: watch {gate: $g}" >>"$f"; done
}
export GATES_TEST_PW=hunter2secret
runbook "$T/five.md" five_days
runbook "$T/seven.md" seven_days
runbook "$T/breach.md" breach
runbook "$T/live.md" seven_days "live_errors < 1 for 10m"
check "the runbooks are sound" expect_exit 0 "$CUTOVER" check "$T/five.md"

# --- 5 days of a 7-day window: insufficient, 71 % -----------------------------
check "5 of 7 days: exit 3" expect_exit 3 "$CUTOVER" gates "$T/five.md" --at 2026-11-25T14:00:00Z
cp "$T/.last" "$T/five.out"
check "5 of 7 days: insufficient history, 71% of 7d covered" \
  contains "$T/five.out" "insufficient history: 71% of 7d covered"
check "5 of 7 days: the state, the covered share and the source with its step" \
  bash -c 'grep -q "state:   insufficient" "$0" && grep -q "covered: 71\.[0-9]% of the window" "$0" &&
           grep -qE "source:  prometheus .metrics. http://\\*\\*\\*@127.0.0.1:[0-9]+, step 1m1s, [0-9]+ points in 1 request" "$0"' "$T/five.out"
check "5 of 7 days: opens two days later" contains "$T/five.out" "opens:   2026-11-27T14:0"
check "the gate as written, with its id" contains "$T/five.out" 'gate:phase3  `divergence_rate < 0.1% over 7d`'
check "epoch seconds are a time too" expect_exit 3 "$CUTOVER" gates "$T/five.md" --at "$AT"
check "JSON: insufficient, covered 0.71, the same opening" expect_exit 3 \
  "$CUTOVER" gates "$T/five.md" --at 2026-11-25T14:00:00Z --format json
cp "$T/.last" "$T/five.json"
json_field() {  # FILE EXPR: a python expression over the document d
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
check "JSON: state, covered, summary" python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); g = d["gates"][0]
assert g["state"] == "insufficient" and 0.71 <= g["covered"] < 0.72, g
assert g["worst"] == "0.05 %" and g["requests"] == 1 and g["step_ms"] == 61000, g
assert d["summary"]["insufficient"] == 1 and d["summary"]["exit"] == 3, d["summary"]' "$T/five.json"
OPENS=$(json_field "$T/five.json" 'd["gates"][0]["opens_at"]')
check "at the time it said ($OPENS), the same history opens it: exit 0" \
  expect_exit 0 "$CUTOVER" gates "$T/five.md" --at "$OPENS"
check "... and it says open over 7d" contains "$T/.last" "open: divergence_rate < 0.1 % held over 7d"
check "a minute before that, still insufficient" \
  expect_exit 3 "$CUTOVER" gates "$T/five.md" --at "$(date -u -d "$OPENS - 1 minute" +%Y-%m-%dT%H:%M:%SZ)"

# --- 7 full days: open; a breach inside: closed -------------------------------
check "7 full days: open, exit 0" expect_exit 0 "$CUTOVER" gates "$T/seven.md" --at 2026-11-25T14:00:00Z
check "7 full days: 100% covered, worst 0.04 %" \
  bash -c 'grep -q "state:   open" "$0" && grep -q "covered: 100.0%" "$0" && grep -q "worst:   0.04 %" "$0"' "$T/.last"
check "a breach inside the window: exit 3" expect_exit 3 "$CUTOVER" gates "$T/breach.md" --at 2026-11-25T14:00:00Z
check "closed, naming the value and its time" \
  bash -c 'grep -q "state:   closed" "$0" && grep -qE "closed: divergence_rate = 0.4 % at 2026-11-23 14:0[0-5]:[0-9]{2}" "$0"' "$T/.last"
check "... and it opens 7 days after the breach ended" contains "$T/.last" "opens:   2026-11-30T14:0"

cat >"$T/rate.md" <<EOF
# A rate of counters

## Roles
- commander: Alice Ng

## Systems
- metrics: prometheus \`http://127.0.0.1:$PORT\`

## Signals
- divergence_rate: \`sum(rate(shadow_divergent_total[5m])) / sum(rate(shadow_reads_total[5m]))\`

## Phase 3: Shadow reads {readonly} {gate: divergence_rate < 0.1% over 7d}
- [ ] commander: read the divergence report
EOF
check "a rate of counters over 7 days, across a counter reset: open, exit 0" \
  expect_exit 0 "$CUTOVER" gates "$T/rate.md" --at 2026-11-25T14:00:00Z
check "... its worst is the 0.05 % the counters grow by" \
  bash -c 'grep -q "state:   open" "$0" && grep -q "worst:   0.05 %" "$0"' "$T/.last"

# --- more than 11,000 points: paged -------------------------------------------
# 7 days and the 90 s of allowed gap before them, every 30 s: 20,164 points.
FROM=$((AT - 7 * DAY - 90))
refused_unpaged() {
  local code
  code=$(curl -sG --max-time 10 -o "$T/unpaged.json" -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/query_range" \
    --data-urlencode 'query=max(divergence_ratio{case="seven_days"})' \
    --data-urlencode "start=$FROM" --data-urlencode "end=$AT" --data-urlencode step=30)
  [ "$code" = 400 ] || { echo "HTTP $code"; cat "$T/unpaged.json"; return 1; }
  contains "$T/unpaged.json" "exceeded maximum resolution of 11,000 points per timeseries"
}
check "one request for 20,164 points is refused by Prometheus (400, 11,000 points at most)" refused_unpaged
check "read in pages at a 30 s step: open, exit 0" \
  expect_exit 0 "$CUTOVER" gates "$T/seven.md" --at 2026-11-25T14:00:00Z --step 30s --format json
cp "$T/.last" "$T/paged.json"
check "in 2 requests, all 20,164 points of the grid, each once" python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))["gates"][0]
assert g["state"] == "open" and g["covered"] == 1, g
assert g["requests"] == 2 and g["step_ms"] == 30000, g
assert g["points"] == 20164, g["points"]' "$T/paged.json"
# The two halves as promrange asks for them, read with curl: together
# they are the grid, and each is under the limit.
half() {
  curl -sG --max-time 10 "http://127.0.0.1:$PORT/api/v1/query_range" \
    --data-urlencode 'query=max(divergence_ratio{case="seven_days"})' \
    --data-urlencode "start=$1" --data-urlencode "end=$2" --data-urlencode step=30
}
count_values() { python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(len(r[0]["values"]) if r else 0)'; }
a=$(half "$FROM" $((FROM + 10999 * 30)) | count_values) b=$(half $((FROM + 11000 * 30)) "$AT" | count_values)
check "Prometheus answers the two pages ($a + $b points) and they add up to 20,164" \
  bash -c '[ "$0" = 11000 ] && [ $(( $0 + $1 )) = 20164 ]' "$a" "$b"
check "the breach is found when read in pages too" \
  expect_exit 3 "$CUTOVER" gates "$T/breach.md" --at 2026-11-25T14:00:00Z --step 30s
check "... with its value and time" \
  bash -c 'grep -qE "= 0.4 % at 2026-11-23 14:0" "$0" && grep -q "in 2 requests" "$0"' "$T/.last"

# --- the cockpit: its gates' worker reads the same history ---------------------
# Judged at now, the five-day series (it ends at T+2d) covers little of the
# last 7 days: the driving console journals the exit gate as insufficient,
# its history read from Prometheus, not from its own (empty) journal.
"$CUTOVER" run "$T/five.md" --journal "$T/live.journal" --headless >"$T/live.out" 2>&1 &
LIVE_PID=$!
PIDS+=($LIVE_PID)
gate_from_prometheus() {
  sqlite3 "$T/live.journal" "select count(*) from events where kind='gate' and
    json_extract(body,'\$.source')='prometheus' and json_extract(body,'\$.state')='insufficient'
    and json_extract(body,'\$.id')='gate:phase3'" 2>/dev/null | grep -q '^[1-9]'
}
check "the driving console judges the exit gate over Prometheus's history" wait_for 60 gate_from_prometheus
check "... and no secret of the URL reaches the journal" \
  bash -c '! sqlite3 "$0" "select body from events" | grep -q hunter2secret' "$T/live.journal"
kill "$LIVE_PID" 2>/dev/null; wait "$LIVE_PID" 2>/dev/null

# --- sources without history, and Prometheus down ------------------------------
check "a scrape signal's gate is not judged here, and does not fail the run" \
  expect_exit 0 "$CUTOVER" gates "$T/live.md" --at 2026-11-25T14:00:00Z
check "... it says where it is judged" \
  contains "$T/.last" "history: not available from a scrape source; judged live from the journal by the cockpit"
check "a time that is not one: usage, exit 2" expect_exit 2 "$CUTOVER" gates "$T/five.md" --at yesterday
echo "## Phase 9: Broken" >>"$T/broken.md"; printf -- '- [ ] x: y {gate: nothing < 1 over 1d}\n' >>"$T/broken.md"
check "a runbook with problems: exit 2" expect_exit 2 "$CUTOVER" gates "$T/broken.md"

# --- answers that are not history --------------------------------------------
runbook "$T/many.md" five_days
sed -i 's/max(divergence_ratio{case="five_days"})/divergence_ratio/' "$T/many.md"
check "an expression of three series: exit 1" expect_exit 1 "$CUTOVER" gates "$T/many.md" --at 2026-11-25T14:00:00Z
check "... a gate needs one series, in words" contains "$T/.last" "the expression returned 3 series; a gate needs one"
runbook "$T/badq.md" five_days
sed -i 's/max(divergence_ratio{case="five_days"})/max(divergence_ratio{case="five_days"}/' "$T/badq.md"
check "an expression Prometheus refuses: exit 1" expect_exit 1 "$CUTOVER" gates "$T/badq.md" --at 2026-11-25T14:00:00Z
check "... in Prometheus's own words" contains "$T/.last" "HTTP 400: prometheus: bad_data:"

# A server that hangs, fails, cuts its answer short, or echoes its URL.
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
printf '%s' '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1795183216,"0.0' >"$T/answers/cut.json"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
PIDS+=($!)
FAULT=$(wait_port "$T/fault.out")
fault_runbook() {  # FILE PATH-PREFIX
  runbook "$1" five_days
  sed -i "s|http://reader:\${GATES_TEST_PW}@127.0.0.1:$PORT|http://127.0.0.1:$FAULT/$2|" "$1"
}
fault_runbook "$T/cut.md" file/cut.json
check "a truncated answer: exit 1, in words" \
  bash -c '"$0" gates "$1" --at 2026-11-25T14:00:00Z >"$2" 2>&1; [ $? = 1 ] && grep -q "malformed or truncated JSON" "$2"' \
  "$CUTOVER" "$T/cut.md" "$T/cut.out"
fault_runbook "$T/500.md" status500
check "HTTP 500: exit 1, in words" \
  bash -c '"$0" gates "$1" --at 2026-11-25T14:00:00Z >"$2" 2>&1; [ $? = 1 ] && grep -q "HTTP 500" "$2"' \
  "$CUTOVER" "$T/500.md" "$T/500.out"
fault_runbook "$T/echo.md" 'echo/404/${GATES_TEST_PW}'
check "a server that echoes the secret in its URL: exit 1, the secret masked" \
  bash -c '"$0" gates "$1" --at 2026-11-25T14:00:00Z >"$2" 2>&1; [ $? = 1 ] && grep -q "HTTP 404" "$2" &&
           ! grep -q hunter2secret "$2"' "$CUTOVER" "$T/echo.md" "$T/echo.out"
fault_runbook "$T/hang.md" hang
check "a server that never answers: exit 1 when the request's 10 s are up, in words" \
  bash -c '"$0" gates "$1" --at 2026-11-25T14:00:00Z >"$2" 2>&1; [ $? = 1 ] && grep -q "timed out after 10.0 s" "$2"' \
  "$CUTOVER" "$T/hang.md" "$T/hang.out"

kill "$PROM_PID"
prom_gone() { ! kill -0 "$PROM_PID" 2>/dev/null && ! curl -s --max-time 1 "http://127.0.0.1:$PORT/-/ready" >/dev/null; }
check "Prometheus stops" wait_for 60 prom_gone
check "Prometheus down: exit 1" expect_exit 1 "$CUTOVER" gates "$T/seven.md" --at 2026-11-25T14:00:00Z
check "... said in words" \
  bash -c 'grep -q "state:   error" "$0" && grep -q "history could not be read: prometheus http://\*\*\*@127.0.0.1:[0-9]*: connection refused" "$0"' "$T/.last"
check "... and the password is nowhere in it" bash -c '! grep -q hunter2secret "$0"' "$T/.last"
finish
