# test_action_steps.sh — steps that are gates (issue 17): a step with an
# action is done when its action is, never by a key. On main `cutover ack`
# of the `ramp` step at 0% completed its phase with no traffic moved; here
# it is refused with the words saying what completes it. A `preflight`
# step completes when `cutover preflight --journal` passes, a `backfill`
# step when `cutover backfill --journal` finishes, a `compare` step when
# `cutover compare --journal` finds no divergence (a diverged compare
# completes nothing); the commander may complete those three by override
# with a written reason (`cutover ack --override --reason`), never the
# ramp step. Through the real binary; the ramp reaching 100% on screen is
# in tests/tui/test_action_steps.sh.
. tests/lib.sh
. tests/data/fixture.sh

# --- the ramp step: refused at 0%, and never overridden ----------------------
RB=$T/ramp.md J=$T/ramp.journal
printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}' >"$T/flags.json"
cat >"$RB" <<MD
# Ramp steps

## Roles
- commander: Ana
- flags: Cy

## Systems
- metrics: scrape \`http://127.0.0.1:9/metrics\`
- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`

## Signals
- err: \`max(app_error_ratio)\`

## Abort criteria
- abort if err > 1%

## Ramp
- 1% for 1m
- 100%

## Phase 1: Cutover
- [ ] commander: go / no-go {#go}
- [ ] flags: ramp reads to new \`ramp\` {#ramp}
- [ ] commander: announce the end {#end}

## Phase 2: Cleanup
- [ ] flags: archive the flag {#archive}

## Rollback
### Phase 1
Set the flag back to 0%.
### Phase 2
Nothing to undo.
MD
ack() { "$CUTOVER" ack "$J" "$@" >"$T/ack.out" 2>&1; }
# opened: a headless console writes the journal's runbook, then leaves
opened() {
  rm -f "$T/run.out"   # the last run's console_open is not this one's
  "$CUTOVER" run "$1" --journal "$2" --headless >"$T/run.out" 2>&1 &
  local pid=$!
  wait_for 30 grep -q console_open "$T/run.out"
  local rc=$?
  kill -TERM $pid; wait $pid
  return $rc
}
check "the ramp runbook checks" expect_exit 0 "$CUTOVER" check "$RB"
check "a headless console opens its journal" opened "$RB" "$J"
check "go / no-go is acknowledged by hand" expect_exit 0 ack go --as Ana --role commander
check "the ramp step is not acknowledged at 0% (exit 1)" expect_exit 1 ack ramp --as Cy --role flags
check "  … the refusal says what completes it" \
  contains "$T/ack.out" "step ramp completes itself when the ramp reaches 100 %"
check "  … and is journaled" \
  test "$(sql "$J" "select count(*) from events where kind='ack_refused' and json_extract(body,'\$.step')='ramp'")" = 1
check "the phase stays open: the step after the ramp is refused" expect_exit 1 ack end --as Ana --role commander
check "  … naming the ramp step" contains "$T/ack.out" "comes after step ramp"
check "Cleanup is not current" expect_exit 1 ack archive --as Cy --role flags
check "the commander cannot override the ramp step complete" \
  expect_exit 1 ack ramp --as Ana --role commander --override --reason "we are sure"
check "  … traffic either moved or not" contains "$T/ack.out" "traffic either moved or not"
check "no override was journaled" test "$(sql "$J" "select count(*) from events where kind='override'")" = 0

# --- preflight, backfill, compare -------------------------------------------
make_stores "$T" 200
RB=$T/rb.md J=$T/data.journal
sed -i '/^## Phase 2/,$d' "$RB"
cat >>"$RB" <<'MD'
## Phase 1: Prepare
- [ ] dba: ask every store once `preflight` {#preflight}
- [ ] dba: copy the history `backfill` {#backfill}
- [ ] dba: compare old and new `compare` {#compare}
- [ ] commander: sign off {#signoff}

## Rollback
### Phase 1
Nothing moved.
MD
check "the data runbook checks" expect_exit 0 "$CUTOVER" check "$RB"
check "a headless console opens its journal" opened "$RB" "$J"
check "the preflight step is not acknowledged by hand" expect_exit 1 ack preflight --as Bo --role dba
check "  … it completes when cutover preflight passes" \
  contains "$T/ack.out" "step preflight completes itself when \`cutover preflight\` passes"
mv "$T/new.db" "$T/new.db.away"
check "a failing preflight exits 1" expect_exit 1 "$CUTOVER" preflight "$RB" --journal "$J"
mv "$T/new.db.away" "$T/new.db"
check "  … and is journaled as failed" \
  test "$(sql "$J" "select json_extract(body,'\$.passed') from events where kind='preflight'")" = 0
check "  … which completes nothing" expect_exit 1 ack preflight --as Bo --role dba
check "  … (still open)" contains "$T/ack.out" "completes itself when"
check "a passing preflight exits 0" expect_exit 0 "$CUTOVER" preflight "$RB" --journal "$J"
check "  … and journals that it passed" contains "$T/.last" "preflight: journaled in"
check "the preflight step is done, by the engine" expect_exit 1 ack preflight --as Bo --role dba
check "  … (already)" contains "$T/ack.out" "already acknowledged by cutover"

check "the backfill step is not acknowledged by hand" expect_exit 1 ack backfill --as Bo --role dba
check "  … it completes when cutover backfill finishes, or by the commander's override" \
  contains "$T/ack.out" "completes itself when \`cutover backfill\` finishes; the commander may complete it with an override and a written reason"
check "cutover backfill --journal copies everything" expect_exit 0 "$CUTOVER" backfill "$RB" --journal "$J"
check "the backfill step is done, by the engine" expect_exit 1 ack backfill --as Bo --role dba
check "  … (already)" contains "$T/ack.out" "already acknowledged by cutover"

sql "$T/new.db" "UPDATE orders SET customer = 'someone else' WHERE id = 7"
check "a compare that diverges exits 3" expect_exit 3 "$CUTOVER" compare "$RB" --journal "$J"
check "  … and does not complete the compare step" expect_exit 1 ack compare --as Bo --role dba
check "  … (still open)" contains "$T/ack.out" "completes itself when \`cutover compare\` finds no divergence"
check "sign-off waits for the compare step" expect_exit 1 ack signoff --as Ana --role commander
check "  … naming it" contains "$T/ack.out" "comes after step compare"
check "a step without an action is not completed by override" \
  expect_exit 1 ack signoff --as Ana --role commander --override --reason "why not"
check "only the commander overrides" expect_exit 1 ack compare --as Bo --role dba --override --reason "fine"
check "  … says so" contains "$T/ack.out" "only the commander completes a step by override"
check "an override needs a written reason" expect_exit 1 ack compare --as Ana --role commander --override
check "  … says so" contains "$T/ack.out" "needs a written reason"
check "the commander completes the compare step by override, with a reason" \
  expect_exit 0 ack compare --as Ana --role commander --override --reason "row 7 is a known test order"
check "  … journaled as an override of guard step:compare with the reason" \
  test "$(sql "$J" "select json_extract(body,'\$.guard') || '|' || json_extract(body,'\$.reason') from events where kind='override'")" = "step:compare|row 7 is a known test order"
check "  … the step is done" expect_exit 1 ack compare --as Bo --role dba
check "  … (already)" contains "$T/ack.out" "already acknowledged by Ana"
check "sign-off follows" expect_exit 0 ack signoff --as Ana --role commander
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
