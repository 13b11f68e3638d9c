# test_two_person.sh — issue 20, points of no return with two people, in
# tmux with three consoles on one journal: the commander drives (Alice),
# the dba (Bob) and the flags role (Alice again: one person in two roles)
# join. An {irreversible} step is refused while a condition is unmet (the
# ramp not at 100 % for its `Monitoring:` period), its conditions show on
# screen with their state and the rollback plans it voids; once they hold,
# the dba's `a` and the commander's `v` from two consoles take it (NO WAY
# BACK), and the plan shows VOID. The step Alice owns as flags is refused
# for her approval as the commander (one person, both roles). Presence (p)
# shows who is on which console and the role nobody holds.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md" "Monitoring: 5s"
python3 - "$T/rb.md" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("- 1% for 1h\n", "- 1% for 2s\n")
s = s.replace("Mode: automatic", "Mode: manual")   # the test moves the ramp: no race with it
s = s.replace("- comms: Dee Ray\n", "- comms: Dee Ray\n- flags: Alice Ng\n")
s = s.replace("- [ ] commander: ramp `ramp`\n",
              "- [ ] commander: ramp `ramp`\n"
              "- [ ] dba: make old read-only {#readonly-old irreversible any order}\n"
              "- [ ] flags: archive the flag {#archive irreversible any order}\n"
              "- [ ] comms: announce the end {#announce}\n")
open(p, "w").write(s)
PY
check "the runbook is sound" "$CUTOVER" check "$T/rb.md"
J=$T/rb.journal
tmux_start drv 140 45 "$CUTOVER run $T/rb.md --journal $J"
# advance_to PERCENT: the commander confirms the ramp's next step with +
advance_to() {
  wait_screen drv "(the commander confirms)" 30 >/dev/null || return 1
  tmux_keys drv +
  wait_screen drv "type the target percentage" 5 >/dev/null || return 1
  tmux_keys drv "$1" Enter
}
check "the commander's console drives: + starts the ramp" advance_to 1
check "  … at 1%" wait_until 30 advanced "$J"
tmux_start dba 140 45 "$CUTOVER join $J --as 'Bob Li' --role dba"
tmux_start flg 140 45 "$CUTOVER join $J --as 'Alice Ng' --role flags"
check "the dba's console is up" wait_screen dba "Bob Li/dba" 20
check "the flags console is up" wait_screen flg "Alice Ng/flags" 20

tmux_keys drv p
check "p shows presence: the dba on a joined console" wait_screen drv "Bob Li" 5
check "  … Alice as flags too" grep -q "flags *Alice Ng *join" "$T/screen"
check "  … and the role nobody holds" grep -q "comms *NOBODY PRESENT (Dee Ray)" "$T/screen"
check "  … with the step whose role is absent flagged before it is reached" \
  grep -q "nobody present as comms for step announce (comms: announce the end)" "$T/screen"
tmux_keys drv x
check "the steps list flags the comms step: nobody present as comms" \
  wait_screen drv "announce the end" 5
check "  … on its row" grep -q "announce .*⚠ no comms present" "$T/screen"
check "  … and marks the irreversible steps before they are reached" grep -q "readonly-old .*◆ irreversible" "$T/screen"

tmux_keys dba j
check "the dba selects the irreversible step" wait_screen dba "readonly-old — owner: dba" 5
check "its screen says what it makes impossible" wait_screen dba "Makes void: rollback plans of phase 4" 5
check "  … and a condition unmet" grep -q "UNMET the ramp holds at 100%" "$T/screen"
tmux_keys dba a
check "the dba's ack is refused while the ramp is not at 100%" \
  wait_screen dba "refused: step readonly-old is irreversible: it waits for the ramp to hold at 100%" 5
check "  … journaled as a refusal" \
  wait_until 10 journal_has "$J" "kind='ack_refused' and json_extract(body,'\$.step')='readonly-old'"

