#!/bin/bash
# test_promql_prometheus.sh — the scrape source's PromQL engine against the
# real Prometheus (Debian's 2.42). An exporter (tests/tools/test_exporter.c)
# serves growing counters and a latency histogram per backend, with a counter
# reset part way; Prometheus scrapes it every second.
#  - exact: the raw samples Prometheus stored ({job="exporter"}[10m] at time
#    T) are replayed into our store, and each expression evaluated at several
#    times, some exactly on a window's edge, must equal Prometheus's own
#    answer within 1e-9 relative (or be NaN / empty / an error on both sides);
#  - live: promql_at scrapes the exporter itself for 15 s, and its p99 values
#    agree with Prometheus's at the same time within 1 %.
# Needs (scripts/deps.sh test): prometheus, curl, libmicrohttpd-dev.
# KEEP_LOGS=DIR keeps the comparison logs (ours=… prom=… reldiff=…).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

PIDS=()
cleanup_hook() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
trap 'exit 1' INT TERM

AT=build/tools/promql_at
EXPORTER=build/tools/test_exporter
now_ms() { date +%s%3N; }
# T in ms as the API's seconds with three decimals
api_time() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# query EXPR T_MS OUT: Prometheus's answer to an instant query (an error
# answer, HTTP 422 or 400, is an answer too).
query() {
  local code
  code=$(curl -sG --max-time 5 -o "$3" -w '%{http_code}' --data-urlencode "query=$1" \
    --data-urlencode "time=$(api_time "$2")" "http://127.0.0.1:$PROM_PORT/api/v1/query")
  case $code in 200|400|422) return 0 ;; *) echo "HTTP $code"; return 1 ;; esac
}

