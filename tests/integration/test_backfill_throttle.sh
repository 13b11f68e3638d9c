#!/bin/bash
# test_backfill_throttle.sh — `cutover backfill` waits while a named signal
# is over its bound, as gh-ost waits on replica lag: the runbook's
# `backfill` step says {throttle="replica_lag > 5s"}, the signal is read
# from a scrape endpoint whose value the test writes (fault_server's
# /file/), between batches. Over the bound, no row moves and the journal
# says why in words ("replica_lag 7.2 s > 5 s"); under it, the copy goes
# on and the lift is journaled; a signal that cannot be read throttles
# too, said so. SQLite files. Mistakes in the attribute name FILE:LINE.
. tests/lib.sh
. tests/data/fixture.sh
need build/tools/fault_server >/dev/null || exit 1
N=60000
make_stores "$T" $N
mkdir -p "$T/answers"
lag() { printf '# TYPE replica_lag_seconds gauge\nreplica_lag_seconds %s\n' "$1" >"$T/answers/m.tmp" &&
        mv "$T/answers/m.tmp" "$T/answers/metrics"; }
lag 7.2
pids=()
cleanup_hook() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
}
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
pids+=($!)
P=$(wait_port "$T/fault.out") || { echo "FAIL fault_server did not start"; finish; exit 1; }
# runbook THROTTLE: the fixture's runbook with a metrics system, the
# signal, and the throttle on the backfill step.
runbook() {
  sed -e "s|^## Mapping|## Signals\n- replica_lag: \`replica_lag_seconds\` every 250ms\n\n## Mapping|" \
      -e "s|^- old: sqlite|- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`\n- old: sqlite|" \
      -e "s|copy the history \`backfill\`|copy the history \`backfill\` {throttle=\"$1\"}|" "$T/rb.md"
}
runbook 'replica_lag > 5s' >"$T/th.md"
runbook 'replica_lag >> 5s' >"$T/bad.md"
runbook 'replica_lagg > 5s' >"$T/unknown.md"
runbook 'replica_lag > 5 parsecs' >"$T/unit.md"
line=$(grep -n 'copy the history' "$T/th.md" | cut -d: -f1)
J=$T/th.journal
throttled_like() { [ "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'backfill' AND json_extract(body, '\$.throttled') LIKE '$1'")" -ge "${2:-1}" ]; }
lifted() { [ "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'backfill' AND json_extract(body, '\$.throttled') IS NULL AND seq > (SELECT max(seq) FROM events WHERE json_extract(body, '\$.throttled') IS NOT NULL)")" -ge 1 ]; }
copied() { sql "$T/new.db" "SELECT count(*) FROM orders"; }
gone() { ! kill -0 "$1" 2>/dev/null; }

check "a throttle that is not SIGNAL OP VALUE is refused" expect_exit 1 "$CUTOVER" backfill "$T/bad.md"
check "  … naming FILE:LINE and the syntax" contains "$T/.last" "$T/bad.md:$line: throttle \`replica_lag >> 5s\`: expected SIGNAL OP VALUE"
check "an unknown signal is refused" expect_exit 1 "$CUTOVER" backfill "$T/unknown.md"
check "  … naming it" contains "$T/.last" "$T/unknown.md:$line: throttle \`replica_lagg > 5s\`: unknown signal \`replica_lagg\`"
check "an unknown unit is refused" expect_exit 1 "$CUTOVER" backfill "$T/unit.md"
check "  … naming it" contains "$T/.last" "\`parsecs\` is not a unit"
check "nothing was copied by the refusals" test "$(copied)" = 0

"$CUTOVER" backfill "$T/th.md" --journal "$J" --rate 10000 >"$T/run.out" 2>&1 &
pid=$!
check "over its bound, the job is throttled, the reason journaled in words" \
  wait_for 30 throttled_like 'replica_lag 7.2 s > 5 s'
check "  … for 2 s and more (once a second)" wait_for 30 throttled_like 'replica_lag 7.2 s > 5 s' 3
check "  … and not a row moved" test "$(copied)" = 0
check "  … said on stderr" contains "$T/run.out" "backfill: throttled: replica_lag 7.2 s > 5 s"
lag 1.5
check "under the bound, rows move" wait_for 30 at_least 5000
check "  … and the lift is journaled" lifted
check "  … and said" contains "$T/run.out" "throttle lifted: replica_lag 1.5 s"
printf '# TYPE other gauge\nother 1\n' >"$T/answers/metrics"
check "a signal with no data throttles too, said so" wait_for 30 throttled_like 'replica_lag: no data%'
held=$(copied)
n0=$(sql "$J" "SELECT count(*) FROM events WHERE json_extract(body, '\$.throttled') LIKE 'replica_lag: no data%'")
check "  … while it lasts (2 more journaled reasons)" \
  wait_for 30 throttled_like 'replica_lag: no data%' $((n0 + 2))
check "  … and rows stay put" test "$(copied)" = "$held"
lag 0
check "the signal back under its bound, the copy finishes" wait_for 60 gone $pid
wait $pid; rc=$?
check "  … with exit 0" test "$rc" = 0
check "every row is copied once" test "$(copied)" = $N
check "compare finds old and new the same" expect_exit 0 "$CUTOVER" compare "$T/th.md"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
