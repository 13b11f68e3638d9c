# brake_lib.sh — the small ceremony the issue-17 brake suites share
# (sourced after lib.sh and wait.sh): a scrape signal the test controls
# through tests/tools/fault_server, a flagd flag file, one abort
# criterion, and a ramp that holds at 1% for an hour.
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
metrics() { printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n' "$1" >"$T/answers/m"; mv "$T/answers/m" "$T/answers/metrics"; }
metrics 0
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
run=
cleanup_hook() { kill $fault $run 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out")

# brake_runbook FILE [PARAGRAPH]: the runbook, its flag in FILE.flags.json;
# PARAGRAPH (such as `Abort: commander, dba`) goes into ## Ramp.
brake_runbook() {
cat >"$1" <<EOF2
# Brake test

## Roles
- commander: Alice Ng
- dba: Bob Li
- comms: Dee Ray

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$1.flags.json\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 250ms

## Abort criteria
- abort if error_ratio > 1%

## Ramp
- 1% for 1h
- 100%

Mode: automatic

$2

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
}

# advanced JOURNAL: the first step's flag was read back.
advanced() { journal_has "$1" "kind='flag_read' and json_extract(body,'\$.purpose')='advance' and json_extract(body,'\$.ok')"; }

# driver_and_consoles A B: a headless driver of $T/rb.md (brake_runbook's,
# with `Deputy: comms`) on J=$T/rb.journal holding at 1% (its pid in $run),
# and two joined consoles in tmux sessions A and B, each "NAME|ROLE", up.
driver_and_consoles() {
  brake_runbook "$T/rb.md" "Deputy: comms"
  J=$T/rb.journal
  "$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
  run=$!
  check "the first driver holds at 1%" wait_until 30 advanced "$J"
  local s who
  for s in "$1" "$2"; do
    who=${s#*=}
    tmux_start "${s%%=*}" 140 45 "$CUTOVER join $J --as '${who%|*}' --role ${who#*|}"
  done
  for s in "$1" "$2"; do
    who=${s#*=}
    check "a joined ${who#*|}'s console is up" wait_screen "${s%%=*}" "Brake test" 20
  done
}
