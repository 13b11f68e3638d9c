#!/bin/bash
# scrape_cadence.sh — how steady the scrape source's schedule is under load:
# a headless cockpit scrapes tests/tools/test_exporter every second for 200
# signals while two busy loops keep both cores full; the exporter logs when
# each scrape arrives. Prints the gaps (min, p50, p99, max), the drift of
# 30 scrapes from 30 intervals, and rate() of a counter that grows at
# exactly 250/s (min and max of its samples, the error in %).
#   CUTOVER=path   the binary to measure (default ./cutover), e.g. main's
#   LOAD=0         no busy loops
cd "$(dirname "$0")/.." || exit 1
make -s cutover build/tools/test_exporter >/dev/null || exit 1
BIN=${CUTOVER:-$PWD/cutover}
T=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
build/tools/test_exporter 0 --log-scrapes >"$T/exp.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '^port' "$T/exp.out" && break; sleep 0.05; done
port=$(sed -n 's/^port //p' "$T/exp.out")
{
  printf '# Cadence bench\n\n## Roles\n- commander: A\n\n## Systems\n'
  printf -- '- metrics: scrape `http://127.0.0.1:%s/metrics`\n\n## Signals\n' "$port"
  printf -- '- write_rate: `sum(rate(migration_dual_write_total[5s]))`\n'
  for i in $(seq 199); do
    printf -- '- p%d: `histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend="new"}[1m])))`\n' "$i"
  done
  printf '\n## Phase 1: P\n- [ ] commander: x\n\n## Rollback\n### Phase 1\nx\n'
} >"$T/rb.md"
if [ "${LOAD:-1}" != 0 ]; then
  for _ in 1 2; do (while :; do :; done) & pids+=($!); done
fi
"$BIN" run "$T/rb.md" --journal "$T/j.journal" --headless >/dev/null 2>&1 &
run=$!
pids+=($run)
deadline=$((SECONDS + 120))
until [ "$(grep -c '^scrape ' "$T/exp.out")" -ge 31 ] || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
kill -TERM "$run"; wait "$run" 2>/dev/null
grep '^scrape ' "$T/exp.out" | head -31 | awk '{print $2}' |
  awk 'NR > 1 { print $1 - prev } { prev = $1 }' | sort -n >"$T/gaps"
first=$(grep -m1 '^scrape ' "$T/exp.out" | awk '{print $2}')
last=$(grep '^scrape ' "$T/exp.out" | head -31 | tail -1 | awk '{print $2}')
n=$(wc -l <"$T/gaps")
p() { sed -n "$(( ($1 * n + 99) / 100 ))p" "$T/gaps"; }
echo "scrape cadence ($(basename "$BIN"), load ${LOAD:-1}): $n gaps: min $(head -1 "$T/gaps") ms," \
  "p50 $(p 50) ms, p99 $(p 99) ms, max $(tail -1 "$T/gaps") ms; drift over $n: $((last - first - n * 1000)) ms"
sqlite3 "$T/j.journal" "select value from samples where signal = 'write_rate' and status = 'ok' order by seq" |
  tail -n +6 | awk '{ if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1; k++ }
    END { e1 = (min - 250) / 2.5; e2 = (max - 250) / 2.5; if (e1 < 0) e1 = -e1; if (e2 < 0) e2 = -e2;
          printf "rate() of a 250/s counter: %d samples, %.2f .. %.2f (worst %.2f %% off)\n",
                 k, min, max, (e1 > e2 ? e1 : e2) }'
