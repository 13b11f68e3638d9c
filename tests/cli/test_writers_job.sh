# test_writers_job.sh — the driving console runs the `writers` step's
# audit itself when the step's turn comes (issue 21: "the writers step
# action runs the audit"), as it runs a backfill or a compare: `cutover
# writers RUNBOOK --journal J` with the step's {code="DIR"} as --code. An
# audit that finds an unknown writer is journaled as a `data_job` in state
# `unknown`, the step stays open and the audit is not run again by itself;
# one that finds none completes the step. On main the step waited for
# someone to type the command. Headless consoles; old on SQLite (a
# code-only audit).
. tests/lib.sh
CODE=$T/code
mkdir -p "$CODE"
printf 'def purge(db):\n    db.execute("DELETE FROM orders_legacy WHERE id < 10")\n' >"$CODE/purge.py"
printf 'package checkout\nfunc Save(db DB) { db.Exec("INSERT INTO orders_legacy (id) VALUES ($1)", 1) }\n' \
  >"$CODE/checkout.go"
runbook() {  # runbook FILE [EXTRA-WRITER-LINE]
  cat >"$1" <<MD
# Writers job

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
- [ ] dba: every writer is known \`writers\` {#audit code="$CODE"}
- [ ] dba: contract written {#contract}

## Rollback
### Phase 1
Nothing.
MD
}
runbook "$T/rb.md" ""
runbook "$T/declared.md" '- purge job: code `purge.py` old only'
sqlite3 "$T/old.db" "CREATE TABLE orders_legacy (id INTEGER PRIMARY KEY)"
sqlite3 "$T/new.db" "CREATE TABLE orders (id INTEGER PRIMARY KEY)"
check "the runbook checks" expect_exit 0 "$CUTOVER" check "$T/rb.md"

jobs_in() {  # jobs_in JOURNAL: the writers jobs' states, in order
  sqlite3 "$1" "SELECT json_extract(body,'\$.state') FROM events WHERE kind='data_job'
                AND json_extract(body,'\$.job')='writers' ORDER BY seq" | tr '\n' ' '
}
has_state() { jobs_in "$1" | grep -q "$2"; }

# --- an unknown writer: the audit runs, finds it, the step stays open --------
J=$T/a.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless --as Ana --role commander >"$T/a.out" 2>&1 &
pid=$!
check "the driver starts the audit by itself at the step's turn" wait_for 20 has_state "$J" started
check "  … with the step's code directory" \
  sh -c 'sqlite3 "$0" "SELECT body FROM events WHERE kind='"'data_job'"'" | grep -qF -- "writers"' "$J"
check "  … which finds the unknown writer: state unknown" wait_for 30 has_state "$J" unknown
check "  … its unknown_writer event is journaled" \
  test "$(sqlite3 "$J" "SELECT json_extract(body,'\$.writer') FROM events WHERE kind='unknown_writer'")" = "code: purge.py"
check "the step stays open" test "$(sqlite3 "$J" "SELECT count(*) FROM events WHERE kind='ack'")" = 0
# a later event the driver folds proves its loop went on meanwhile
"$CUTOVER" ack "$J" contract --as Bo --role dba >/dev/null 2>&1   # refused: audit first
check "the driver folds a later refusal" wait_for 10 grep -q "refused" "$T/a.out"
check "  … and has not run the audit again by itself" \
  sh -c 'test "$(sqlite3 "$0" "SELECT count(*) FROM events WHERE kind='"'data_job'"' AND json_extract(body,'"'\$.state'"')='"'started'"'")" = 1' "$J"
kill -TERM $pid; wait $pid

# --- every writer declared: the audit the driver runs completes the step ------
J=$T/b.journal
"$CUTOVER" run "$T/declared.md" --journal "$J" --headless --as Ana --role commander >"$T/b.out" 2>&1 &
pid=$!
check "with every writer declared the driver's audit finishes" wait_for 30 has_state "$J" finished
check "  … and completes the step: the next one may be acknowledged (it waits for it)" \
  wait_for 10 sh -c '"$0" ack "$1" contract --as Bo --role dba >/dev/null 2>&1' "$CUTOVER" "$J"
kill -TERM $pid; wait $pid
check "both journals verify" sh -c '"$0" verify "$1" >/dev/null && "$0" verify "$2" >/dev/null' \
  "$CUTOVER" "$T/a.journal" "$T/b.journal"
finish
