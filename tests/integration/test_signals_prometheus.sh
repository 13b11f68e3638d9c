# test_signals_prometheus.sh — the cockpit's signal sources against real
# peers, through the real binary: a real Prometheus (Debian's 2.42) scraping
# tests/tools/test_exporter, the same exporter read by the scrape source,
# and a SQL signal on a SQLite file. The prometheus source reads what
# Prometheus's own API answers, and the scrape source's p99 over the same
# histogram agrees with Prometheus's histogram_quantile within 1 %.
. tests/lib.sh
need build/tools/test_exporter >/dev/null || exit 1
PIDS=()
cleanup_hook() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
free_port() { for _ in $(seq 50); do p=$((20000 + RANDOM % 40000)); (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }; done; }
build/tools/test_exporter >"$T/exp.out" 2>&1 &
PIDS+=($!)
EXP=$(wait_port "$T/exp.out")
cat >"$T/prometheus.yml" <<EOF2
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: exporter
    static_configs: [{targets: ['127.0.0.1:$EXP']}]
EOF2
prom_start "$T/prom.log" --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data"
PROM=$PROM_PORT
PIDS+=($PROM_PID)
query() { curl -s --data-urlencode "query=$1" "http://127.0.0.1:$PROM/api/v1/query"; }
P99='histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend="new"}[20s])))'
# preflight asks once: wait until Prometheus has the two scrapes a rate needs
scraped() { query "$P99" | grep -q '"result":\[{'; }
wait_for 120 scraped
sqlite3 "$T/old.db" "create table orders_legacy(id integer primary key); insert into orders_legacy values (1),(2),(3);"

cat >"$T/rb.md" <<EOF2
# Signals against real peers

## Roles
- commander: Alice Ng

## Systems
- metrics: prometheus \`http://127.0.0.1:$PROM\`
- exporter: scrape \`http://127.0.0.1:$EXP/metrics\`
- old: sqlite \`$T/old.db\`

## Signals
- buckets: \`count(read_seconds_bucket)\`
- p99_prometheus: \`$P99\`
- p99_scrape: exporter \`$P99\`
- legacy_rows: old \`SELECT count(*) FROM orders_legacy\`

## Phase 1: Watch {readonly}
- [ ] commander: watch
EOF2
check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/rb.md"
check "preflight: every source answers" expect_exit 0 "$CUTOVER" preflight "$T/rb.md"
want=$(query 'count(read_seconds_bucket)' | sed -E 's/.*"value":\[[0-9.]+,"([^"]+)"\].*/\1/')
check "the prometheus source reads what Prometheus answers (count = $want)" \
  sh -c 'grep -E "^buckets +prometheus +$1 " "$0"' "$T/.last" "$want"
check "the SQL source reads the SQLite table" sh -c 'grep -E "^legacy_rows +sql +3 " "$0"' "$T/.last"

# 25 s of the cockpit's own samples, headless: enough for rate() over 20 s
# on both sides. Counted on the journal's clock, so a slow machine waits
# longer instead of comparing windows that are not full.
"$CUTOVER" run "$T/rb.md" --journal "$T/j.journal" --headless >/dev/null 2>&1 &
run=$!
PIDS+=($run)
span_ms() { sql "$T/j.journal" "select coalesce(max(ts_ms) - min(ts_ms), 0) from samples where signal='$1'"; }
full_windows() {
  [ -s "$T/j.journal" ] && [ "$(span_ms p99_scrape)" -ge 25000 ] && [ "$(span_ms p99_prometheus)" -ge 25000 ]
}
check "25 s of samples of both p99 signals" wait_for 180 full_windows
kill -TERM $run; wait $run
last() { sql "$T/j.journal" "select value from samples where signal='$1' and value is not null order by seq desc limit 1"; }
a=$(last p99_prometheus) b=$(last p99_scrape) c=$(query "$P99" | sed -E 's/.*"value":\[[0-9.]+,"([^"]+)"\].*/\1/')
echo "p99 of new: prometheus source $a, scrape source $b, Prometheus now $c"
check "the scrape source's p99 agrees with Prometheus's histogram_quantile within 1 % ($b vs $a)" \
  awk -v a="$a" -v b="$b" 'BEGIN { d = (a > b ? a - b : b - a) / a; exit !(a > 0 && d < 0.01) }'
# One a second when idle: that rate is a figure of `make bench` (idle_cpu.sh
# counts the samples of 8 signals). Here: both are journaled alike, and at
# least one per 10 s of the span (ten times the interval), for a loaded machine.
n_scrape=$(sql "$T/j.journal" "select count(*) from samples where signal='p99_scrape'")
n_prom=$(sql "$T/j.journal" "select count(*) from samples where signal='p99_prometheus'")
check "every sample of both is journaled ($n_scrape and $n_prom over $(span_ms p99_scrape) ms)" \
  sh -c '[ "$0" -ge $(( $2 / 10000 )) ] && [ "$0" -ge 3 ] && [ $(( $0 - $1 )) -le 2 ] && [ $(( $1 - $0 )) -le 2 ]' \
  "$n_scrape" "$n_prom" "$(span_ms p99_scrape)"
finish
