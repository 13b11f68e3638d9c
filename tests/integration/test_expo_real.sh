#!/bin/bash
# test_expo_real.sh — the exposition parser against real programs: it must
# read the /metrics of Debian's prometheus-node-exporter and prometheus
# without error and find their histograms and summaries; and for every
# fixture in tests/expo/ (plus cuts of the node exporter's real output) it
# must reach the same verdict as Prometheus 2.42's own scraper, which is
# started here to scrape each fixture from a local static server. For the
# accepted ones, the samples Prometheus stored must be the samples
# expo_check read. Needs: prometheus, prometheus-node-exporter, curl,
# python3 (the static file server and JSON reading). Installs nothing.
cd "$(dirname "$0")/../.." || exit 2
source tests/lib.sh

EXPO_CHECK=${EXPO_CHECK:-$ROOT/build/tools/expo_check}
pids=()
# lib.sh calls cleanup_hook at exit: stop what this suite started, by pid.
cleanup_hook() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
}

missing=
for c in prometheus prometheus-node-exporter curl python3; do
  command -v "$c" >/dev/null || missing="$missing $c"
done
if [ -n "$missing" ]; then
  echo "FAIL missing programs:$missing (Debian packages: prometheus prometheus-node-exporter curl python3)"
  echo "0 passed, 1 failed"; exit 1
fi
[ -x "$EXPO_CHECK" ] || { echo "FAIL $EXPO_CHECK not built (make build/tools/expo_check)"; echo "0 passed, 1 failed"; exit 1; }

# wait_http URL [SECONDS]: true once URL answers 200.
wait_http() {
  local deadline=$(( $(date +%s%N) / 1000000 + ${2:-30} * 1000 ))
  until curl -sf -o /dev/null --max-time 1 "$1"; do
    [ $(( $(date +%s%N) / 1000000 )) -ge $deadline ] && return 1
    sleep 0.05
  done
}

# --- node exporter ---------------------------------------------------------
NE_PORT=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" \
  --no-collector.systemd >"$T/node-exporter.log" 2>&1 &
pids+=($!)

