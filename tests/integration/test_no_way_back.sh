# test_no_way_back.sh — issue 20, points of no return: a step marked
# {irreversible} is refused until the ramp holds at its last step with every
# criterion clear; once taken the engine says NO WAY BACK: an abort
# criterion that fires halts (an incident) and leaves the flag where it is,
# a manual abort or an abort request is refused, the header's mode goes
# from ARMED to NO WAY BACK, and `check` warns about an
# irreversible step placed before the ramp.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md" "Abort: commander, dba"
python3 - "$T/rb.md" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("- 1% for 1h\n", "- 1% for 2s\n")
s = s.replace("- [ ] commander: ramp `ramp`\n", "- [ ] commander: ramp `ramp`\n- [ ] dba: make old read-only {#readonly-old irreversible any order}\n")
open(p, "w").write(s)
PY
check "the runbook is sound" "$CUTOVER" check "$T/rb.md"
J=$T/rb.journal
tmux_start drv 140 45 "$CUTOVER run $T/rb.md --journal $J"
check "the ramp starts at 1%" wait_until 30 advanced "$J"
"$CUTOVER" ack "$J" readonly-old --as "Bob Li" --role dba >"$T/early.out" 2>&1
check "the irreversible step is refused while the ramp is not at 100%" \
  grep -q "irreversible: it waits for the ramp to hold at 100%" "$T/early.out"
at100() { journal_has "$J" "kind='flag_read' and json_extract(body,'\$.percent')=100 and json_extract(body,'\$.ok')"; }
check "the ramp reaches 100%" wait_until 30 at100
check "the driving console says the ramp is complete" wait_screen drv "COMPLETE" 10
header() { tmux_screen drv | head -1; }
header_has() { header | grep -q -- "$1"; }
check "before the point of no return the header says ARMED" wait_for 10 header_has "│ ARMED"
tmux_resize drv 80 24
check "… at 80 columns too, beside the phase and the status" \
  wait_for 10 header_has "Phase 4: Cutover │ [A-Z ]* │ ARMED"
tmux_resize drv 140 45
check "now its owner acknowledges the irreversible step" "$CUTOVER" ack "$J" readonly-old --as "Bob Li" --role dba
check "… and the commander approves it: taken" "$CUTOVER" approve "$J" readonly-old --as "Alice Ng" --role commander
check "the driving console's header says NO WAY BACK" wait_screen drv "NO WAY BACK" 10
check "… and no longer ARMED" eval '! header_has ARMED'
"$CUTOVER" abort "$J" --as "Bob Li" --role dba --reason "cold feet" >"$T/abort.out" 2>&1
rc=$?
check "an abort request after it is refused (exit $rc)" test $rc -eq 1
check "… journaled as refused: NO WAY BACK" \
  wait_until 10 journal_has "$J" "kind='abort_refused' and json_extract(body,'\$.why') like 'NO WAY BACK%readonly-old%'"
metrics 0.05
check "a firing abort criterion halts instead of rolling back" \
  wait_until 30 journal_has "$J" "kind='halt' and json_extract(body,'\$.cause') like 'NO WAY BACK%'"
check "… and there is no abort at all" test "$(journal_count "$J" "kind='abort'")" = 0
check "… the flag stays at 100%" grep -q '"on",[[:space:]]*100' "$T/rb.md.flags.json"
check "… and the halted header still says NO WAY BACK" wait_screen drv "HALTED — INCIDENT · NO WAY BACK" 10
tmux_resize drv 80 24
check "  … at 80×24 in its brief words, whole: HALTED · NO WAY BACK" wait_screen drv "│  HALTED · NO WAY BACK  │" 10
tmux_resize drv 140 45
tmux_keys drv '!'
wait_screen drv "type ABORT" 5 >/dev/null
tmux_keys drv ABORT Enter
check "ABORT on the driving console is refused: NO WAY BACK" wait_screen drv "refused: NO WAY BACK" 5

brake_runbook "$T/early.md"
python3 - "$T/early.md" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("## Phase 4: Cutover\n", "## Phase 3: Stop\n- [ ] dba: stop dual-write {irreversible}\n\n## Phase 4: Cutover\n")
s = s.replace("### Phase 4\n", "### Phase 3\nNothing.\n### Phase 4\n")
open(p, "w").write(s)
PY
"$CUTOVER" check "$T/early.md" >"$T/check.out" 2>&1
check "check warns about an irreversible step before the ramp" \
  grep -q "early.md:[0-9]*: warning: step \`3.1\` is {irreversible} but comes before the ramp step" "$T/check.out"
finish