tmux_keys dba o
check "the dba may not override the conditions" wait_screen dba "refused: only the commander may override the conditions" 5
tmux_keys drv j j
check "the commander selects the flags' irreversible step" wait_screen drv "archive — owner: flags" 5
check "  … its conditions unmet, the footer offers o override and no v approve" wait_screen drv "o override  ? help" 15
check "  … (no v approve)" sh -c "! tail -n 1 '$T/screen' | grep -q 'v approve'"
tmux_keys drv o
check "o on it asks the commander for a reason to override its unmet conditions" \
  wait_screen drv "override the unmet conditions of irreversible step archive" 5
tmux_keys drv "flag archived by hand in the flag service" Enter
check "  … journaled as an override of guard noreturn:archive, with what was unmet" \
  wait_until 10 journal_has "$J" "kind='override' and json_extract(body,'\$.guard')='noreturn:archive' and json_extract(body,'\$.failed') like '%ramp to hold at 100%%'"
check "  … and the panel says so" wait_screen drv "Conditions OVERRIDDEN by Alice Ng/commander" 5
check "  … which is not the rehearsal's override: the header does not say OVERRIDE" \
  sh -c "! head -1 '$T/screen' | grep -q 'OVERRIDE'"
tmux_keys drv k k
check "the commander's cursor is back on the ramp step" wait_screen drv "4.1 — owner: commander" 5

at100() { journal_has "$J" "kind='flag_read' and json_extract(body,'\$.percent')=100 and json_extract(body,'\$.ok')"; }
check "the commander advances to 100%" advance_to 100
check "the ramp reaches 100%" wait_until 30 at100
check "the monitoring period counts down on the dba's screen" wait_screen dba "UNMET Monitoring: 5s at 100%: " 10
check "then it is met: every condition holds" wait_screen dba "✔ Monitoring: 5s at 100%: held 5s" 15
tmux_keys dba a
check "the dba's ack is taken, waiting for the commander" \
  wait_screen dba "it is irreversible and waits for the commander's approval" 5
check "  … the steps list says it waits for the approval" wait_screen drv "½ waits for approval" 5
check "  … the step is not done yet (no NO WAY BACK)" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t drv | grep -q 'NO WAY BACK'"
tmux_keys drv j
check "the commander selects it and sees the owner's half" wait_screen drv "owner's ack ✔ Bob Li (dba)" 5
check "  … and the footer offers v approve" wait_screen drv "v approve" 15
tmux_keys drv v
check "the commander's v approves it from the second console: done" wait_screen drv "NO WAY BACK from here" 5
check "the approval is journaled by the commander" \
  journal_has "$J" "kind='approve' and actor='Alice Ng/commander' and json_extract(body,'\$.step')='readonly-old'"
header_says() { tmux_screen "$1" | head -1 | grep -q "$2"; }
check "the header says NO WAY BACK" wait_until 5 header_says drv "NO WAY BACK"
check "the rollback plan of phase 4 shows VOID" wait_screen dba "Rollback plan — phase 4 — VOID: step readonly-old" 5

tmux_keys flg j j
check "Alice (flags) selects the step she owns" wait_screen flg "archive — owner: flags" 5
tmux_keys flg a
check "her ack as the owner is taken" wait_screen flg "step archive acknowledged by Alice Ng (flags)" 5
tmux_keys drv j
check "the commander's console selects it" wait_screen drv "archive — owner: flags" 5
tmux_keys drv v
check "the same person's approval as the commander is refused, in words" \
  wait_screen drv "needs two people: Alice Ng acknowledged it as flags" 5
check "  … and journaled as a refusal" \
  wait_until 10 journal_has "$J" "kind='ack_refused' and json_extract(body,'\$.step')='archive' and json_extract(body,'\$.reason') like 'approval:%two people%'"
check "  … the step stays open" test "$(journal_count "$J" "kind='approve' and json_extract(body,'\$.step')='archive'")" = 0

tmux_resize dba 80 24
check "at 80×24 the dba's console still draws the step" wait_screen dba "Rollback plan" 5
"$CUTOVER" report "$J" >"$T/report.md"
check "the report lists the void plan" grep -q "| 4 | Cutover | step readonly-old (make old read-only) was taken |" "$T/report.md"
finish
