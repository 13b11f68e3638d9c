# test_check_stepopts.sh — `cutover check` and `cutover run` judge the
# {key=value} options of the action steps (rate, batch, throttle on a
# `backfill` step; code, capture on a `writers` step) with the parsers the
# jobs use, naming FILE:LINE and what is wanted, instead of letting the job
# refuse them when it starts (in the cockpit: a failed data_job retried
# with back-off); an option the action does not know is a warning. Through
# the real binary; SQLite stores, nothing is copied.
. tests/lib.sh
. tests/data/fixture.sh
make_stores "$T" 10
RB=$T/rb.md
mkdir -p "$T/src"
# The fixture's runbook, with a writers step and a signal for throttles.
cat >>"$RB" <<MD
- [ ] dba: every writer is known \`writers\`
MD
sed -i "s|^- new: sqlite .*|&\n- metrics: prometheus \`http://127.0.0.1:9\`\n\n## Signals\n- replica_lag: \`max(pg_replication_lag_seconds)\`|" "$RB"
line_of() { grep -n -- "$1" "$RB" | head -1 | cut -d: -f1; }
BF=$(line_of 'copy the history'); WR=$(line_of 'every writer is known')

# with STEP_PATTERN ATTRS: the runbook with {ATTRS} on that step, as $T/x.md
with() {
  sed "s|^\(- \[ \] dba: $1.*\`\)\$|\1 {$2}|" "$RB" >"$T/x.md"
}
# refused WHAT LINE TEXT: check exits 1 with "x.md:LINE: …TEXT…"
refused() {
  "$CUTOVER" check "$T/x.md" >"$T/o" 2>&1
  local rc=$?
  [ $rc -eq 1 ] && grep -F -- "$T/x.md:$1: " "$T/o" | grep -qF -- "$2" ||
    { echo "exit $rc"; cat "$T/o"; return 1; }
}
accepted() {
  "$CUTOVER" check "$T/x.md" >"$T/o" 2>&1
  local rc=$?
  [ $rc -eq 0 ] && grep -qF "$T/x.md: ok" "$T/o" || { echo "exit $rc"; cat "$T/o"; return 1; }
}

check "the base runbook checks" expect_exit 0 "$CUTOVER" check "$RB"

with 'every writer is known' 'capture=banana'
check "capture=banana on a writers step is refused at its line" refused "$WR" \
  'step 2.3 (writers): `capture=banana`: expected a duration such as 30s or 10m'
with 'every writer is known' 'capture=0s'
check "capture=0s too (the job wants more than nothing)" refused "$WR" '`capture=0s`: expected a duration'
with 'every writer is known' 'code=nowhere/at/all'
check "code= naming no directory is refused" refused "$WR" \
  '`code=nowhere/at/all`: expected a directory that can be read'
with 'every writer is known' "code=$RB"
check "code= naming a file is refused" refused "$WR" 'expected a directory that can be read'
with 'every writer is known' "code=\"$T/src\" capture=10m"
check "code= a directory and capture=10m are fine" accepted

with 'copy the history' 'rate=banana'
check "rate=banana on a backfill step is refused at its line" refused "$BF" \
  'step 2.1 (backfill): `rate=banana`: expected rows per second'
with 'copy the history' 'rate=-5'
check "a negative rate too" refused "$BF" '`rate=-5`: expected rows per second'
with 'copy the history' 'rate=nan'
check "and nan" refused "$BF" '`rate=nan`'
with 'copy the history' 'rate'
check "a bare rate (no value) too" refused "$BF" '`rate=`: expected rows per second'
with 'copy the history' 'batch=0'
check "batch=0 is refused" refused "$BF" '`batch=0`: expected a number of rows, 1 or more'
with 'copy the history' 'batch=10k'
check "batch=10k too" refused "$BF" '`batch=10k`'
with 'copy the history' 'throttle="replica_lag >> 5s"'
check "a throttle that is not a condition is refused by check" refused "$BF" \
  'throttle `replica_lag >> 5s`: expected SIGNAL OP VALUE'
with 'copy the history' 'throttle="replica_lagg > 5s"'
check "a throttle on an unknown signal too" refused "$BF" "unknown signal \`replica_lagg\`"
with 'copy the history' 'rate=2500 batch=500 throttle="replica_lag > 5s"'
check "rate, batch and throttle that the job takes are fine" accepted

with 'copy the history' 'rate=2500 sample=100'
check "an option the backfill does not know is a warning" accepted
check "  … naming it and what the step takes" contains "$T/o" \
  "$T/x.md:$BF: warning: step 2.1 (backfill): option \`sample\` is not one a backfill step takes (rate, batch, throttle)"
with 'compare' 'batch=10'
check "a backfill's option on a compare step: a warning that says whose it is" accepted
check "  … " contains "$T/o" \
  "warning: step 2.2 (compare): option \`batch\` is not one a compare step takes (none; \`batch\` is a backfill step's)"
with 'copy the history' '#copy any order irreversible needs=writers'
check "the options every step takes are no warning" accepted
check "  … none printed" sh -c "! grep -q warning '$T/o'"

# two problems on two steps: both named, counted
sed "s|^\(- \[ \] dba: copy the history.*\`\)\$|\1 {rate=fast}|; s|^\(- \[ \] dba: every writer.*\`\)\$|\1 {capture=banana}|" "$RB" >"$T/x.md"
check "each bad value is named" refused "$BF" '`rate=fast`'
check "  … the other too" contains "$T/o" "$T/x.md:$WR: "
check "  … and counted" contains "$T/o" "$T/x.md: 2 errors"

# cutover run refuses the same runbook before any console opens
with 'every writer is known' 'capture=banana'
check "run refuses a bad step option before it starts" expect_exit 1 "$CUTOVER" run "$T/x.md" \
  --journal "$T/r.journal" --headless
check "  … naming its line" contains "$T/.last" "$T/x.md:$WR: step 2.3 (writers): \`capture=banana\`"
check "  … and no journal was made" test ! -e "$T/r.journal"

# the commands keep their own words for the same values, from the same parsers
check "backfill --rate banana is refused" expect_exit 2 "$CUTOVER" backfill "$RB" --rate banana
check "  … saying what it wants" contains "$T/.last" "--rate wants rows per second"
check "backfill --batch 10k is refused" expect_exit 2 "$CUTOVER" backfill "$RB" --batch 10k
check "  … saying what it wants" contains "$T/.last" "--batch wants a number of rows, 1 or more, not \`10k\`"
finish
