#!/bin/bash
# test_scrape_cadence.sh — scrapes keep a steady schedule and rates are
# right: `cutover run --headless` scrapes test_exporter (whose counter
# migration_dual_write_total grows at exactly 250/s) every second; the
# exporter logs when each scrape arrives. The gaps stay near the interval
# and do not drift (a schedule of "now + interval" adds every delay of the
# loop to the next scrape), and rate() over the scrape's own timestamps
# reads 250/s. Bounds are generous (a loaded 2-core machine passes); the
# figures are printed, and `make bench` has them too.
. tests/lib.sh
need build/tools/test_exporter >/dev/null || exit 1
"$ROOT/build/tools/test_exporter" 0 --log-scrapes >"$T/exporter.out" 2>&1 &
exporter=$!
run=
cleanup_hook() {
  [ -n "$run" ] && kill "$run" 2>/dev/null
  kill "$exporter" 2>/dev/null
}
P=$(wait_port "$T/exporter.out") || { echo "FAIL the exporter did not start"; finish; exit 1; }
cat >"$T/cadence.md" <<MD
# Cadence

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/metrics\`

## Signals
- write_rate: \`sum(rate(migration_dual_write_total[5s]))\`

## Abort criteria
- abort if write_rate > 1000000

## Phase 1: Watch
- [ ] commander: look

## Rollback
### Phase 1
Nothing to roll back.
MD
check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/cadence.md"
"$CUTOVER" run "$T/cadence.md" --journal "$T/c.journal" --headless >"$T/run.out" 2>&1 &
run=$!
scrapes() { [ "$(grep -c '^scrape ' "$T/exporter.out")" -ge "$1" ]; }
check "21 scrapes arrive" wait_for 120 scrapes 21
kill -TERM "$run"; wait "$run"; run=

# gaps: min, max and mean of the first 20 gaps (ms)
grep '^scrape ' "$T/exporter.out" | head -21 | awk '{print $2}' >"$T/times"
read -r gmin gmax gmean drift < <(awk 'NR > 1 { g = $1 - prev; if (min == "" || g < min) min = g;
  if (g > max) max = g } { if (NR == 1) first = $1; prev = $1; n = NR }
  END { mean = (prev - first) / (n - 1); printf "%d %d %.1f %d\n", min, max, mean, (prev - first) - (n - 1) * 1000 }' "$T/times")
echo "scrape gaps over 20: min ${gmin} ms, max ${gmax} ms, mean ${gmean} ms, drift ${drift} ms"
check "every gap is within 1000 ± 500 ms (min $gmin, max $gmax)" \
  test "$gmin" -ge 500 -a "$gmax" -le 1500
check "20 scrapes take 20 intervals: drift ${drift} ms within ± 250 ms" \
  test "${drift#-}" -le 250

# the rate: every ok sample after the first full window
sql "$T/c.journal" "select value from samples where signal = 'write_rate' and status = 'ok'
  order by seq" | tail -n +6 >"$T/rates"
read -r n rmin rmax < <(awk '{ if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1; n++ }
  END { printf "%d %s %s\n", n, min, max }' "$T/rates")
echo "rate over 5s, $n samples: min $rmin, max $rmax (true: 250/s)"
check "rate() reads 250/s within 3 % ($n samples, $rmin–$rmax)" \
  awk -v n="$n" -v lo="$rmin" -v hi="$rmax" 'BEGIN { exit !(n >= 8 && lo >= 242.5 && hi <= 257.5) }'
finish
