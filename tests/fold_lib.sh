# fold_lib.sh — what the fold suites share (sourced after lib.sh and
# wait.sh): a service whose metrics the test sets (an error ratio and the
# share of traffic on new), a ramp runbook over it, and the comparison of
# a live console's fold trace with a refold of the journal.
need build/tools/fault_server build/tools/fold_trace build/tools/journal_put >/dev/null || exit 1
mkdir -p "$T/answers"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill -CONT "$fault" 2>/dev/null; kill "$fault" 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
wait_until 5 grep -q port "$T/fault.out"
P=$(sed -n 's/^port //p' "$T/fault.out")
FOLD=$ROOT/build/tools/fold_trace
PUT=${JOURNAL_PUT:-$ROOT/build/tools/journal_put}

# metrics ERROR_RATIO SHARE: what the service exposes from now on
metrics() {
  printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n# TYPE app_share gauge\napp_share %s\n' \
    "$1" "$2" >"$T/answers/m.tmp"
  mv "$T/answers/m.tmp" "$T/answers/metrics"
}

# runbook FILE FLAGFILE ERROR_EVERY RAMP: an automatic ramp (RAMP: its
# lines, and an Observed paragraph if wanted) under one abort criterion
runbook() {
cat >"$1" <<EOF2
# History test

## Roles
- commander: Alice Ng
- dba: Bob Ruiz

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$2\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every $3
- share: \`max(app_share)\` every 250ms

## Abort criteria
- abort if error_ratio > 1% for 5s

## Ramp
$4

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Flip \`orders-read-new\` back to 0%.
EOF2
}

# at_least N QUERY: true once the count QUERY gives in journal $J is N or more
at_least() { [ "$(sql "$J" "$2" 2>/dev/null || echo 0)" -ge "$1" ]; }

# compare_trace LIVE [MAX_EVENT MAX_SAMPLE]: the live console's trace, at
# every position of the journal $J it reached up to the limits, equals the
# refold's line there. The last line it wrote for a position counts: a
# console that folded its own queued rows before another's row that the
# journal put first makes its fold again (ceremony_refresh: from the fold
# of what is written, or from scratch) and writes them again; lines that
# start with # are its comments on that; the
# positions it held only for that while are counted, not compared.
compare_trace() {
  "$FOLD" "$J" >"$T/refold.trace" || return 1
  awk -v maxe="${2:-999999999}" -v maxs="${3:-999999999}" '
    FNR == NR { want[$1 " " $2] = $0; next }
    /^#/ { next }   # a console'"'"'s comment: a restore or a refold
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
