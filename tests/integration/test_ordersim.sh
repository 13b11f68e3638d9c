#!/bin/bash
# test_ordersim.sh — the demo orders service (demo/ordersim) as a real
# process: on SQLite files in a temporary directory, with a flagd file the
# test writes, it must dual-write, route reads by the flag (and only by
# it), shadow-read and compare, serve a valid /metrics, take faults over
# HTTP and show each one in its counters and in the rows of the files, and
# stop cleanly on SIGTERM. Also: routing identical to flagd-core's, a
# restart on the same files, bad input, and PostgreSQL stores when
# PostgreSQL 15 is installed. ORDERSIM=build/asan/ordersim runs it all
# against the sanitizer build. Needs curl and sqlite3.
cd "$(dirname "$0")/../.." || exit 2
source tests/lib.sh

if [ -z "$ORDERSIM" ]; then
  ORDERSIM=$ROOT/build/ordersim
  # until the top Makefile includes demo/Makefile.inc, name both files
  need build/ordersim >/dev/null 2>&1 ||
    need -f Makefile -f demo/Makefile.inc build/ordersim >/dev/null || exit 1
fi
EXPO_CHECK=$ROOT/build/tools/expo_check
need build/tools/expo_check >/dev/null 2>&1
FLAGCTL=$ROOT/build/tools/flagctl
need build/tools/flagctl >/dev/null 2>&1

pids=() pg_dir=
# lib.sh calls cleanup_hook at exit: stop what this suite started, by pid.
cleanup_hook() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  if [ -n "$pg_dir" ]; then
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pg_dir/data" -m immediate \
      -w stop >/dev/null 2>&1
    rm -rf "$pg_dir"
  fi
}

D=$T/demo
mkdir -p "$D"

# flag_file PERCENT [FILE]: a flagd file sending PERCENT % of keys to new,
# replaced atomically as the cockpit does.
flag_file() {
  local f=${2:-$D/flags.json}
  printf '{"$schema":"https://flagd.dev/schema/v0/flags.json","flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",%d],["off",%d]]}}}}\n' \
    "$1" $((100 - $1)) >"$f.tmp" && mv "$f.tmp" "$f"
}

