#!/bin/bash
# test_scrape_semantics.sh — a query moves between a `scrape` and a
# `prometheus` source unchanged. The real Prometheus 2.42 (job_name
# `metrics`) and the cockpit's own scrape source (the system named
# `metrics`) read the same exposition, whose samples carry their own `job`
# and `instance` labels (clashes, one sample with each of them twice) and
# an `exported_job` already; every
# signal is asked of both through `cutover preflight` and must give the
# same value: the target labels job and instance, the clashes renamed
# exported_job / exported_instance (exported_exported_job when taken), and
# the series `up`, `scrape_samples_scraped`,
# `scrape_samples_post_metric_relabeling` and `scrape_duration_seconds`.
# Then the whole label sets of one scrape are compared series for series.
# Needs: prometheus, python3 (scripts/deps.sh test).
. tests/lib.sh
command -v prometheus >/dev/null || { echo "FAIL prometheus is not installed (scripts/deps.sh test)"; echo "0 passed, 1 failed"; exit 1; }
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
cat >"$T/answers/clash" <<'EOF'
# TYPE clash_total counter
clash_total{job="inner",instance="pod-1",code="200"} 5
clash_total{job="inner",code="500"} 2
# TYPE deep_total counter
deep_total{job="a",exported_job="b"} 7
# TYPE plain gauge
plain 3
plain{job=""} 4
# TYPE dup_total counter
dup_total{job="a",instance="i1",job="b",instance="i2"} 9
EOF
pids=()
cleanup_hook() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
}
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
pids+=($!)
P=$(wait_port "$T/fault.out") || { echo "FAIL fault_server did not start"; finish; exit 1; }
cat >"$T/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: metrics
    metrics_path: /file/clash
    static_configs: [{targets: ['127.0.0.1:$P']}]
EOF
prom_start "$T/prometheus.log" --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data"
PP=$PROM_PORT
pids+=($PROM_PID)

I="127.0.0.1:$P"
EXPRS=(
  "count(clash_total{job=\"metrics\",instance=\"$I\",exported_job=\"inner\",exported_instance=\"pod-1\",code=\"200\"})"
  "sum(clash_total{job=\"metrics\",instance=\"$I\",exported_job=\"inner\",code=\"500\",exported_instance=\"\"})"
  "sum(deep_total{job=\"metrics\",exported_job=\"b\",exported_exported_job=\"a\"})"
  "count(deep_total{job=\"metrics\"})"
  "sum(plain{job=\"metrics\",instance=\"$I\",exported_job=\"\"})"
  "count(plain)"
  "up{job=\"metrics\",instance=\"$I\"}"
  "count(up)"
  "scrape_samples_scraped{job=\"metrics\",instance=\"$I\"}"
  "scrape_samples_post_metric_relabeling{job=\"metrics\"}"
  "count(scrape_duration_seconds{job=\"metrics\",instance=\"$I\"}) + count(scrape_duration_seconds)"
  "sum(dup_total{job=\"metrics\",instance=\"$I\",exported_job=\"a\",exported_instance=\"i1\"})"
  "count(clash_total{instance=\"pod-1\"})"
  "count(clash_total{job=\"inner\"})"
)
{
  printf '# Both sources\n\n## Roles\n- commander: Alice Ng\n\n## Systems\n'
  echo "- metrics: scrape \`http://$I/file/clash\`"
  echo "- prom: prometheus \`http://127.0.0.1:$PP\`"
  printf '\n## Signals\n'
  for i in "${!EXPRS[@]}"; do
    echo "- s$i: \`${EXPRS[$i]}\`"
    echo "- p$i: prom \`${EXPRS[$i]}\`"
  done
  printf '\n## Abort criteria\n- abort if s0 > 1000\n\n## Phase 1: Watch\n- [ ] commander: look\n\n'
  printf '## Rollback\n### Phase 1\nNothing to roll back.\n'
} >"$T/both.md"

check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/both.md"

prom_has_scraped() {
  curl -sfG --max-time 2 --data-urlencode 'query=up{job="metrics"}' \
    "http://127.0.0.1:$PP/api/v1/query" | grep -q '"value"'
}
check "Prometheus scraped the exposition" wait_for 90 prom_has_scraped

"$CUTOVER" preflight "$T/both.md" >"$T/pre.out" 2>&1
value() { awk -v n="$1" '$1 == n { print $3 }' "$T/pre.out"; }
same() {
  local s p
  s=$(value "s$1") p=$(value "p$1")
  [ -n "$s" ] && [ "$s" = "$p" ] || { echo "scrape says '$s', prometheus '$p' for: ${EXPRS[$1]}"; cat "$T/pre.out"; return 1; }
}
for i in "${!EXPRS[@]}"; do
  check "same answer from both sources: ${EXPRS[$i]}" same "$i"
done
# The whole label sets: every series the scrape source stores from one
# scrape (promql_at labels, through core/scrape.h) against every series
# Prometheus holds for the job (/api/v1/series), but scrape_series_added,
# which the scrape source does not keep.
need build/tools/promql_at >/dev/null || exit 1
"$ROOT/build/tools/promql_at" labels --url "http://$I/file/clash" --job metrics >"$T/ours.jsonl"
curl -sfG --max-time 5 --data-urlencode 'match[]={job="metrics"}' \
  "http://127.0.0.1:$PP/api/v1/series" >"$T/prom_series.json"
same_sets() {
  python3 - "$T/ours.jsonl" "$T/prom_series.json" <<'PY'
import json, sys
ours = {tuple(sorted(json.loads(l).items())) for l in open(sys.argv[1]) if l.strip()}
prom = {tuple(sorted(m.items())) for m in json.load(open(sys.argv[2]))["data"]
        if m.get("__name__") != "scrape_series_added"}
for s in sorted(ours - prom): print("only ours:", dict(s))
for s in sorted(prom - ours): print("only Prometheus:", dict(s))
print(len(ours), "series of ours,", len(prom), "of Prometheus's")
sys.exit(0 if ours == prom else 1)
PY
}
check "the same label sets as Prometheus stored, series for series" same_sets

# a selector for a label that was renamed finds nothing on either side
check "the scraped job and instance no longer match" \
  sh -c 'grep -E "^(s|p)1[34] " "$0" | grep -q "no data" && ! grep -E "^(s|p)1[34] " "$0" | grep -q OK' "$T/pre.out"
finish
