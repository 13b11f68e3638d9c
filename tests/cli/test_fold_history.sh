# test_fold_history.sh — one history, and the criteria inside the fold,
# through the real binary:
#   1. an advance 1 → 5 % with the observed share lagging behind: no action
#      live, and none after a kill -9 and a restart, nor in a joined console
#      (before, the restart folded every event before every sample and
#      halted: "the flag says 5% but 1.0%");
#   2. kill -9 while a criterion is *no data* (its signal stale), then good
#      samples: the restarted console journals the criterion ok and the
#      ramp goes on (before, the rebuilt memory said ok, the journal no
#      data, and nothing moved);
#   3. live equals refold: every console here writes its fold's state after
#      every fold step (CUTOVER_FOLD_TRACE), and a refold of the journal
#      from scratch (build/tools/fold_trace) gives the same state at every
#      position, including staleness, an abort and its resume.
. tests/lib.sh
. tests/wait.sh
make -s build/tools/fault_server build/tools/fold_trace >/dev/null || exit 1
mkdir -p "$T/answers"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill -CONT "$fault" 2>/dev/null; kill "$fault" 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
wait_until 5 grep -q port "$T/fault.out"
P=$(sed -n 's/^port //p' "$T/fault.out")
# metrics ERROR_RATIO SHARE: what the service exposes from now on
metrics() {
  printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n# TYPE app_share gauge\napp_share %s\n' \
    "$1" "$2" >"$T/answers/m.tmp"
  mv "$T/answers/m.tmp" "$T/answers/metrics"
}
FOLD=$ROOT/build/tools/fold_trace

runbook() {  # runbook FILE FLAGFILE
cat >"$1" <<EOF2
# History test

## Roles
- commander: Alice Ng
- dba: Bob Ruiz

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$2\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 250ms
- share: \`max(app_share)\` every 250ms

## Abort criteria
- abort if error_ratio > 1% for 5s

## Ramp
- 1% for 8s
- 5% for 3s
- 100%

Mode: automatic

Observed: share within 1 points for 5s

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Flip \`orders-read-new\` back to 0%.
EOF2
}

# compare_trace LIVE [MAX_EVENT MAX_SAMPLE]: the live console's trace, at
# every position of the journal it reached up to the limits, equals the
# refold's line there. The last line it wrote for a position counts: a
# console that folded its own queued rows before another's row that the
# journal put first refolds (ceremony_refresh) and writes them again; the
# positions it held only for that while are counted, not compared.
compare_trace() {
  "$FOLD" "$J" >"$T/refold.trace" || return 1
  awk -v maxe="${2:-999999999}" -v maxs="${3:-999999999}" '
    FNR == NR { want[$1 " " $2] = $0; next }
    { e = substr($1, 2) + 0; s = substr($2, 2) + 0
      if (e <= maxe && s <= maxs) got[$1 " " $2] = $0 }
    END {
      for (k in got) {
        n++
        if (!(k in want)) { transient++; n-- }
        else if (want[k] != got[k]) { print "live:   " got[k]; print "refold: " want[k]; bad++ }
      }
      printf "%d positions compared, %d differ, %d held only for a while\n", n, bad, transient
      exit (bad > 0 || n < 10)
    }' "$T/refold.trace" "$1"
}

# 1. Observed lag across an advance; kill -9 while the share still lags,
#    a joined console, a restart. The share has said 1% for the whole
#    8 s hold: folded after the advance (every event, then every sample)
#    it disagrees since the hold began, past the 5 s allowed, and halts.
#    (On the wall clock: a test clock starts again with each process.)
J="$T/lag.journal"
runbook "$T/lag.md" "$T/lag-flags.json"
metrics 0 0.01
CUTOVER_FOLD_TRACE="$T/lag1.trace" "$CUTOVER" run "$T/lag.md" --journal "$J" --headless >"$T/lag1.out" 2>&1 &
pid=$!
wait_until 60 grep -q "flag reads 5% (advance)" "$T/lag1.out"
# at_least N QUERY: true once the journal's count says N or more
at_least() { [ "$(sql "$J" "$2" 2>/dev/null || echo 0)" -ge "$1" ]; }
# the service follows the flag late: the share says 1% a while longer
wait_until 30 at_least 3 "select count(*) from samples where signal='share' and ts_ms > (select max(ts_ms) from events where kind='ramp_advance')"
CUTOVER_FOLD_TRACE="$T/join.trace" "$CUTOVER" join "$J" --as "Bob Ruiz" --role dba --headless >"$T/join.out" 2>&1 &
jpid=$!
wait_until 30 grep -q "console_open" "$T/join.out"
kill -9 $pid; wait $pid 2>/dev/null
check "the first console is killed while the share lags" wait_for 10 sh -c '! kill -0 "$0" 2>/dev/null' "$pid"
check "live: the lag after the advance was no action (no halt)" \
  test "$(sql "$J" "select count(*) from events where kind='halt'")" = 0
last_e=$(sql "$J" "select max(seq) from events") last_s=$(sql "$J" "select max(seq) from samples")
check "live equals refold, at every position of the first console" compare_trace "$T/lag1.trace" "$last_e" "$last_s"
metrics 0 0.05
CUTOVER_FOLD_TRACE="$T/lag2.trace" timeout 60 "$CUTOVER" run "$T/lag.md" --journal "$J" --headless >"$T/lag2.out" 2>&1
rc=$?
check "after the kill -9 the restarted console finishes the ramp (exit 0, was $rc)" test $rc -eq 0
check "… without a halt" test "$(sql "$J" "select count(*) from events where kind='halt'")" = 0
check "… through 1, 5, 100" \
  test "$(sql "$J" "select group_concat(json_extract(body,'\$.percent'),',') from events where kind='ramp_advance'")" = "1,5,100"
check "the restarted console's fold equals the refold" compare_trace "$T/lag2.trace"
kill -TERM $jpid 2>/dev/null; wait $jpid 2>/dev/null
check "the joined console's fold equals the refold" compare_trace "$T/join.trace"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
