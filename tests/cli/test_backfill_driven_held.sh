# test_backfill_driven_held.sh — a console's copy of the backfill
# (`--driven`, with the step's --rate) meets a copy already running.
# Before, it took itself for a control: it set the running copy's rate to
# its own, journaled a backfill_control and exited 0, which the console read
# as "finished". Now it refuses with exit 4, naming the running copy's pid,
# and changes nothing; without --driven a --rate still changes the copy.
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
make_stores "$T" 100000
RB=$T/rb.md J=$T/j.journal
hand=$(sh -c '"$0" backfill "$1" --journal "$2" --rate 2000 >"$3" 2>&1 & echo $!' \
  "$CUTOVER" "$RB" "$J" "$T/hand.log")
check "a copy started by hand copies" wait_for 30 at_least 200
rate() { sql "$T/new.db" "SELECT rate FROM cutover_backfill_control"; }
controls() { sql "$J" "SELECT count(*) FROM events WHERE kind = 'backfill_control'"; }
"$CUTOVER" backfill "$RB" --journal "$J" --driven --rate 50000 >"$T/driven.out" 2>&1
check "a driven copy refuses: exit 4" test $? = 4
check "  … naming the running copy" grep -qF "is already run by another copy (pid $hand)" "$T/driven.out"
check "  … the running copy's rate is its own still" test "$(rate)" = 2000.0
check "  … and no control was journaled" test "$(controls)" = 0
check "the hand copy still runs" kill -0 "$hand"
check "a --rate by hand still changes it" expect_exit 0 "$CUTOVER" backfill "$RB" --journal "$J" --rate 1000000
check "  … journaled as a control" test "$(controls)" = 1
gone() { ! kill -0 "$hand" 2>/dev/null; }
check "the hand copy finishes" wait_for 60 gone
finish
