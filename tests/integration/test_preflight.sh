#!/bin/bash
# test_preflight.sh — `cutover preflight` through the binary, one check per
# behaviour of issue 16:
#  - each URL is fetched once (the exporter counts its scrapes), at the
#    same time as the others;
#  - every error names its system and URL; an HTML error page shows as one
#    line (its title), not the page;
#  - NaN is explained by case: a gauge that is NaN, a histogram without
#    observations, 0/0;
#  - a range over one scrape says whether its series exist;
#  - the flag is read (its percentage shown, or the system's error);
#  - the webhook is reached without posting a message;
#  - the old and new tables named by the runbook exist.
. tests/lib.sh
need build/tools/fault_server build/tools/test_exporter >/dev/null || exit 1
mkdir -p "$T/answers"
cat >"$T/answers/nan" <<'EOF'
# TYPE plain_gauge gauge
plain_gauge NaN
# TYPE quiet_seconds histogram
quiet_seconds_bucket{le="0.1"} 0
quiet_seconds_bucket{le="+Inf"} 0
quiet_seconds_sum 0
quiet_seconds_count 0
# TYPE zero gauge
zero 0
EOF
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
"$ROOT/build/tools/test_exporter" 0 --log-scrapes >"$T/exporter.out" 2>&1 &
exporter=$!
cleanup_hook() { kill "$fault" "$exporter" 2>/dev/null; }
P=$(wait_port "$T/fault.out") || { echo "FAIL fault_server did not start"; finish; exit 1; }
EP=$(wait_port "$T/exporter.out") || { echo "FAIL test_exporter did not start"; finish; exit 1; }
sql "$T/old.db" "create table orders_legacy(id integer primary key)"
sql "$T/new.db" "create table something_else(id integer primary key)"
printf '%s' '{"$schema":"https://flagd.dev/schema/v0/flags.json","flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",5],["off",95]]}}}}' >"$T/flags.json"
U="http://127.0.0.1:$P"
cat >"$T/pre.md" <<MD
# Preflight

## Roles
- commander: Alice Ng

