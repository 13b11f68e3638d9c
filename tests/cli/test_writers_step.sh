# test_writers_step.sh — the `writers` step runs the audit and blocks
# (issue 21). On main a `writers` step was acknowledged by hand whatever
# the audit said. Here `cutover writers RUNBOOK --journal J` journals one
# `unknown_writer` per unknown writer and a `writers` verdict; the step
# completes itself on an audit with none unknown, and while an unknown
# writer is open every step that needs the audit ({needs=writers} on a
# step or a phase, and {irreversible} steps) is refused in words naming
# it — until the runbook declares it (replaced with --force, audited
# again) or the commander overrides the `writers` step with a written
# reason. Code-only audits (old on SQLite): no database needed.
. tests/lib.sh
CODE=$T/code
mkdir -p "$CODE"
printf 'def purge(db):\n    db.execute("DELETE FROM orders_legacy WHERE id < 10")\n' >"$CODE/purge.py"
printf 'package checkout\nfunc Save(db DB) { db.Exec("INSERT INTO orders_legacy (id) VALUES ($1)", 1) }\n' \
  >"$CODE/checkout.go"
runbook() {  # runbook FILE [EXTRA-WRITER-LINE] [PHASE-3-ATTRS]
  cat >"$1" <<MD
# Writers step

## Roles
- commander: Ana
- dba: Bo

## Systems
- old: sqlite \`$T/old.db\` table \`orders_legacy\` key \`id\`
- new: sqlite \`$T/new.db\` table \`orders\` key \`id\`

## Writers
- checkout: code \`checkout.go\` dual-writes
$2

## Phase 1: Prepare
- [ ] dba: every writer is known \`writers\` {#audit}
- [ ] dba: contract written {#contract}

## Phase 2: Dual-write
- [ ] dba: dual-write on {#dw-on}
- [ ] dba: dual-write complete {#dw-done needs=writers}

## Phase 3: Shadow reads $3
- [ ] dba: shadow reads on {#shadow}
- [ ] dba: make old read-only {#readonly irreversible}

## Rollback
### Phase 1
Nothing.
### Phase 2
Turn dual-write off.
### Phase 3
Turn shadow reads off.
MD
}
runbook "$T/rb.md" ""
runbook "$T/declared.md" '- purge job: code `purge.py` old only'
check "the runbook with {needs=writers} checks" expect_exit 0 "$CUTOVER" check "$T/rb.md"

# opened: a headless console writes the journal's runbook, then leaves
opened() {  # opened RUNBOOK JOURNAL [--force]
  rm -f "$T/run.out"   # the last run's console_open is not this one's
  "$CUTOVER" run "$1" --journal "$2" --headless $3 >"$T/run.out" 2>&1 &
  local pid=$!
  wait_for 30 grep -q console_open "$T/run.out"
  local rc=$?
  kill -TERM $pid; wait $pid
  return $rc
}
ack() { "$CUTOVER" ack "$J" "$@" >"$T/ack.out" 2>&1; }
acked_ok() { ack "$@" && grep -q "acknowledged by" "$T/ack.out"; }
refused() {  # refused TEXT STEP ARGS…: the ack exits 1 and says TEXT
  local text=$1; shift
  ! ack "$@" && grep -qF -- "$text" "$T/ack.out" || { cat "$T/ack.out"; return 1; }
}
events() { sqlite3 "$J" "SELECT kind || ' ' || body FROM events ORDER BY seq"; }

# --- reproduction: the writers step is not acknowledged by hand ---------------
J=$T/a.journal
check "a console writes the journal's runbook" opened "$T/rb.md" "$J"
check "the writers step cannot be acknowledged by hand" \
  refused "completes itself when \`cutover writers RUNBOOK --journal J\` finds no unknown writer" \
  audit --as Bo --role dba

# --- an audit that finds an unknown writer -----------------------------------
"$CUTOVER" writers "$T/rb.md" --code "$CODE" --journal "$J" >"$T/w1.out" 2>&1
check "an audit with an unknown writer exits 3" test $? -eq 3
check "  … and journals it: one unknown_writer event, then the verdict" \
  sh -c 'sqlite3 "$0" "SELECT kind FROM events WHERE kind IN ('"'unknown_writer','writers'"') ORDER BY seq" | tr "\n" " " | grep -qx "unknown_writer writers "' "$J"
check "  … the unknown_writer event names it, its code site and why" \
  sh -c 'sqlite3 "$0" "SELECT body FROM events WHERE kind = '"'unknown_writer'"'" | python3 -c "
import json, sys
b = json.loads(sys.stdin.read())
assert b[\"writer\"] == \"code: purge.py\" and b[\"code\"] == [\"purge.py:2\"] and b[\"seen\"] == \"code\", b
assert \"not declared\" in b[\"why\"], b"' "$J"
check "  … the verdict carries the table, for the panel" \
  sh -c 'sqlite3 "$0" "SELECT body FROM events WHERE kind = '"'writers'"'" | python3 -c "
import json, sys
b = json.loads(sys.stdin.read())
assert b[\"unknown\"] == 1 and b[\"writers\"] == 2 and b[\"clean\"] is False and b[\"table\"] == \"orders_legacy\", b
w = {r[\"writer\"]: r for r in b[\"list\"]}
assert w[\"checkout\"][\"declared\"] is True and w[\"checkout\"][\"dual_writes\"] is True
assert w[\"code: purge.py\"][\"declared\"] is False and w[\"code: purge.py\"][\"unknown\"] is True"' "$J"
check "  … and no statement text or connection string reaches the journal" \
  sh -c '! sqlite3 "$0" "SELECT body FROM events WHERE kind IN ('"'writers','unknown_writer'"')" | grep -q "DELETE FROM\|old.db"' "$J"
check "the writers step stays open after it" \
  refused "completes itself" audit --as Bo --role dba
check "the next step of its phase waits for it" \
  refused "comes after step audit" contract --as Bo --role dba

# --- the runbook in force is the one audited ---------------------------------
"$CUTOVER" writers "$T/declared.md" --code "$CODE" --journal "$J" >"$T/other.out" 2>&1
check "an audit of another runbook than the journal's is refused (exit 1)" test $? -eq 1
check "  … saying how to replace it" grep -q "is not the runbook in force.*--force" "$T/other.out"

# --- declared after: a new audit completes the step ----------------------------
check "the commander replaces the runbook with one that declares the writer" \
  opened "$T/declared.md" "$J" --force
check "a step that needs the audit is still refused, naming the writer" \
  refused 'unknown writer `code: purge.py` (seen by code): not declared in ## Writers' \
  dw-done --as Bo --role dba
check "a new audit finds it declared: exit 0" \
  expect_exit 0 "$CUTOVER" writers "$T/declared.md" --code "$CODE" --journal "$J"
check "  … and the writers step is done, by the engine" \
  refused "step audit was already acknowledged by cutover" audit --as Bo --role dba
check "the steps after it go on" acked_ok contract --as Bo --role dba
check "  … dual-write on" acked_ok dw-on --as Bo --role dba
check "  … and dual-write complete, which needs the audit" acked_ok dw-done --as Bo --role dba

# --- a writer found after the writers step is done ---------------------------
rm "$CODE/checkout.go"
printf 'func Fix(db DB) { db.Exec("UPDATE orders_legacy SET paid = 1") }\n' >"$CODE/fixer.go"
"$CUTOVER" writers "$T/declared.md" --code "$CODE" --journal "$J" >/dev/null 2>&1
check "a later audit finds a new unknown writer: exit 3" test $? -eq 3
check "  … a step that does not need the audit goes on" acked_ok shadow --as Bo --role dba
check "  … the irreversible step is refused, naming it" \
  refused 'unknown writer `code: fixer.go`' readonly --as Bo --role dba
check "an override needs a written reason" \
  refused "needs a written reason" audit --as Ana --role commander --override
check "  … and the commander" \
  refused "only the commander" audit --as Bo --role dba --override --reason "go"
check "the commander overrides the done writers step with a reason" \
  sh -c '"$0" ack "$1" audit --as Ana --role commander --override --reason "fixer.go is dead code, removed in PR 88" | grep -q "completed by override"' \
  "$CUTOVER" "$J"
check "  … journaled as an override of step:audit with the reason" \
  sh -c 'sqlite3 "$0" "SELECT body FROM events WHERE kind = '"'override'"'" | grep -q "\"guard\":\"step:audit\".*PR 88"' "$J"
check "  … the held step is no longer held by the writer" acked_ok readonly --as Bo --role dba
check "  … a second override with none open is refused" \
  refused "already done" audit --as Ana --role commander --override --reason "again"
# the irreversible step has its owner's half; an audit then finds a writer
printf 'func Sweep(db DB) { db.Exec("DELETE FROM orders_legacy") }\n' >"$CODE/sweep.go"
"$CUTOVER" writers "$T/declared.md" --code "$CODE" --journal "$J" >/dev/null 2>&1
check "an audit after the owner's half finds another unknown writer: exit 3" test $? -eq 3
"$CUTOVER" approve "$J" readonly --as Ana --role commander >"$T/approve.out" 2>&1
check "  … the commander's approval of the irreversible step is refused (exit 1)" test $? -eq 1
check "  … naming the writer" grep -qF 'unknown writer `code: sweep.go`' "$T/approve.out"
check "  … and the step is not done" \
  test "$(sqlite3 "$J" "SELECT count(*) FROM events WHERE kind = 'approve'")" = 0
rm "$CODE/sweep.go"

# --- the override before the step is done -------------------------------------
J=$T/b.journal
runbook "$T/plain.md" "" "{needs=writers}"
check "a console opens a second ceremony (phase 3 needs the audit)" opened "$T/plain.md" "$J"
"$CUTOVER" writers "$T/plain.md" --code "$CODE" --journal "$J" >/dev/null 2>&1
check "its audit finds two unknown writers" test "$(sqlite3 "$J" "SELECT count(*) FROM events WHERE kind = 'unknown_writer'")" = 2
check "the commander completes the writers step by override" \
  sh -c '"$0" ack "$1" audit --as Ana --role commander --override --reason "both are the migration team'"'"'s own tools" | grep -q "completed by override"' \
  "$CUTOVER" "$J"
check "  … which accepts both: dual-write complete is taken in its turn" \
  sh -c 'for s in contract dw-on dw-done shadow; do "$0" ack "$1" $s --as Bo --role dba >/dev/null || exit 1; done' "$CUTOVER" "$J"

# --- the checker ---------------------------------------------------------------
sed 's/{#dw-done needs=writers}/{#dw-done needs=backfill}/' "$T/rb.md" >"$T/bad.md"
check "needs= anything but writers is an error at its line" \
  sh -c '"$0" check "$1"; test $? -eq 1 && "$0" check "$1" | grep -q "bad.md:21: .needs=backfill.: the one thing a step may need is .writers."' "$CUTOVER" "$T/bad.md"
sed 's/ `writers` {#audit}/ {#audit}/' "$T/rb.md" >"$T/nostep.md"
check "needs=writers without a writers step is an error at its line" \
  sh -c '"$0" check "$1" | grep -q "nostep.md:21: .needs=writers. but the runbook has no step with the action .writers."' "$CUTOVER" "$T/nostep.md"
finish
