# test_replay_presence.sh — issue 19 in `cutover replay`: a click on a step
# row selects that step, as on the live console; `p` shows who was on
# which console as of the moment replayed (the presence fold at that
# time), stays while time moves, and `p` closes it. At 120×40 and 80×24.
# The journal: the commander's headless console, the dba joining, an ack,
# the dba leaving, the commander leaving.
. tests/lib.sh
. tests/wait.sh
cat >"$T/rb.md" <<'MD'
# Presence replay

## Roles
- commander: Alice Ng
- dba: Bob Li

## Phase 1: Prepare
- [ ] commander: open the bridge {#bridge}
- [ ] dba: freeze the schema {#freeze}
- [ ] dba: take the snapshot {#snapshot}
- [ ] commander: say go {#go}

## Rollback
### Phase 1
Nothing to undo.
MD
J=$T/p.journal
opened() { journal_has "$J" "kind='console_open' and actor like '$1%'"; }
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless --as "Alice Ng" --role commander >"$T/a.out" 2>&1 &
a=$!
check "the commander's console opens" wait_until 20 opened Alice
"$CUTOVER" join "$J" --as "Bob Li" --role dba --headless >"$T/b.out" 2>&1 &
b=$!
check "the dba joins" wait_until 20 opened Bob
check "the bridge is acknowledged" expect_exit 0 "$CUTOVER" ack "$J" bridge --as "Alice Ng" --role commander
kill -TERM $b; wait $b
check "the dba's console closed" wait_until 20 journal_has "$J" "kind='console_close' and actor like 'Bob%'"
kill -TERM $a; wait $a

# click COL ROW on session s: an X10 mouse report, as tmux passes it
click() {
  local x y
  x=$(printf "\\$(printf %o $((32 + $2)))"); y=$(printf "\\$(printf %o $((32 + $3)))")
  tmux_keys "$1" -l "$(printf '\033[M ')$x$y$(printf '\033[M#')$x$y"
}
row_of() { tmux_screen "$1" | grep -nE -- "$2" | head -1 | cut -d: -f1; }

for size in "120 40" "80 24"; do
  set -- $size
  s=r$1
  tmux_start $s "$1" "$2" "$CUTOVER replay $J"
  check "$1×$2: replay opens at the first row" wait_screen $s "row 1/" 10
  tmux_keys $s .
  check "  … one event on: the commander's console" wait_screen $s "row 2/" 5
  tmux_keys $s p
  check "  … p: presence as of then, the commander on a headless console" \
    wait_screen $s "Presence at the moment shown (p closes)" 5
  check "  … the commander headless" grep -qE "commander +Alice Ng +headless" "$T/screen"
  check "  … nobody yet as dba" grep -q "dba        NOBODY PRESENT (Bob Li)" "$T/screen"
  tmux_keys $s .
  check "  … stays while time moves: the dba joined" wait_screen $s "Bob Li               join" 5
  tmux_keys $s End
  check "  … at the end both have left" wait_screen $s "Bob Li               left" 5
  tmux_keys $s p
  check "  … p closes it" sh -c "sleep 0.3; ! tmux -S '$TMUX_SOCK' capture-pane -p -t $s | grep -q 'Presence at'"
  check "a click on a step row selects it" wait_screen $s "[ ] snapshot" 5
  click $s 10 "$(row_of $s '\[ \] snapshot')"
  check "  … its text shows, as on the live console" wait_screen $s "snapshot — owner: dba (Bob Li)" 5
  click $s 10 "$(row_of $s '\[x\] bridge')"
  check "  … another row, another step" wait_screen $s "bridge — owner: commander" 5
  tmux_keys $s q
done
check "the journal was not written (it still verifies, 7 events)" \
  sh -c '"$0" verify "$1" >/dev/null && test "$(sqlite3 "$1" "select count(*) from events")" = 7' "$CUTOVER" "$J"
finish
