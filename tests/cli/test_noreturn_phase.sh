# test_noreturn_phase.sh — issue 20, a phase marked {irreversible}, through
# the real binary: its last step closes it (the phase burns the way back
# when it completes), so that step is a point of no return like any
# {irreversible} step: its owner's `cutover ack` AND the commander's
# `cutover approve`, from two persons, with the same conditions and the
# same override. The closing step is reached only once every other step of
# the phase is done (an {any order} one too), and `check` refuses a closing
# step that completes itself (an action) or says {any order}.
. tests/lib.sh
. tests/noreturn_lib.sh
J="$T/ph.journal"
RB="$T/ph.md"
write_rb() {   # write_rb FILE DBA-PERSON
cat >"$1" <<MD
# An irreversible phase

## Roles
- commander: Ana
- dba: $2

## Phase 4: Cutover
- [ ] commander: traffic is on new {#on-new}

## Phase 5: Cleanup {irreversible}
- [ ] dba: take a last snapshot {#snapshot}
- [ ] dba: note the row counts {#counts any order}
- [ ] dba: make old read-only {#readonly-old}

## Phase 6: Afterwards {readonly}
- [ ] commander: write it up {#writeup}

## Rollback
### Phase 4
Flip the flag back to 0%.
### Phase 5
Restore writes on old from the snapshot.
MD
}
no_way_back() {   # what the report's JSON says was burnt ("" while nothing)
  "$CUTOVER" report "$J" --format json |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("no_way_back") or "")'
}

write_rb "$RB" Bo
check "the runbook checks" expect_exit 0 "$CUTOVER" check "$RB"
start "$RB" "$J" || exit 1
ack on-new Ana commander
ack snapshot Bo dba
check "the closing step waits for the phase's {any order} step (exit 1)" expect_exit 1 ack readonly-old Bo dba
check "  … naming it" contains "$T/out" "step readonly-old comes after step counts"
ack counts Bo dba
check "the owner's ack of the closing step is taken (exit 0)" expect_exit 0 ack readonly-old Bo dba
check "  … and it waits for the commander's approval" contains "$T/out" "waits for the commander's approval"
check "one person's ack does not complete the irreversible phase: no way back is not burnt" \
  test -z "$(no_way_back)"
check "  … and the next phase is still closed" expect_exit 1 ack writeup Ana commander
check "the commander approves (exit 0)" expect_exit 0 approve readonly-old Ana commander
check "  … the step is done: NO WAY BACK" contains "$T/out" "NO WAY BACK"
check "the report names the phase as the point of no return" \
  test "$(no_way_back)" = "phase 5 (Cleanup)"
check "the next phase opens" expect_exit 0 ack writeup Ana commander

# one person in both roles: the phase cannot be closed by them alone
J="$T/one.journal"
write_rb "$T/one.md" Ana
"$CUTOVER" check "$T/one.md" >"$T/check.out" 2>&1
check "check warns that one person holds both halves of the closing step" \
  contains "$T/check.out" "one.md:13: warning: step \`readonly-old\` closes phase 5, which is {irreversible}: it needs its owner's ack and the commander's approval from two people, but Ana holds both dba and commander"
start "$T/one.md" "$J" || exit 1
ack on-new Ana commander
ack snapshot Ana dba
ack counts Ana dba
check "one person's ack as the owner is taken" expect_exit 0 ack readonly-old Ana dba
check "the same person's approval as the commander is refused (exit 1)" expect_exit 1 approve readonly-old Ana commander
check "  … in words: two people" contains "$T/out" "needs two people: Ana acknowledged it as dba, so Ana may not also approve it as the commander"
check "  … and the phase stays open: nothing burnt" test -z "$(no_way_back)"

# a condition unmet: an exit gate of the phase that has no verdict
J="$T/gate.journal"
write_rb "$T/gate.md" Bo
sed -i 's/^## Phase 5: Cleanup {irreversible}/## Phase 5: Cleanup {irreversible} {gate: error_ratio < 1% for 1h}/' "$T/gate.md"
sed -i 's/^## Phase 4: Cutover/## Systems\n- metrics: scrape `http:\/\/127.0.0.1:9\/metrics`\n\n## Signals\n- error_ratio: `max(app_error_ratio)` every 1s\n\n## Phase 4: Cutover/' "$T/gate.md"
check "  … a gated irreversible phase checks" expect_exit 0 "$CUTOVER" check "$T/gate.md"
start "$T/gate.md" "$J" || exit 1
ack on-new Ana commander
ack snapshot Bo dba
ack counts Bo dba
check "with the phase's exit gate closed the owner's ack is refused" expect_exit 1 ack readonly-old Bo dba
check "  … naming the phase and the gate" contains "$T/out" "step readonly-old closes phase 5, which is irreversible:"
check "the commander overrides the conditions with a written reason" \
  expect_exit 0 "$CUTOVER" approve "$J" readonly-old --override --reason "error ratio watched by hand for 2h" --as Ana --role commander
check "  … journaled as an override of guard noreturn:readonly-old" \
  test "$(sql "$J" "select count(*) from events where kind='override' and json_extract(body,'\$.guard')='noreturn:readonly-old'")" = 1

# what check refuses: a closing step that completes itself, or is {any order}
sed 's/{#readonly-old}/{#readonly-old any order}/' "$RB" >"$T/anyorder.md"
"$CUTOVER" check "$T/anyorder.md" >"$T/check.out" 2>&1
check "a closing step marked {any order} is an error (exit 1)" test $? = 1
check "  … at its line" contains "$T/check.out" "anyorder.md:13: step \`readonly-old\` closes phase 5, which is {irreversible}: it may not be {any order}"
printf '# M\n\n## Roles\n- commander: A\n- dba: B\n\n## Systems\n- old: sqlite `o.db` table `t` key `id`\n- new: sqlite `n.db` table `t` key `id`\n\n## Phase 1: P {irreversible}\n- [ ] dba: copy `backfill`\n' >"$T/action.md"
"$CUTOVER" check "$T/action.md" >"$T/check.out" 2>&1
check "a closing step with an action is an error" contains "$T/check.out" "action.md:12: step \`1.1\` closes phase 1, which is {irreversible}: it completes itself"
finish