# wait_until SECONDS COMMAND...: polls every 0.2 s until COMMAND succeeds.
wait_until() {
  local deadline=$(( $(now_ms) + $1 * 1000 )); shift
  until "$@"; do
    [ "$(now_ms)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

setup() {
  command -v prometheus >/dev/null ||
    { echo "prometheus is not installed: apt-get install -y --no-install-recommends prometheus"; return 1; }
  { [ -x "$AT" ] && [ -x "$EXPORTER" ]; } || need "$AT" "$EXPORTER" || return 1
  "$EXPORTER" >"$T/exporter.out" 2>&1 &
  PIDS+=($!)
  wait_until 30 grep -q '^port ' "$T/exporter.out" || { cat "$T/exporter.out"; return 1; }
  EXP_PORT=$(awk '/^port /{print $2}' "$T/exporter.out")
  cat >"$T/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: exporter
    static_configs: [{targets: ['127.0.0.1:$EXP_PORT']}]
EOF
  prom_start "$T/prometheus.log" --config.file="$T/prometheus.yml" \
    --storage.tsdb.path="$T/data" || return 1
  PIDS+=($PROM_PID)
}

# samples_at_least N: Prometheus holds N scrapes of the exporter.
samples_at_least() {
  query "count_over_time(migration_dual_write_total[10m])" "$(now_ms)" "$T/count.json" >/dev/null &&
    grep -qE "\"value\":\[[0-9.]+,\"([0-9]+)\"\]" "$T/count.json" &&
    [ "$(sed -E 's/.*"value":\[[0-9.]+,"([0-9]+)"\].*/\1/' "$T/count.json")" -ge "$1" ]
}

first_scrape() {
  # a deadline to give up, not a goal: a loaded machine scrapes later
  wait_until 90 samples_at_least 1 ||
    { echo "no scrape within 90 s"; tail -20 "$T/prometheus.log"; return 1; }
}

# The reset comes after 6 scrapes, while the live scrape is running, so
# every 1m window below has it.
counter_reset() {
  wait_until 60 samples_at_least 6 && curl -sf "http://127.0.0.1:$EXP_PORT/reset" >/dev/null
}

start_live() {
  "$AT" live --url "http://127.0.0.1:$EXP_PORT/metrics" --seconds 15 \
    --expr "$P99_NEW" --expr "$P99_OLD" --expr "$P99_RATIO" >"$T/live.out" 2>"$T/live.err" &
  LIVE_PID=$!
  PIDS+=($LIVE_PID)
}

P99_NEW='histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend="new"}[1m])))'
P99_OLD='histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend="old"}[1m])))'
P99_RATIO="$P99_NEW / $P99_OLD"
EXPRS=(
  'sum(rate(migration_dual_write_failures_total[1m])) / sum(rate(migration_dual_write_total[1m]))'
  "$P99_RATIO"
  'sum(rate(shadow_reads_total{result="diverged"}[5m])) / sum(rate(shadow_reads_total[5m]))'
  "$P99_NEW"
  'histogram_quantile(0.5, rate(read_seconds_bucket{backend="old"}[30s]))'
  'histogram_quantile(0.9, sum without (backend) (rate(read_seconds_bucket[1m])))'
  'histogram_quantile(1.5, sum by (le) (rate(read_seconds_bucket[1m])))'
  'histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{le!="+Inf"}[1m])))'
  'increase(migration_dual_write_total[20s])'
  'irate(migration_dual_write_total[1m])'
  'idelta(migration_dual_write_lag_seconds[1m])'
  'delta(migration_dual_write_lag_seconds[15s])'
  'avg(rate(read_seconds_sum[1m]) / rate(read_seconds_count[1m]))'
  'max without (result) (rate(shadow_reads_total[1m]))'
  'min(rate(shadow_reads_total[45s]))'
  'count(read_seconds_bucket)'
  'rate(read_seconds_count{backend="new"}[1m]) / ignoring (backend) rate(read_seconds_count{backend="old"}[1m])'
  'sum(rate(read_seconds_count{backend="new"}[1m])) - on () sum(rate(read_seconds_count{backend="old"}[1m]))'
  '-migration_dual_write_lag_seconds * 2 + 1'
  'sum(rate(shadow_reads_total{result=~"div.*|err.r"}[1m]))'
  'sum(rate(migration_dual_write_total[1m])) / 0'
  '0 / 0'
  'sum(rate(no_such_metric_total[1m]))'
  'sum by (result) (rate(shadow_reads_total[1m]))'
  'rate({__name__=~"migration_dual_write_total|migration_dual_write_failures_total"}[1m])'
)

# exact N EXPR T_MS: ours on the replayed samples against Prometheus's
# answer, the comparison's words in $T/exact/N.out and its status in N.rc.
exact() {
  local out=$T/exact/$1
  if query "$2" "$3" "$out.json" >"$out.out"; then
    "$AT" exact --samples "$T/samples.json" --at "$3" --expr "$2" --prom "$out.json" >"$out.out" 2>&1
  else
    echo "query failed" >>"$out.out"; false
  fi
  echo $? >"$out.rc"
}

# exact_all: every comparison of the list EXACT ("T_MS EXPR" lines) at once,
# four at a time (each is a query and a replay: they do not depend on each
# other); their checks follow in the list's order.
exact_all() {
  local n=0 t e p pids=() live
  mkdir -p "$T/exact"
  while read -r t e; do
    while [ ${#pids[@]} -ge 4 ]; do   # (the peers are jobs too: count ours)
      wait -n "${pids[@]}"
      live=(); for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && live+=("$p"); done
      pids=("${live[@]}")
    done
    exact "$n" "$e" "$t" </dev/null &   # (a job's own expansions stay in it)
    pids+=($!) n=$((n + 1))
  done <"$T/exact.list"
  wait "${pids[@]}"
}

# exact_result N: the Nth comparison passed (its words are shown, and kept
# in exact.log). Shell builtins only: 120 of them on a loaded machine.
exact_result() {
  local words rc=
  mapfile -t words <"$T/exact/$1.out"
  printf '%s\n' "${words[@]}"; printf '%s\n' "${words[@]}" >>"$T/exact.log"
  read -r rc <"$T/exact/$1.rc"
  [ "$rc" = 0 ]
}

# live_agrees LINE EXPR: our live value at its time against Prometheus's.
live_agrees() {
  local t=${1%% *} v=${1#* value=}
  v=${v%% *}
  query "$2" "$t" "$T/live_answer.json" || { echo "query failed"; return 1; }
  "$AT" compare --value "$v" --prom "$T/live_answer.json" --tolerance 0.01 | tee -a "$T/live.log"
  return "${PIPESTATUS[0]}"
}

max_reldiff() {
  grep -ho 'reldiff=[^ ]*' "$@" 2>/dev/null | cut -d= -f2 |
    awk 'BEGIN{m=0} {v=($1=="inf")?1e308:$1+0; if (v>m) m=v} END{printf "%.3g\n", m}'
}

check "exporter and prometheus start" setup
check "prometheus scrapes the exporter (polled, no fixed sleep)" first_scrape
[ "$failed" -eq 0 ] || { finish; exit 1; }
start_live
check "counter reset part way through" counter_reset
check "live scrape of 15 s finishes" wait "$LIVE_PID"

T_MAX=$(( $(now_ms) - 2000 ))
check "raw samples fetched from prometheus" \
  query '{job="exporter"}[10m]' "$T_MAX" "$T/samples.json"
: >"$T/exact.list"
for dt in 0 1234 3500 7777; do
  for e in "${EXPRS[@]}"; do echo "$((T_MAX - dt)) $e" >>"$T/exact.list"; done
done

# Window edges on a sample: 2.42's range is closed at both ends, so a point
# exactly at t - range counts (3.x made it left-open).
EDGE_EXPRS=(
  'rate(migration_dual_write_total[5s])'
  'increase(read_seconds_count{backend="new"}[5s])'
  'delta(migration_dual_write_lag_seconds[5s])'
  'irate(migration_dual_write_total[5s])'
  'migration_dual_write_lag_seconds'
)
mapfile -t TIMES < <("$AT" times --samples "$T/samples.json")
[ "${#TIMES[@]}" -ge 8 ] || { echo "only ${#TIMES[@]} scrapes stored"; finish; exit 1; }
EDGE=${TIMES[${#TIMES[@]} - 8]}
for t in $((EDGE + 5000)) $((EDGE + 5001)) $((EDGE + 4999)) "$EDGE"; do
  for e in "${EDGE_EXPRS[@]}"; do echo "$t $e" >>"$T/exact.list"; done
done

exact_all
n=0
for dt in 0 1234 3500 7777; do
  for e in "${EXPRS[@]}"; do
    check "exact at -${dt}ms: $e" exact_result $((n++))
  done
done
for t in $((EDGE + 5000)) $((EDGE + 5001)) $((EDGE + 4999)) "$EDGE"; do
  for e in "${EDGE_EXPRS[@]}"; do
    check "exact at a window edge ($((t - EDGE))ms after a scrape): $e" exact_result $((n++))
  done
done

mapfile -t LIVE <"$T/live.out"
check "live p99 new within 1 %" live_agrees "${LIVE[0]}" "$P99_NEW"
check "live p99 old within 1 %" live_agrees "${LIVE[1]}" "$P99_OLD"
check "live p99 ratio within 1 %" live_agrees "${LIVE[2]}" "$P99_RATIO"

echo "exact check: max relative difference $(max_reldiff "$T/exact.log") over $(grep -c . "$T/exact.log" 2>/dev/null || echo 0) comparisons"
echo "live check: max relative difference $(max_reldiff "$T/live.log")"
[ -z "$KEEP_LOGS" ] || cp "$T/exact.log" "$T/live.log" "$KEEP_LOGS"/
finish
