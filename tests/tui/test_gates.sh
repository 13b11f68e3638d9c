# test_gates.sh — issue 17, "Measurable steps are measured" and "Exit gates
# over a full business cycle", in tmux through the binary. The signal comes
# from a metrics file this suite writes (fault_server /file). A step gated
# `x < 1% for 20s, gaps up to 5s` (on the test clock ×5 a loaded machine
# can stretch a 250 ms poll past the default 750 ms gap) is refused while
# x breaches (the refusal names the value) and taken once x has held for
# the window; the phase's exit gate
# `y < 0.1% over 1h` has only this run's samples in the journal, so it is
# INSUFFICIENT with the share covered: the next phase's step is refused
# naming the gate, until the commander overrides it with a written reason
# (o), which the journal keeps. The live console's fold, gates included,
# is the journal's refold. The console runs on the test clock at ×5.
. tests/lib.sh
. tests/wait.sh
. tests/fold_lib.sh   # the service whose metrics this suite sets; compare_trace
SCALE=5
metrics 0.05 0   # x (app_error_ratio) breaches; y (app_share) holds
cat >"$T/gates.md" <<EOF2
# Gates

## Roles
- commander: Alice Ng
- dba: Bob Li

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`

## Signals
- x: \`max(app_error_ratio)\` every 250ms
- y: \`max(app_share)\` every 250ms

## Phase 1: Dual-write {gate: y < 0.1% over 1h}
- [ ] commander: failure rate under 1% for 20s {gate: x < 1% for 20s, gaps up to 5s}

## Phase 2: Shadow reads
- [ ] commander: start the shadow reads

## Rollback
### Phase 1
Nothing to undo.
### Phase 2
Nothing to undo.
EOF2
J=$T/g.journal
check "the runbook with gates is sound" expect_exit 0 "$CUTOVER" check "$T/gates.md"
tmux_start t 120 40 "CUTOVER_FOLD_TRACE=$T/live.trace CUTOVER_TIME_SCALE=$SCALE $CUTOVER run $T/gates.md --journal $J"

# 1. a step's `for` gate
check "the step's gate is CLOSED while x breaches, with when it can open" \
  wait_screen t "↳ gate CLOSED · opens" 30
check "… with the worst value in %" wait_screen t "· worst 5 % ·" 5
tmux_keys t a
check "a on the gated step is refused, naming the value" \
  wait_screen t "refused: gate gate:1.1 (x < 1% for 20s, gaps up to 5s) is closed: x = 5 %" 20
check "the refusal is journaled" \
  wait_until 10 journal_has "$J" "kind='ack_refused' and instr(json_extract(body,'\$.reason'), 'x = 5 %') > 0"
metrics 0.002 0
check "once x has held for the window the gate is OPEN" wait_screen t "↳ gate OPEN · worst 0.2 %" 40
tmux_keys t a
check "a is accepted once the gate holds" wait_screen t "step 1.1 acknowledged by Alice Ng" 20

# 2. the phase's `over` gate with the journal's samples
check "the exit gate is INSUFFICIENT, with the share covered" \
  wait_screen t "↳ gate INSUFFICIENT" 40
check "the share covered is shown" sh -c "grep -E 'INSUFFICIENT [0-9]+% covered' '$T/screen'"
check "the phase heading says its gate holds it" wait_screen t "1/1 held by its gate" 5
tmux_keys t j a
check "the next phase's step is refused naming the exit gate" \
  wait_screen t "refused: phase 1 (Dual-write) cannot complete: gate gate:phase1" 20
check "the phase is not complete in the journal's eyes" \
  test "$(journal_count "$J" "kind='ack' and json_extract(body,'\$.step')='2.1'")" = 0
check "a non-commander cannot override it (cutover ack --override-gate)" \
  expect_exit 1 "$CUTOVER" ack "$J" --override-gate phase1 --reason "no" --as "Bob Li" --role dba
check "the refusal says who may" contains "$T/.last" "only the commander may override a gate"

# 3. the commander's override, with a written reason
tmux_keys t o
check "o asks for the reason to override the gate" \
  wait_screen t "override gate:phase1 (INSUFFICIENT) — the reason (journaled)" 10
tmux_keys t "seven days checked in Grafana by hand" Enter
check "the override is journaled with its guard and reason" \
  wait_until 10 journal_has "$J" "kind='override' and json_extract(body,'\$.guard')='gate:phase1' and json_extract(body,'\$.reason')='seven days checked in Grafana by hand' and actor='Alice Ng/commander'"
check "the panel says OVERRIDDEN" wait_screen t "↳ gate OVERRIDDEN by Alice Ng/commander" 10
tmux_keys t a
check "the next phase's step is accepted after the override" \
  wait_screen t "step 2.1 acknowledged by Alice Ng" 20
check "an override twice is refused" \
  expect_exit 1 "$CUTOVER" ack "$J" --override-gate gate:phase1 --reason "again" --as "Alice Ng" --role commander
check "… saying it was overridden already" contains "$T/.last" "was overridden already"
check "a gate that is not in the runbook is refused" \
  expect_exit 1 "$CUTOVER" ack "$J" --override-gate phase7 --reason "r" --as "Alice Ng" --role commander
check "… by name" contains "$T/.last" "there is no gate 'phase7' in the runbook"
check "only one override is journaled" test "$(journal_count "$J" "kind='override'")" = 1
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"

# the same picture on a joined console at 80×24
tmux_start j 80 24 "$CUTOVER join $J --as 'Bob Li' --role dba"
check "at 80×24 a joined console shows the gates from the journal" wait_screen j "↳ gate OVERRIDDEN" 20
tmux_keys j q
tmux_keys t q
# on failure, what the console was doing (its process, the journal's last
# events, its status line), and whether a second q quits it: a q lost on
# its way or one the console did not act on
quits() {
  wait_until 20 journal_has "$J" "kind='console_close' and actor='Alice Ng/commander'" && return 0
  ps -o pid,stat,wchan:24,etime,args -C cutover
  sql "$J" "select seq, kind, actor from events order by seq desc limit 4"
  tmux_screen t | tail -n 2
  tmux_keys t q
  wait_until 10 journal_has "$J" "kind='console_close' and actor='Alice Ng/commander'" &&
    echo "a second q quit it"
  return 1
}
check "the console quits" quits
check "the live fold (gates, overrides, phases done) is the journal's refold" compare_trace "$T/live.trace"
finish
