# test_approve.sh — issue 20, points of no return with two people, through
# the real binary: an {irreversible} step is done only with its owner's
# `cutover ack` AND the commander's `cutover approve`, in either order, from
# two persons (one person holding both roles is refused, in words); both are
# refused while a condition before it is unmet (here: the ramp has not
# reached 100 %), and the commander may override the conditions only with a
# written reason. The rollback plans it voids show in `cutover report`
# (md, json, html).
. tests/lib.sh
. tests/noreturn_lib.sh
J="$T/nr.journal"
RB="$T/nr.md"
write_rb() {   # write_rb FILE DBA-PERSON [RAMP]
cat >"$1" <<MD
# Points of no return

## Roles
- commander: Ana
- dba: $2

$3

## Phase 4: Cutover
- [ ] commander: traffic is on new {#on-new}

## Phase 5: Cleanup
- [ ] dba: take a last snapshot {#snapshot}
- [ ] dba: make old read-only {#readonly-old irreversible}
- [ ] dba: drop the old columns {#drop irreversible}
- [ ] dba: write it up {#writeup}

## Rollback
### Phase 4
Flip the flag back to 0%.
### Phase 5
Restore writes on old from the snapshot.
MD
}

write_rb "$RB" Bo
check "the runbook checks" expect_exit 0 "$CUTOVER" check "$RB"
start "$RB" "$J"
check "an approval before the step is reached is refused (exit 1)" expect_exit 1 approve readonly-old Ana commander
check "  … naming the open step above it" contains "$T/out" "step readonly-old is not reached: phase 4 (Cutover) is not finished yet"
ack on-new Ana commander
ack snapshot Bo dba
check "the dba may not approve (exit 1)" expect_exit 1 approve readonly-old Bo dba
check "  … only the commander approves" contains "$T/out" "only the commander approves an irreversible step"
check "a step that is not irreversible needs no approval (exit 1)" expect_exit 1 approve writeup Ana commander
check "  … said so" contains "$T/out" "step writeup is not {irreversible}"
check "the owner's ack of the irreversible step is taken (exit 0)" expect_exit 0 ack readonly-old Bo dba
check "  … and it says it waits for the commander" contains "$T/out" "it is irreversible and waits for the commander's approval"
check "the step is not done on the owner's ack alone: the next step is refused" expect_exit 1 ack drop Bo dba
check "  … because readonly-old is still open" contains "$T/out" "step drop comes after step readonly-old"
check "a second ack by the owner is refused, waiting for the approval" expect_exit 1 ack readonly-old Bo dba
check "  … in words" contains "$T/out" "waits for the commander's approval"
check "the commander approves (exit 0)" expect_exit 0 approve readonly-old Ana commander
check "  … and the step is done: NO WAY BACK" contains "$T/out" "done (acknowledged by Bo (dba)); NO WAY BACK"
check "the approval is journaled as approve, by the commander" \
  test "$(sql "$J" "select count(*) from events where kind='approve' and json_extract(body,'\$.step')='readonly-old' and json_extract(body,'\$.name')='Ana'")" = 1
check "a second approval is refused" expect_exit 1 approve readonly-old Ana commander
# either order: the commander approves first, the owner's ack completes it
check "the next irreversible step is approved first (exit 0)" expect_exit 0 approve drop Ana commander
check "  … it waits for its owner" contains "$T/out" "it waits for its owner's acknowledgement"
check "the owner's ack then completes it (exit 0)" expect_exit 0 ack drop Bo dba
check "the step after it is open now" expect_exit 0 ack writeup Bo dba

"$CUTOVER" report "$J" >"$T/report.md"
check "the report (md) lists the void rollback plans" contains "$T/report.md" "## Void rollback plans"
check "  … phase 4's plan voided by the step taken" contains "$T/report.md" "| 4 | Cutover | step readonly-old (make old read-only) was taken |"
check "  … and phase 5's" contains "$T/report.md" "| 5 | Cleanup | step"
"$CUTOVER" report "$J" --format json >"$T/report.json"
check "the report (json) has void_plans for phases 4 and 5" \
  test "$(python3 -c 'import json,sys; print(",".join(p["phase"] for p in json.load(open(sys.argv[1]))["void_plans"]))' "$T/report.json")" = "4,5"
"$CUTOVER" report "$J" --format html >"$T/report.html"
check "the report (html) says it too" contains "$T/report.html" "<h2>Void rollback plans</h2>"

# one person in both roles
J="$T/one.journal"
write_rb "$T/one.md" Ana
sed -i 's/{#drop irreversible}/{#drop irreversible any order}/' "$T/one.md"
"$CUTOVER" check "$T/one.md" >"$T/check.out" 2>&1
check "check warns that one person holds both halves" \
  contains "$T/check.out" "one.md:14: warning: step \`readonly-old\` is {irreversible}: it needs its owner's ack and the commander's approval from two people, but Ana holds both dba and commander"
start "$T/one.md" "$J"
ack on-new Ana commander
ack snapshot Ana dba
check "one person's ack as the owner is taken" expect_exit 0 ack readonly-old Ana dba
check "the same person's approval as the commander is refused (exit 1)" expect_exit 1 approve readonly-old Ana commander
check "  … in words: two people" contains "$T/out" "needs two people: Ana acknowledged it as dba, so Ana may not also approve it as the commander"
check "  … journaled as a refusal" \
  test "$(sql "$J" "select count(*) from events where kind='ack_refused' and json_extract(body,'\$.reason') like 'approval: %two people%'")" = 1
check "  … and the step stays open: the last step is refused" expect_exit 1 ack writeup Ana dba
check "  … because readonly-old is not done" contains "$T/out" "step writeup comes after step readonly-old"
check "the other order: the same person approves first (drop may be taken in any order) (exit 0)" \
  expect_exit 0 approve drop Ana commander
check "  … then their ack as the owner is refused (exit 1)" expect_exit 1 ack drop Ana dba
check "  … in words: two people" contains "$T/out" "needs two people: Ana approved it as the commander, so Ana may not also acknowledge it as its owner"
"$CUTOVER" report "$J" --format json >"$T/one.json"
check "  … (no plan is void: nothing was taken)" \
  test "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["void_plans"]))' "$T/one.json")" = 0

# a condition unmet: the ramp has not reached 100 %; the commander's override
J="$T/ramp.journal"
write_rb "$T/ramp.md" Bo "## Systems
- metrics: scrape \`http://127.0.0.1:9/metrics\`
- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 1s

## Abort criteria
- abort if error_ratio > 1%

## Ramp
- 5% for 1h
- 100%

Monitoring: 30m"
# the ramp step opens phase 5; the irreversible step may be taken in any
# order after it, so only its conditions hold it
python3 - "$T/ramp.md" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("## Phase 5: Cleanup\n", "## Phase 5: Cleanup\n- [ ] commander: ramp `ramp`\n", 1)
s = s.replace("{#readonly-old irreversible}", "{#readonly-old irreversible any order}")
open(p, "w").write(s)
PY
check "  … with the ramp step in phase 5 it checks" expect_exit 0 "$CUTOVER" check "$T/ramp.md"
start "$T/ramp.md" "$J"
ack on-new Ana commander
ack snapshot Bo dba
check "with the ramp not at 100% the owner's ack is refused" expect_exit 1 ack readonly-old Bo dba
check "  … naming the condition" contains "$T/out" "irreversible: it waits for the ramp to hold at 100%"
check "  … and the criterion" contains "$T/out" 'criterion "abort if error_ratio > 1%" is not clear (no data)' 
check "  … and the monitoring period" contains "$T/out" "the monitoring period of 30m at 100% has not begun"
check "the commander's approval is refused too" expect_exit 1 approve readonly-old Ana commander
check "  … naming the condition" contains "$T/out" "it waits for the ramp to hold at 100%"
check "an override without a reason is refused" \
  expect_exit 1 "$CUTOVER" approve "$J" readonly-old --override --as Ana --role commander
check "  … it needs a written reason" contains "$T/.last" "an override needs a written reason"
check "an override by the dba is refused" \
  expect_exit 1 "$CUTOVER" approve "$J" readonly-old --override --reason "trust me" --as Bo --role dba
check "the commander overrides with a written reason (RUNBOOK --journal J form)" \
  expect_exit 0 "$CUTOVER" approve "$T/ramp.md" --journal "$J" readonly-old --override --reason "ramp held by hand at 100% for 2h, see the dashboard" --as Ana --role commander
check "  … journaled as an override of guard noreturn:readonly-old" \
  test "$(sql "$J" "select count(*) from events where kind='override' and json_extract(body,'\$.guard')='noreturn:readonly-old' and json_extract(body,'\$.failed') like '%ramp to hold%'")" = 1
check "then the owner's ack is taken" expect_exit 0 ack readonly-old Bo dba
check "and the commander's approval completes it" expect_exit 0 approve readonly-old Ana commander
check "another runbook with --journal is refused" \
  expect_exit 1 "$CUTOVER" approve "$RB" --journal "$J" drop --as Ana --role commander

check "no arguments: usage (exit 2)" expect_exit 2 "$CUTOVER" approve
check "--journal J STEP (no RUNBOOK) is read as the journal's step" \
  expect_exit 1 "$CUTOVER" approve --journal "$J" writeup --as Ana --role commander
check "  … (refused: writeup is not irreversible)" contains "$T/.last" "step writeup is not {irreversible}"

printf '# M\n\n## Roles\n- commander: A\n\n## Ramp\n- 100%%\n\nMonitoring: soon\n\n## Phase 1: P\n- [ ] commander: x\n' >"$T/bad.md"
"$CUTOVER" check "$T/bad.md" >"$T/bad.out" 2>&1
check "a bad Monitoring: line names FILE:LINE" contains "$T/bad.out" "bad.md:9: expected \`Monitoring: DURATION\`"
finish