## Systems
- old: sqlite \`$T/old.db\` table \`orders_legacy\` key \`id\`
- new: sqlite \`$T/new.db\` table \`orders\` key \`id\`
- metrics: scrape \`http://127.0.0.1:$EP/metrics\`
- broken: scrape \`$U/status500/metrics\`
- page: scrape \`$U/status404html/metrics\`
- nans: scrape \`$U/file/nan\`
- api_nan: prometheus \`$U/scalar/NaN\`
- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`
- notify: slack \`$U/record/hook\`

## Signals
- write_rate: \`sum(rate(migration_dual_write_total[1m]))\`
- failure_ratio: \`sum(rate(migration_dual_write_failures_total[1m])) / sum(rate(migration_dual_write_total[1m]))\`
- lag: \`migration_dual_write_lag_seconds\`
- typo_rate: \`sum(rate(migration_dual_writes_total[1m]))\`
- from_500: broken \`sum(up)\`
- from_404: page \`sum(up)\`
- gauge_nan: nans \`plain_gauge\`
- quiet_p99: nans \`histogram_quantile(0.99, quiet_seconds_bucket)\`
- zero_by_zero: nans \`zero / zero\`
- api_gauge_nan: api_nan \`plain_gauge\`
- api_p99_nan: api_nan \`histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket[1m])))\`
- api_ratio_nan: api_nan \`sum(rate(a_total[1m])) / sum(rate(b_total[1m]))\`

## Abort criteria
- abort if write_rate > 100000

## Phase 1: Watch
- [ ] commander: look

## Rollback
### Phase 1
Nothing to roll back.
MD
check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/pre.md"
"$CUTOVER" preflight "$T/pre.md" >"$T/pre.out" 2>&1
echo "exit $?" >>"$T/pre.out"
sed 's/^/  > /' "$T/pre.out"
row() { grep -E "^$1 " "$T/pre.out" | grep -qF -- "$2" || { echo "row $1 lacks: $2"; cat "$T/pre.out"; return 1; }; }

check "a failure exits 1" contains "$T/pre.out" "exit 1"
scrapes=$(grep -c '^scrape ' "$T/exporter.out")
check "the scrape URL was fetched once for its three signals ($scrapes)" test "$scrapes" -eq 1
check "an instant expression over one scrape reads its value" row lag "OK"
check "a rate over one scrape: its series exist" row write_rate "series found"
check "a rate whose metric is misspelt: no series, named" row typo_rate "no series of \`migration_dual_writes_total\`"
check "an HTTP error names the system and the URL" \
  row from_500 "system \`broken\` ($U/status500/metrics): HTTP 500"
check "an HTML error page shows as one line: its title" \
  row from_404 "system \`page\` ($U/status404html/metrics): HTTP 404: 404 Not Found"
check "no HTML reaches the table" sh -c '! grep -qiE "<(html|h1|title|address)|DOCTYPE" "$0"' "$T/pre.out"
check "a gauge that is NaN says so" row gauge_nan "the series itself is NaN"
check "a histogram without observations says so" row quiet_p99 "a histogram without observations"
check "0/0 says so" row zero_by_zero "0/0"
check "Prometheus: a gauge that is NaN says so" row api_gauge_nan "the series itself is NaN"
check "Prometheus: a histogram without observations says so" row api_p99_nan "a histogram without observations"
check "Prometheus: a ratio of two idle counters is 0/0" row api_ratio_nan "0/0"
check "the flag is read" row flag "5%"
check "the webhook is reachable" sh -c 'grep -E "^notify " "$0" | grep -q OK' "$T/pre.out"
check "the webhook got no message" test ! -s "$T/answers/hook"
check "the old table exists" row orders_legacy "exists"
check "a missing new table is an error naming system and table" \
  row orders "system \`new\`: table \`orders\`: "

# --write: the rehearsal's write and read-back, of the value the flag has
"$CUTOVER" preflight --write "$T/pre.md" >"$T/prew.out" 2>&1
check "--write writes the flag's own value and reads it back" \
  sh -c 'grep -E "^flag " "$0" | grep -q "5% written .*OK"' "$T/prew.out"
"$CUTOVER" preflight "$T/pre.md" >"$T/pre1.out" 2>&1
check "… which leaves the flag where it was" sh -c 'grep -E "^flag " "$0" | grep -q " 5% "' "$T/pre1.out"

# a flag that cannot be read, a webhook nobody answers: named
rm "$T/flags.json"
DEAD=$(free_port)
sed -i "s|$U/record/hook|http://127.0.0.1:$DEAD/hook|" "$T/pre.md"
"$CUTOVER" preflight "$T/pre.md" >"$T/pre2.out" 2>&1
check "an unreadable flag is an error naming its system" \
  sh -c 'grep -E "^flag " "$0" | grep -q "error: flag system flag (flagd): cannot read the flag file"' "$T/pre2.out"
# the webhook's path is its secret: the redaction masks it, the host stays
check "an unreachable webhook names its system and URL (its path masked)" \
  sh -c 'grep -E "^notify " "$0" | grep -qF "system \`notify\` (http://127.0.0.1:$1/***): connection refused"' "$T/pre2.out" "$DEAD"
# a URL that cannot be made: every signal of the system says why
cat >"$T/env.md" <<'MD'
# Env

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape `http://127.0.0.1:${CUTOVER_TEST_UNSET_PORT}/metrics`

## Signals
- first: `sum(up)`
- second: `sum(up)`

## Abort criteria
- abort if first > 1

## Phase 1: Watch
- [ ] commander: look

## Rollback
### Phase 1
Nothing to roll back.
MD
unset CUTOVER_TEST_UNSET_PORT
"$CUTOVER" preflight "$T/env.md" >"$T/env.out" 2>&1
check "a missing variable is named on every signal of its system" \
  test "$(grep -c "error: system \`metrics\`: environment variable CUTOVER_TEST_UNSET_PORT is not set" "$T/env.out")" -eq 2
finish