# scrape FILE: the service's /metrics into FILE.
scrape() { curl -sf --max-time 3 "$U/metrics" -o "$1"; }
# val FILE SERIES: the value of one series, written exactly as exposed.
val() { awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print "none" }' "$1"; }
# delta A B SERIES: its growth from scrape A to scrape B.
delta() { awk -v a="$(val "$1" "$3")" -v b="$(val "$2" "$3")" 'BEGIN { print b - a }'; }
# post PATH [CURL ARGS]: a POST to the service; the answer in $T/post.
post() { local p=$1; shift; curl -s --max-time 3 -o "$T/post" -w '%{http_code}' -X POST "$U$p" "$@"; }
fault() { [ "$(post "/faults?$1")" = 200 ] || { echo "POST /faults?$1:"; cat "$T/post"; return 1; }; }
reset_faults() { [ "$(post /faults/reset)" = 200 ]; }
gauge_is() { scrape "$T/g" && [ "$(val "$T/g" "$1")" = "$2" ]; }
# reads FILE: every read counted in a scrape, from old and from new.
reads() { awk -v a="$(val "$1" 'reads_total{backend="old"}')" -v b="$(val "$1" 'reads_total{backend="new"}')" 'BEGIN { print a + b }'; }
# grown_by A B SERIES N: scrapes B, true once SERIES grew by N since A.
grown_by() {
  scrape "$2" && awk -v d="$(delta "$1" "$2" "$3")" -v n="$4" 'BEGIN { exit !(d >= n) }'
}
# reads_grown_by A B N: scrapes B, true once N more reads were counted than in A.
reads_grown_by() { scrape "$2" && [ "$(reads "$2")" -ge $(( $(reads "$1") + $3 )) ]; }
# settled: the reads in flight when a fault changed have ended. Counted in
# reads (four per reader), not in time: a loaded machine waits longer.
settled() { scrape "$T/settle.a" && wait_for 60 reads_grown_by "$T/settle.a" "$T/settle.b" 32; }
# window NAME SERIES N: once settled, scrapes NAME.a, then NAME.b as soon as
# SERIES (the window's clock: a counter the checks do not judge) grew by N.
# A window of events, not of seconds, holds as many on a loaded machine.
window() {
  settled && scrape "$T/$1.a" && wait_for 60 grown_by "$T/$1.a" "$T/$1.b" "$2" "$3"
}
OLD_READS='reads_total{backend="old"}'
WRITES='ordersim_orders_written_total{writer="orders-api"}'
# p99_le A B BACKEND: the upper bound of the bucket holding the p99 of the
# reads on BACKEND between two scrapes.
p99_le() {
  paste <(grep "^read_seconds_bucket{backend=\"$3\"" "$1") <(grep "^read_seconds_bucket{backend=\"$3\"" "$2") |
    awk '{ split($1, x, "le=\""); split(x[2], y, "\""); le[NR] = y[1]; d[NR] = $4 - $2 }
         END { n = NR; for (i = 1; i <= n; i++) if (d[i] >= 0.99 * d[n]) { print le[i]; exit } }'
}
# between X LO HI: LO <= X <= HI
between() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }' || { echo "$1 not in [$2, $3]"; return 1; }; }
gt() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x > y) }' || { echo "$1 is not > $2"; return 1; }; }
eq() { [ "$1" = "$2" ] || { echo "got $1, wanted $2"; return 1; }; }
old_sql() { sql "$D/old.db" "ATTACH '$D/new.db' AS n; $1"; }

# ---------------------------------------------------------------------------
flag_file 0
"$ORDERSIM" --old "$D/old.db" --new "$D/new.db" --flags "$D/flags.json" \
  --rate 200 --read-rate 400 --readers 8 --forgotten-rate 4 --history 50 \
  --port 0 --port-file "$D/port" >"$D/out" 2>"$D/err" &
sim=$!; pids+=("$sim")
started() { [ -s "$D/port" ] && grep -q "listening on 127.0.0.1:" "$D/out"; }
check "starts, prints its port and writes the port file" wait_for 30 started
P=$(cat "$D/port" 2>/dev/null); U="http://127.0.0.1:$P"
listening_on_loopback_only() {
  grep -qx "listening on 127.0.0.1:$P" "$D/out" &&
    ss -ltnH "sport = :$P" >"$T/ss" && grep -q "127.0.0.1:$P" "$T/ss" &&
    ! grep -vq "127.0.0.1:$P" "$T/ss" || { cat "$T/ss"; return 1; }
}
check "listens on 127.0.0.1 only, on the printed port" listening_on_loopback_only

scrape "$T/m1"
if [ -x "$EXPO_CHECK" ]; then
  check "/metrics parses with core's exposition parser (expo_check)" "$EXPO_CHECK" "$T/m1"
else
  echo "skip /metrics with expo_check: build/tools/expo_check is not built"
