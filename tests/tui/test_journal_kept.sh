# test_journal_kept.sh — the journal panel's kind filters reach every ack,
# abort, override and note however busy the journal: on main the filters
# looked only at the fold's newest 256 events, so after a few minutes of
# flag reads "only acks" said "no event matches the filter" over a
# journal with an ack in it (test_charts failed so on a loaded machine).
# A journal with one ack and a note, then 300 flag reads; a live console
# and a replay of it, J and e: the ack and the note are found. A text
# search, which looks at the newest 256, says so.
. tests/lib.sh
. tests/wait.sh
. tests/acked_lib.sh
J=$T/k.journal
acked_journal "Kept events" "$T/rb.md" "$J"
check "a note is journaled" expect_exit 0 "$PUT" "$J" note '{"text":"bridge is open, all here"}'
for i in $(seq 300); do
  "$PUT" "$J" flag_read '{"purpose":"check","ok":true,"percent":0}' >/dev/null || break
done
check "300 flag reads after them" test "$(sql "$J" "select count(*) from events where kind='flag_read'")" -ge 300
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"

filters_find_them() {  # SESSION
  tmux_keys "$1" J
  check "  … J gives the journal the screen" wait_screen "$1" "J Esc back"
  tmux_keys "$1" /
  tmux_keys "$1" -l "open the bridge"
  tmux_keys "$1" Enter
  check "  … a text search says it looks at the newest 256 events" wait_screen "$1" "(of the newest 256)"
  check "  … and finds nothing there" wait_screen "$1" "no event matches the filter"
  tmux_keys "$1" /
  tmux_keys "$1" Enter
  tmux_keys "$1" e e
  check "  … e e: only acks" wait_screen "$1" "only acks"
  check "  … the ack is there" wait_screen "$1" "acknowledged"
  check "  … not cut short: nothing is beyond reach" sh -c '! grep -q "of the newest" "$0"' "$T/screen"
  tmux_keys "$1" e e
  check "  … e e: only notes, and the note is there" wait_screen "$1" "bridge is open, all here"
}

tmux_start live 120 40 "$CUTOVER run $T/rb.md --journal $J --as 'Alice Ng' --role commander"
check "a console on the journal opens" wait_screen live "Phase 1"
filters_find_them live
tmux_keys live Escape q
tmux_start replay 120 40 "$CUTOVER replay $J"
check "a replay of it opens" wait_screen replay "row 1/"
tmux_keys replay End
check "  … at its end" wait_screen replay "flag reads 0%"
filters_find_them replay
finish
