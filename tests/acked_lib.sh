# acked_lib.sh — a two-step ceremony whose first step is acknowledged,
# for the suites that then write a crafted history after it through
# tests/tools/journal_put (sourced after lib.sh and wait.sh): sets PUT, and
# acked_journal TITLE RUNBOOK JOURNAL writes the runbook, opens a headless
# console as the commander, acknowledges `bridge` and closes it.
need build/tools/journal_put >/dev/null || exit 1
PUT=$ROOT/build/tools/journal_put

acked_journal() {  # TITLE RUNBOOK JOURNAL
  cat >"$2" <<MD
# $1

## Roles
- commander: Alice Ng

## Phase 1: Prepare
- [ ] commander: open the bridge {#bridge}
- [ ] commander: say go {#go}

## Rollback
### Phase 1
Nothing to undo.
MD
  "$CUTOVER" run "$2" --journal "$3" --headless --as "Alice Ng" --role commander >"$T/acked.out" 2>&1 &
  local a=$!
  check "the commander's console opens" wait_until 20 journal_has "$3" "kind='console_open'"
  check "the bridge is acknowledged" expect_exit 0 "$CUTOVER" ack "$3" bridge --as "Alice Ng" --role commander
  kill -TERM $a; wait $a
}