# --- fixtures, served as text/plain (so Prometheus uses its text parser) ---
mkdir -p "$T/www"
cp tests/expo/*.txt "$T/www/"
check "node exporter answers" wait_http "http://127.0.0.1:$NE_PORT/metrics"
curl -sf "http://127.0.0.1:$NE_PORT/metrics" -o "$T/node.txt"
# Cuts of a real exposition, as a scrape cut short would leave it: inside
# a label value (rejected), and inside a number at the very end (accepted:
# "12345" cut to "123" is still a valid line, for Prometheus too).
first_label=$(grep -b -o -m1 '{[a-z_]*="' "$T/node.txt" | cut -d: -f1)
head -c $((first_label + 6)) "$T/node.txt" >"$T/www/bad-cut-node-exporter-in-label.txt"
cut_mid_value() (
  export LC_ALL=C
  local at off line
  at=$(grep -b -m1 -E '^[a-z_]+(\{[^}]*\})? [0-9]{3,}$' "$T/node.txt") || return 1
  off=${at%%:*} line=${at#*:}
  head -c $((off + ${#line} - 1)) "$T/node.txt"
)
cut_mid_value >"$T/www/ok-cut-node-exporter-mid-value.txt"
SRV_PORT=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$SRV_PORT" \
  >"$T/http.log" 2>&1 &
pids+=($!)

# --- prometheus: scrapes every fixture, and we read its own /metrics -------
{
  # a scrape of a loaded machine's static server may take seconds, and one
  # that times out reads as a rejection: the timeout is generous (and one
  # seen anyway is waited out below, not taken for a verdict)
  echo "global: {scrape_interval: 5s, scrape_timeout: 5s, evaluation_interval: 5s}"
  echo "scrape_configs:"
  for f in "$T"/www/*.txt; do
    n=$(basename "$f" .txt)
    echo "- job_name: '$n'"
    echo "  metrics_path: '/$n.txt'"
    echo "  static_configs: [{targets: ['127.0.0.1:$SRV_PORT']}]"
  done
} >"$T/prometheus.yml"
check "prometheus answers" prom_start "$T/prometheus.log" --config.file="$T/prometheus.yml" \
  --storage.tsdb.path="$T/tsdb"
PR_PORT=$PROM_PORT
pids+=($PROM_PID)
curl -sf "http://127.0.0.1:$PR_PORT/metrics" -o /dev/null # a request its histograms observe
curl -sf "http://127.0.0.1:$PR_PORT/metrics" -o "$T/prom.txt"

# --- real programs' output parses, histograms and summaries found ----------
check "node exporter /metrics parses" "$EXPO_CHECK" "$T/node.txt"
check "prometheus /metrics parses" "$EXPO_CHECK" "$T/prom.txt"
"$EXPO_CHECK" --dump "$T/node.txt" >"$T/node.dump" 2>&1
"$EXPO_CHECK" --dump "$T/prom.txt" >"$T/prom.dump" 2>&1
check "node exporter: summary go_gc_duration_seconds with quantiles" \
  grep -qE '^summary - go_gc_duration_seconds\{quantile="0\.5"\} ' "$T/node.dump"
check "node exporter: counter node_cpu_seconds_total" \
  grep -qE '^counter - node_cpu_seconds_total\{cpu="0",mode="idle"\} [0-9]' "$T/node.dump"
check "prometheus: histogram buckets up to le=+Inf" \
  grep -qE '^histogram - prometheus_http_request_duration_seconds_bucket\{handler="[^"]+",le="\+Inf"\} [0-9]' "$T/prom.dump"
check "prometheus: histogram _sum and _count typed" \
  grep -qE '^histogram - prometheus_http_request_duration_seconds_count\{handler=' "$T/prom.dump"
check "prometheus: summary with quantiles" \
  grep -qE '^summary - [a-z_]+\{.*quantile="0\.9"' "$T/prom.dump"
cut_names_line() {
  expect_exit 1 "$EXPO_CHECK" "$T/www/bad-cut-node-exporter-in-label.txt" &&
    grep -qE ': line [0-9]+: ' "$T/.last" && cat "$T/.last"
}
check "a cut exposition is an error naming its line" cut_names_line

# --- every fixture: our verdict and Prometheus's must agree ----------------
n_fixtures=$(ls "$T"/www/*.txt | wc -l)
# up{} for every job appears in the same commit as the scrape's samples; a
# target whose last scrape timed out has no verdict yet: its next scrape is
# waited for (19 verdicts failed so, once, on a loaded machine).
scraped_all() {
  local n
  n=$(curl -s -G "http://127.0.0.1:$PR_PORT/api/v1/query" --data-urlencode 'query=count(up)' |
      grep -o '"value":\[[^]]*\]' | grep -o '"[0-9]*"\]' | tr -dc 0-9)
  echo "${n:-0} of $n_fixtures targets scraped"
  [ "$n" = "$n_fixtures" ] || return 1
  curl -s "http://127.0.0.1:$PR_PORT/api/v1/targets" >"$T/targets-now.json"
  ! grep -qF 'context deadline exceeded' "$T/targets-now.json" ||
    { echo "a scrape timed out; waiting for its next"; return 1; }
}
wait_all_scraped() { wait_for 90 scraped_all; }   # to give up, not a goal
check "prometheus scraped all $n_fixtures fixtures" wait_all_scraped
curl -s -G "http://127.0.0.1:$PR_PORT/api/v1/query" --data-urlencode 'query=up' >"$T/up.json"
curl -s "http://127.0.0.1:$PR_PORT/api/v1/targets" >"$T/targets.json"
curl -s -G "http://127.0.0.1:$PR_PORT/api/v1/query" \
  --data-urlencode 'query={job=~".+",__name__!~"up|scrape_.+"}' >"$T/stored.json"
python3 - "$T/up.json" "$T/targets.json" >"$T/prom-verdicts" <<'EOF'
import json, sys
up = {r["metric"]["job"]: r["value"][1] for r in json.load(open(sys.argv[1]))["data"]["result"]}
err = {t["scrapePool"]: t["lastError"] for t in json.load(open(sys.argv[2]))["data"]["activeTargets"]}
for job in sorted(up):
    print(job, "ok" if up[job] == "1" else "bad", err.get(job, ""), sep="\t")
EOF

# Prometheus's stored series, per job, in expo_check --dump's canonical form.
python3 - "$T/stored.json" "$T/stored" <<'EOF'
import json, math, os, sys
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
def esc(v):
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
def num(s):
    v = float(s)
    if math.isnan(v): return "NaN"
    if math.isinf(v): return "+Inf" if v > 0 else "-Inf"
    return "%.17g" % v
lines = {}
for r in json.load(open(sys.argv[1]))["data"]["result"]:
    m = dict(r["metric"]); job = m.pop("job"); m.pop("instance", None); name = m.pop("__name__")
    labels = ",".join('%s="%s"' % (k, esc(m[k])) for k in sorted(m))
    lines.setdefault(job, []).append("%s{%s} %s" % (name, labels, num(r["value"][1])))
for job, ls in lines.items():
    with open(os.path.join(out, job), "w") as f:
        f.write("".join(l + "\n" for l in sorted(ls)))
EOF

# same_verdict NAME: expo_check and Prometheus both accept, or both reject.
same_verdict() {
  local name=$1 ours theirs
  if "$EXPO_CHECK" "$T/www/$name.txt" >"$T/ours" 2>&1; then ours=ok; else ours=bad; fi
  theirs=$(awk -F'\t' -v j="$name" '$1 == j { print $2 }' "$T/prom-verdicts")
  echo "ours: $ours ($(cat "$T/ours"))"
  echo "prometheus: $theirs ($(awk -F'\t' -v j="$name" '$1 == j { print $3 }' "$T/prom-verdicts"))"
  [ -n "$theirs" ] && [ "$ours" = "$theirs" ] && [ "$ours" = "${name%%-*}" ]
}

# same_samples NAME: the samples without a timestamp (Prometheus files the
# others at their own, old time) are the ones Prometheus stored. Skipped for
# texts with NUL bytes: a C string ends at the first one.
same_samples() {
  local name=$1
  "$EXPO_CHECK" --dump "$T/www/$name.txt" | awk '$2 == "-"' | cut -d' ' -f3- | sort >"$T/ours"
  sort "$T/stored/$name" 2>/dev/null >"$T/theirs"
  diff "$T/ours" "$T/theirs"
}

for f in "$T"/www/*.txt; do
  name=$(basename "$f" .txt)
  check "same verdict as prometheus: $name" same_verdict "$name"
  if [ "${name%%-*}" = ok ] && ! grep -qaP '\x00' "$f"; then
    check "same samples as prometheus stored: $name" same_samples "$name"
  fi
done

finish
