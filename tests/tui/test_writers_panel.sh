# test_writers_panel.sh — the writers panel (issue 21) in tmux at 80×24:
# `w` shows the newest audit's table and the unknown writers, the open
# one in red (capture-pane -e shows the colour escapes); the panel is
# drawn from the journal's fold, so a joined console and a replay show
# the same; once the runbook declares the writer and a new audit runs, it
# shows resolved, and nothing in red. The table has the statements column
# (a count in the journal, never a statement's text) and the statistics'
# limits, dim under it. Waits for conditions, never a time.
. tests/lib.sh
. tests/wait.sh
CODE=$T/code
mkdir -p "$CODE"
printf 'def purge(db):\n    db.execute("DELETE FROM orders_legacy WHERE id < 10")\n' >"$CODE/purge.py"
printf 'func Save(db DB) { db.Exec("INSERT INTO orders_legacy (id) VALUES ($1)", 1) }\n' >"$CODE/checkout.go"
runbook() {  # runbook FILE [EXTRA-WRITER-LINE]
  cat >"$1" <<MD
# Writers panel

## Roles
- commander: Ana
- dba: Bo

## Systems
- old: sqlite \`$T/old.db\` table \`orders_legacy\` key \`id\`
- new: sqlite \`$T/new.db\` table \`orders\` key \`id\`

## Writers
- checkout: code \`checkout.go\` dual-writes
$2

## Phase 1: Prepare {readonly}
- [ ] dba: every writer is known \`writers\` {#audit}

## Phase 2: Dual-write {readonly}
- [ ] dba: dual-write complete {#dw-done needs=writers}
MD
}
runbook "$T/rb.md" ""
runbook "$T/declared.md" '- purge job: code `purge.py` old only'
J=$T/a.journal
check "the runbook checks" expect_exit 0 "$CUTOVER" check "$T/rb.md"
tmux_start c 80 24 "$CUTOVER run $T/rb.md --journal $J --as Ana --role commander"
check "the cockpit opens at 80×24" wait_screen c "dual-write complete" 15
tmux_keys c w
check "w before any audit: the panel says none is journaled" \
  wait_screen c "No writer audit of this runbook is journaled yet"
tmux_keys c Escape
"$CUTOVER" writers "$T/rb.md" --code "$CODE" --journal "$J" >/dev/null 2>&1
check "an audit with an unknown writer is journaled (exit 3)" test $? -eq 3
check "  … and folded by the console" wait_until 10 journal_has "$J" "kind = 'writers'"
stmts_journaled() {  # a count per writer, and no statement's text
  [ "$(sql "$J" "select json_type(body, '\$.list[0].statements') from events where kind = 'writers'")" = integer ] &&
    ! sql "$J" "select body from events where kind = 'writers'" | grep -qi "insert into\|delete from"
}
check "  … each writer's statements journaled as a count, never as text" stmts_journaled
tmux_keys c w
check "w: the table, with the audit's counts" wait_screen c "orders_legacy: 2 writers, 1 unknown"
check "  … the unknown writer's row: how seen, ops, declared NO, its code site" \
  sh -c 'grep -q "code: purge.py  *code  *write .* ?   NO" "$0" && grep -q "code: purge.py:2" "$0" &&
         grep -q "checkout .* yes yes" "$0"' "$T/screen"
check "  … with the statements column of \`cutover writers\`, beside calls and rows" \
  sh -c 'grep -q "WRITER .* OPS  *STMTS  *CALLS  *ROWS" "$0" && grep -q "code: purge.py  *code  *write  *0  *-  *-" "$0"' "$T/screen"
check "  … the unknown writers below, open" wait_screen c "Unknown writers: 1 open"
tmux -S "$TMUX_SOCK" capture-pane -p -e -t c >"$T/colour"
check "  … the unknown writer in red (a red escape on its row), the declared one not" \
  python3 - "$T/colour" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
red = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:31|41|38;5;(?:1|9|160|196))m")
row = [l for l in lines if "UNKNOWN code: purge.py" in l]
assert row and red.search(row[0].split("UNKNOWN")[0] + "UNKNOWN"), row
table = [l for l in lines if re.search(r"code: purge\.py +code", l)]
assert table and red.search(table[0]), table
ok = [l for l in lines if re.search(r"checkout +code", l)]
assert ok and not red.search(ok[0]), ok
PY
check "  … all of it inside 80 columns" \
  python3 -c 'import sys; assert max(len(l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines()) <= 80' "$T/screen"
tmux_keys c Escape

tmux_start j 80 24 "$CUTOVER join $J --as Bo --role dba"
check "a joined console opens" wait_screen j "dual-write complete" 15
tmux_keys j w
check "  … and shows the same unknown writer" wait_screen j "Unknown writers: 1 open"
tmux_keys j Escape
tmux_keys j q

tmux_keys c q
# The console retries the step's own audit (it fails: no --code on the
# step) with a back-off; when q comes while that job runs, the console
# asks first, as it should: say yes. On failure, what the console was
# doing, and whether a second q quits it (test_gates.sh does the same).
closed_or_yes() {
  journal_has "$J" "kind = 'console_close' AND body LIKE '%Ana%'" && return 0
  tmux_screen c | grep -q "runs (pid .*quit anyway?" && tmux_keys c y Enter
  return 1
}
closes() {
  wait_until 10 closed_or_yes && return 0
  ps -o pid,stat,wchan:24,etime,args -C cutover
  tmux_screen c | tail -n 2
  tmux_keys c q
  wait_until 10 journal_has "$J" "kind = 'console_close' AND body LIKE '%Ana%'" &&
    echo "a second q quit it"
  return 1
}
check "the driving console closes" closes
"$CUTOVER" run "$T/declared.md" --journal "$J" --force --headless >"$T/force.out" 2>&1 &
f=$!
check "the runbook is replaced with one that declares it" wait_until 20 grep -q console_open "$T/force.out"
kill -TERM $f; wait $f
check "a new audit finds it declared (exit 0)" \
  expect_exit 0 "$CUTOVER" writers "$T/declared.md" --code "$CODE" --journal "$J"
tmux_start r 80 24 "$CUTOVER replay $J"
check "the replay opens" wait_screen r "REPLAY" 15
tmux_keys r End
tmux_keys r w
check "  … at its end, w shows the writer resolved, declared" \
  wait_screen r 'resolved code: purge.py: declared as `purge job`'
check "  … and 0 open" wait_screen r "Unknown writers: 0 open"
tmux -S "$TMUX_SOCK" capture-pane -p -e -t r >"$T/colour2"
check "  … nothing red on the writers' rows now" \
  python3 - "$T/colour2" <<'PY'
import re, sys
red = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:31|41)m")
rows = [l for l in open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
        if "purge" in l]
assert rows and not any(red.search(l) for l in rows), rows
PY

# the statistics' limits, as an audit that read pg_stat_statements journals
# them (a copy of the newest audit with the limits added): dim under the table
body=$(sqlite3 "$J" "select json_set(body, '\$.limits', json_array('pg_stat_statements.track = top: statements run inside functions and triggers are invisible', 'failed statements are not recorded; identical statements share one entry')) from events where kind = 'writers' order by seq desc limit 1")
check "an audit with the statistics' limits is journaled" "$ROOT/build/tools/journal_put" "$J" writers "$body"
tmux_start l 80 24 "$CUTOVER replay $J"
check "  … a replay opens" wait_screen l "REPLAY" 15
tmux_keys l End
tmux_keys l w
check "  … and w shows each limit under the table" \
  wait_screen l "limit: failed statements are not recorded; identical statements share" 10
check "  … the first one whole, wrapped at 80 columns" \
  sh -c 'grep -q "limit: pg_stat_statements.track = top: statements run inside functions" "$0" && grep -q "triggers are invisible  *│" "$0"' "$T/screen"
tmux -S "$TMUX_SOCK" capture-pane -p -e -t l >"$T/colour3"
check "  … dim" \
  python3 - "$T/colour3" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
row = [l for l in lines if "limit: failed statements" in l]
assert row and re.search(r"\x1b\[(?:[0-9;]*;)?2(?:;[0-9;]*)?m", row[0].split("limit:")[0]), row
PY
finish