fi
families_ok() {
  local f
  for f in "migration_dual_write_total counter" "migration_dual_write_failures_total counter" \
           "migration_dual_write_lag_seconds gauge" "reads_total counter" \
           "read_errors_total counter" "read_seconds histogram" "shadow_reads_total counter" \
           "migration_read_new_ratio_flag gauge" "migration_flag_valid gauge"; do
    grep -qx "# TYPE $f" "$1" || { echo "no # TYPE $f"; return 1; }
    grep -q "^# HELP ${f% *} ." "$1" || { echo "no # HELP ${f% *}"; return 1; }
  done
}
check "every family has its # HELP and # TYPE" families_ok "$T/m1"
histogram_ok() {
  local b
  for b in old new; do
    grep -q "^read_seconds_bucket{backend=\"$b\",le=\"0.001\"} " "$1" &&
      grep -q "^read_seconds_bucket{backend=\"$b\",le=\"2.5\"} " "$1" &&
      [ "$(val "$1" "read_seconds_bucket{backend=\"$b\",le=\"+Inf\"}")" = \
        "$(val "$1" "read_seconds_count{backend=\"$b\"}")" ] &&
      grep -q "^read_seconds_sum{backend=\"$b\"} " "$1" || { echo "histogram of $b"; return 1; }
  done
}
check "read_seconds is a histogram per backend: 1 ms..2.5 s, +Inf = _count, _sum" histogram_ok "$T/m1"

# Every series the demo runbook's signals ask for exists, labels included.
runbook_series_exist() {
  local m name labels l
  sed -n '/^## Signals/,/^## /p' runbooks/demo.md |
    grep -o 'rate([a-z_]*\({[^}]*}\)\?\[' | sed 's/^rate(//; s/\[$//' | sort -u >"$T/wanted"
  [ -s "$T/wanted" ] || { echo "no rate(...) in the Signals of runbooks/demo.md"; return 1; }
  while read -r m; do
    name=${m%%\{*}; labels=; [ "$name" != "$m" ] && labels=${m#*\{} && labels=${labels%\}}
    grep -q "^${name}[{ ]" "$1" || { echo "runbook names $name: not exposed"; return 1; }
    for l in ${labels//,/ }; do
      grep "^${name}[{ ]" "$1" | grep -qF "$l" || { echo "runbook names $name{$l}: no such series"; return 1; }
    done
  done <"$T/wanted"
}
check "every series runbooks/demo.md's Signals use is exposed" runbook_series_exist "$T/m1"

wait_for 60 grown_by "$T/m1" "$T/m2" "$OLD_READS" 200
grows() { gt "$(delta "$T/m1" "$T/m2" "$1")" 0; }
check "counters grow: dual writes" grows 'migration_dual_write_total{entity_type="order"}'
reads_grow() { grows 'reads_total{backend="old"}' && grows 'shadow_reads_total{result="match"}'; }
check "counters grow: reads on old and shadow matches" reads_grow
check "at 0 %: no read is served from new" \
  eq "$(val "$T/m2" 'reads_total{backend="new"}')/$(val "$T/m2" migration_read_new_ratio_flag)/$(val "$T/m2" migration_flag_valid)" "0/0/1"

# --- the flag --------------------------------------------------------------
flag_file 50
check "a new flag file is obeyed: ratio gauge 0.5" wait_for 30 gauge_is migration_read_new_ratio_flag 0.5
window half "$OLD_READS" 600
share() {
  local n o
  n=$(delta "$T/$1.a" "$T/$1.b" 'reads_total{backend="new"}')
  o=$(delta "$T/$1.a" "$T/$1.b" 'reads_total{backend="old"}')
  awk -v n="$n" -v o="$o" 'BEGIN { printf "%.3f\n", n / (n + o) }'
}
s50=$(share half)
check "at 50 %: the share served from new is within 7 points of 50 % ($s50)" between "$s50" 0.43 0.57
check "without faults every shadow read matches" \
  eq "$(delta "$T/half.a" "$T/half.b" 'shadow_reads_total{result="diverged"}')/$(delta "$T/half.a" "$T/half.b" 'shadow_reads_total{result="error"}')" "0/0"

# The routing is flagd's: the same keys on as @openfeature/flagd-core 4.0.1
# (md5 of its verdicts for keys 1..2000 under the 25/75 file), and raising
# the percentage keeps every key already on.
flag_file 25 "$T/f25.json"; flag_file 50 "$T/f50.json"
"$ORDERSIM" --flags "$T/f25.json" --route $(seq 1 2000) >"$T/r25" 2>/dev/null
"$ORDERSIM" --flags "$T/f50.json" --route $(seq 1 2000) >"$T/r50" 2>/dev/null
check "routing matches flagd-core's fractional evaluation on 2000 keys" \
  eq "$(md5sum <"$T/r25" | cut -d' ' -f1)" 2e3046d563ae066b0d0b1252f323c0f5
check "raising 25 % to 50 % keeps every key that was on" \
  eq "$(join "$T/r25" "$T/r50" | awk '$2 == "new" && $3 != "new"' | wc -l)" 0

if [ -x "$FLAGCTL" ]; then
  cat >"$T/flag.md" <<EOF
# Flag

## Roles
- commander: Alice Ng
- flags: Carol Diaz

## Systems
- flag: flagd \`$D/flags.json\` flag \`orders-read-new\`

## Phase 1: Ramp
- [ ] flags: set the flag

## Rollback
### Phase 1
Set it back to 0 %.
EOF
  cockpit_flag() { "$FLAGCTL" "$T/flag.md" set 1.5 && wait_for 30 gauge_is migration_read_new_ratio_flag 0.015; }
  check "a flag file written by the cockpit's flagd driver (1.5 %) is obeyed" cockpit_flag
  flag_file 50
  wait_for 30 gauge_is migration_read_new_ratio_flag 0.5
fi

# --- faults ----------------------------------------------------------------
le_new0=$(p99_le "$T/half.a" "$T/half.b" new)
fault new_latency_factor=5
window slow "$OLD_READS" 500
le_new=$(p99_le "$T/slow.a" "$T/slow.b" new)
# mean_read A B BACKEND: the mean read time between two scrapes.
mean_read() {
  awk -v s="$(delta "$1" "$2" "read_seconds_sum{backend=\"$3\"}")" \
      -v n="$(delta "$1" "$2" "read_seconds_count{backend=\"$3\"}")" 'BEGIN { print s / n }'
}
m_new=$(mean_read "$T/slow.a" "$T/slow.b" new); m_old=$(mean_read "$T/slow.a" "$T/slow.b" old)
check "new_latency_factor 5: new's p99 bucket moves up ($le_new0 -> $le_new)" gt "$le_new" "$le_new0"
check "new_latency_factor 5: new's mean read is over 3 times old's ($m_new vs $m_old)" \
  gt "$m_new" "$(awk -v o="$m_old" 'BEGIN { print 3 * o }')"
reset_faults

fault new_read_error_rate=0.05
window errs "$OLD_READS" 400
e_new=$(delta "$T/errs.a" "$T/errs.b" 'read_errors_total{backend="new"}')
r_new=$(delta "$T/errs.a" "$T/errs.b" 'reads_total{backend="new"}')
check "new_read_error_rate 0.05: read_errors_total{backend=\"new\"} grows ($e_new)" gt "$e_new" 0
check "new_read_error_rate 0.05: about 5 % of new's reads fail ($e_new of $r_new)" \
  between "$(awk -v e="$e_new" -v r="$r_new" 'BEGIN { print e / r }')" 0.01 0.12
check "new_read_error_rate 0.05: old has no read errors" \
  eq "$(delta "$T/errs.a" "$T/errs.b" 'read_errors_total{backend="old"}')" 0
check "the fault change is logged on stderr" contains "$D/err" "new_read_error_rate 0 -> 0.05"
reset_faults

fault dual_write_failure_rate=0.5
window dwf "$WRITES" 400
fails=$(delta "$T/dwf.a" "$T/dwf.b" 'migration_dual_write_failures_total{entity_type="order",reason="injected"}')
writes=$(delta "$T/dwf.a" "$T/dwf.b" 'migration_dual_write_total{entity_type="order"}')
check "dual_write_failure_rate 0.5: about half the dual writes fail ($fails of $writes)" \
  between "$(awk -v f="$fails" -v w="$writes" 'BEGIN { print f / w }')" 0.38 0.62
check "dual_write_failure_rate 0.5: old still gets every order (no error to the caller)" \
  eq "$(delta "$T/dwf.a" "$T/dwf.b" 'ordersim_orders_written_total{writer="orders-api"}')" "$writes"
reset_faults

# divergence KIND SQL: inject KIND on every new write, see diverged shadow
# reads grow, then count with SQL the rows written since that differ the
# way KIND says (SQL gets $mark, the last id before the injection).
divergence() {
  local kind=$1 q=$2 mark
  mark=$(sql "$D/old.db" 'SELECT max(id) FROM orders_legacy')
  fault "divergence=$kind&divergence_rate=1" || return 1
  window "div-$kind" "$WRITES" 240
  local d; d=$(delta "$T/div-$kind.a" "$T/div-$kind.b" 'shadow_reads_total{result="diverged"}')
  reset_faults
  gt "$d" 0 || { echo "shadow_reads_total{result=\"diverged\"} did not grow"; return 1; }
  local rows; rows=$(old_sql "${q//\$mark/$mark}")
  gt "$rows" 0 || { echo "no $kind rows in the files"; return 1; }
  echo "$d diverged shadow reads, $rows rows"
}
check "divergence hour_shift: diverged shadow reads, new's created one hour later" divergence hour_shift \
  "SELECT count(*) FROM orders_legacy o JOIN n.orders m ON m.id = o.id WHERE o.id > \$mark
     AND round((julianday(m.created) - julianday(o.created)) * 24, 4) = 1
     AND m.note IS o.note AND m.total_cents = o.total_cents"
check "divergence null_for_empty: diverged shadow reads, NULL in new where old has ''" divergence null_for_empty \
  "SELECT count(*) FROM orders_legacy o JOIN n.orders m ON m.id = o.id WHERE o.id > \$mark
     AND o.note = '' AND m.note IS NULL AND m.created = o.created"
check "divergence drop_row: diverged shadow reads, rows in old missing from new" divergence drop_row \
  "SELECT count(*) FROM orders_legacy o WHERE o.id > \$mark AND o.written_by = 'orders-api'
     AND o.id NOT IN (SELECT id FROM n.orders)"

forgotten() {
  local in_old in_new
  in_old=$(sql "$D/old.db" "SELECT count(*) FROM orders_legacy WHERE written_by = 'monthly-batch'")
  in_new=$(old_sql "SELECT count(*) FROM n.orders WHERE written_by = 'monthly-batch'
                    OR id IN (SELECT id FROM orders_legacy WHERE written_by = 'monthly-batch')")
  gt "$in_old" 0 && eq "$in_new" 0
}
check "the forgotten writer's rows are in old and none is in new" forgotten
check "the history (50 orders) is in old only" \
  eq "$(old_sql "SELECT count(*) FROM orders_legacy WHERE id <= 50 AND id NOT IN (SELECT id FROM n.orders)")" 50

fault ignore_flag=true
window ign "$OLD_READS" 600
check "ignore_flag at 50 %: no read is served from new" \
  eq "$(delta "$T/ign.a" "$T/ign.b" 'reads_total{backend="new"}')" 0
ignored() {
  gt "$(delta "$T/ign.a" "$T/ign.b" 'reads_total{backend="old"}')" 0 &&
    eq "$(val "$T/ign.b" migration_read_new_ratio_flag)" 0.5 &&
    eq "$(val "$T/ign.b" 'ordersim_fault{fault="ignore_flag"}')" 1
}
check "ignore_flag: reads go on, from old; the flag gauge still says 0.5" ignored
reset_faults
window back "$OLD_READS" 200
check "after a reset reads go to new again" gt "$(delta "$T/back.a" "$T/back.b" 'reads_total{backend="new"}')" 0

bad_requests() {
  eq "$(post '/faults?bogus=1')" 400 && grep -q 'unknown fault' "$T/post" &&
    eq "$(post '/faults?new_read_error_rate=1.5')" 400 &&
    eq "$(post '/faults?new_read_error_rate=0.5&divergence=sideways')" 400 &&
    eq "$(curl -s "$U/faults")" '{"new_read_error_rate":0,"new_latency_factor":1,"dual_write_failure_rate":0,"divergence":"none","divergence_rate":0,"ignore_flag":false}' &&
    eq "$(curl -s -o /dev/null -w '%{http_code}' "$U/faults/reset")" 405 &&
    eq "$(curl -s -o /dev/null -w '%{http_code}' "$U/nowhere")" 404
}
check "bad fault requests: 400/404/405, and nothing half applied" bad_requests
json_and_form() {
  eq "$(post /faults -H 'Content-Type: application/json' -d '{"new_latency_factor": 2, "ignore_flag": true}')" 200 &&
    grep -q '"new_latency_factor":2,.*"ignore_flag":true' "$T/post" &&
    eq "$(post /faults -d 'divergence=hour_shift')" 200 &&
    grep -q '"divergence":"hour_shift","divergence_rate":0.1' "$T/post" &&
    scrape "$T/f" && eq "$(val "$T/f" 'ordersim_fault_divergence{kind="hour_shift"}')" 0.1 &&
    reset_faults && grep -q '"new_latency_factor":1,' "$T/post"
}
check "POST /faults takes a JSON body and a form body; GET shows, reset clears" json_and_form

printf '{"flags": {"orders-read-new": ' >"$D/flags.json.tmp" && mv "$D/flags.json.tmp" "$D/flags.json"
invalid_flag() { scrape "$T/g" && [ "$(val "$T/g" migration_flag_valid)/$(val "$T/g" migration_read_new_ratio_flag)" = 0/0 ]; }
check "an invalid flag file: migration_flag_valid 0, ratio 0" wait_for 30 invalid_flag
window inval "$OLD_READS" 400
check "an invalid flag file: no read is served from new" eq "$(delta "$T/inval.a" "$T/inval.b" 'reads_total{backend="new"}')" 0
check "an invalid flag file is said on stderr" contains "$D/err" "invalid (the file is not valid JSON): every read stays on old (0 %)"
rm -f "$D/flags.json"
check "a missing flag file is said on stderr" wait_for 30 grep -q "invalid (the flag file is missing or unreadable)" "$D/err"
flag_file 50
check "the flag file back: valid again" wait_for 30 gauge_is migration_flag_valid 1

# --- stopping and starting again -------------------------------------------
scrape "$T/last"
kill -TERM "$sim"
stopped() { ! kill -0 "$sim" 2>/dev/null; }
wait_for 30 stopped; wait "$sim"; rc=$?
check "SIGTERM: exits 0 and says it stopped" eq "$rc/$(grep -c 'stopped$' "$D/err")" 0/1
no_sanitizer_report() { ! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$@"; }
check "no sanitizer report on stderr" no_sanitizer_report "$D/err"

rm -f "$D/port"
"$ORDERSIM" --old "$D/old.db" --new "$D/new.db" --flags "$D/flags.json" --history 50 \
  --rate 50 --port 0 --port-file "$D/port" --duration 1.5 >"$D/out2" 2>"$D/err2" &
sim2=$!; pids+=("$sim2")
wait_for 30 test -s "$D/port"; U="http://127.0.0.1:$(cat "$D/port")"
scrape "$T/restart"
wait "$sim2"; rc2=$?
check "--duration: a restart on the same files stops by itself with 0" eq "$rc2" 0
restarted() {
  gt "$(val "$T/last" 'migration_dual_write_total{entity_type="order"}')" \
    "$(val "$T/restart" 'migration_dual_write_total{entity_type="order"}')" &&
    ! grep -q 'history written' "$D/err2"
}
check "a restart starts its counters again from 0 and adds no history" restarted

expect_usage() { "$ORDERSIM" "$@" >"$T/u" 2>&1; [ $? -eq 2 ] || { cat "$T/u"; return 1; }; }
check "an unknown option is a usage error (2)" expect_usage --frobnicate
# fails_with TEXT ARGS...: ordersim ARGS exits 1 and says TEXT.
fails_with() {
  local text=$1; shift
  "$ORDERSIM" "$@" >"$T/u" 2>&1; local rc=$?
  [ $rc -eq 1 ] && grep -qF -- "$text" "$T/u" || { echo "exit $rc"; cat "$T/u"; return 1; }
}
check "a bad value names the option (1)" fails_with "--rate" --rate fast
check "a store that cannot be opened is an error (1)" \
  fails_with "cannot open" --old "$T/no/such/dir/old.db" --new "$D/x.db" --duration 1
check "a bad --fault is refused (1)" fails_with sideways --fault divergence=sideways

# --- PostgreSQL stores -----------------------------------------------------
PG=/usr/lib/postgresql/15/bin
if [ -x "$PG/initdb" ] && [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
  # its own directory: the server runs as postgres, which cannot enter $T
  pg_dir=$(mktemp -d /tmp/ordersim-pg.XXXXXX); chown postgres:postgres "$pg_dir"
  pg_port=$((20000 + RANDOM % 30000))
  pg_up() {
    runuser -u postgres -- "$PG/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync \
      -E UTF8 --locale=C.UTF-8 >"$T/initdb.log" 2>&1 || return 1
    printf "listen_addresses = ''\nport = %d\nunix_socket_directories = '%s'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n" \
      "$pg_port" "$pg_dir" >>"$pg_dir/data/postgresql.conf"
    runuser -u postgres -- "$PG/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 30 start >/dev/null
  }
  check "PostgreSQL 15 starts for the stores" pg_up
  psql_q() { psql -h "$pg_dir" -p "$pg_port" -U postgres -d postgres -Atc "$1"; }
  conn="postgres:host=$pg_dir port=$pg_port user=postgres dbname=postgres"
  rm -f "$D/port"
  "$ORDERSIM" --old "$conn" --new "$conn" --history 20 --rate 100 --forgotten-rate 5 \
    --port 0 --port-file "$D/port" --duration 2.5 >"$D/out3" 2>"$D/err3" &
  sim3=$!; pids+=("$sim3")
  # the writers connect once it runs: poll until both are seen (or it ends)
  apps_seen() {
    psql_q "SELECT DISTINCT application_name FROM pg_stat_activity WHERE application_name <> '' ORDER BY 1" >"$T/apps"
    grep -qx orders-api "$T/apps" && grep -qx monthly-batch "$T/apps"
  }
  wait_for 30 test -s "$D/port" && wait_for 30 apps_seen
  wait "$sim3"; rc3=$?
  check "postgres stores: runs and exits 0" eq "$rc3" 0
  apps_ok() { grep -qx orders-api "$T/apps" && grep -qx monthly-batch "$T/apps" || { cat "$T/apps"; return 1; }; }
  check "postgres stores: each writer path has its application_name" apps_ok
  pg_rows() {
    local api batch missing
    api=$(psql_q "SELECT count(*) FROM orders o JOIN orders_legacy l USING (id) WHERE l.written_by = 'orders-api' AND o.created = l.created")
    batch=$(psql_q "SELECT count(*) FROM orders_legacy WHERE written_by = 'monthly-batch'")
    missing=$(psql_q "SELECT count(*) FROM orders WHERE id IN (SELECT id FROM orders_legacy WHERE written_by = 'monthly-batch')")
    gt "$api" 20 && gt "$batch" 0 && eq "$missing" 0
  }
  check "postgres stores: dual-written rows in both tables, the batch's in old only" pg_rows
else
  echo "skip PostgreSQL stores: PostgreSQL 15 is not installed (or not root)"
fi

finish
