# test_step_order.sh — steps are gates in their order: within a phase a
# step is acknowledged only after the steps above it (on main, a phase's
# steps could be taken in any order: comms acknowledged the end of the
# cutover first), except a step marked {any order}, which may be taken
# at any time in its phase and holds back nothing. Through the real binary.
. tests/lib.sh
J="$T/order.journal"
RB="$T/order.md"
cat >"$RB" <<'MD'
# Step order

## Roles
- commander: Ana
- dba: Bo

## Phase 1: Prepare {readonly}
- [ ] dba: audit the writers {#audit}
- [ ] dba: read the dashboard when you like {#dash any order}
- [ ] dba: announce the freeze {#freeze}
- [ ] commander: go / no-go {#go}

## Phase 2: Done {readonly}
- [ ] commander: close {#close}
MD
ack() { "$CUTOVER" ack "$J" "$1" --as "$2" --role "$3" >"$T/ack.out" 2>&1; }

check "the runbook checks" expect_exit 0 "$CUTOVER" check "$RB"
"$CUTOVER" run "$RB" --journal "$J" --headless >"$T/run.out" 2>&1 &
pid=$!
check "a headless console starts the journal" wait_for 30 grep -q console_open "$T/run.out"
kill -TERM $pid; wait $pid

check "a step before the one above it is refused (exit 1)" expect_exit 1 ack freeze Bo dba
check "  … naming the open step above it" \
  contains "$T/ack.out" "step freeze comes after step audit (dba: audit the writers), which is not acknowledged yet"
check "the commander's go/no-go waits for the dba's steps too" expect_exit 1 ack go Ana commander
check "an {any order} step is taken before the steps above it" expect_exit 0 ack dash Bo dba
check "the first step is taken" expect_exit 0 ack audit Bo dba
check "then the next in order" expect_exit 0 ack freeze Bo dba
check "then go / no-go" expect_exit 0 ack go Ana commander
check "the next phase opens after" expect_exit 0 ack close Ana commander
check "the refusals are journaled" \
  test "$(sql "$J" "select count(*) from events where kind='ack_refused'")" = 2
finish
