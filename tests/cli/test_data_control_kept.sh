# test_data_control_kept.sh — a backfill paused and slowed by a person,
# whose copy dies (kill -9) and is started again as a console starts it
# (--driven, with its step's --rate): the new copy keeps the pause and the
# person's rate, says so and journals them; --resume lets it go on at that
# rate. A person's own --rate on a start by hand sets the rate (and is kept
# in turn); the pause is still kept until --resume.
. tests/lib.sh
. tests/data/fixture.sh
make_stores "$T" 100000
J=$T/kept.journal RB=$T/rb.md
events() { sql "$J" "SELECT count(*) FROM events WHERE kind = '$1' AND $2"; }
row() { sql "$T/new.db" "SELECT rate || ' ' || paused FROM cutover_backfill_control"; }
gone() { ! kill -0 "$1" 2>/dev/null; }
said() { grep -qF -- "$2" "$1"; }
pauses_said() { [ "$(grep -c 'backfill: paused$' "$T/run.err")" -ge "$1" ]; }
paused_at() { [ "$(events backfill "json_extract(body, '\$.paused') = 1 AND json_extract(body, '\$.rate') = $1")" -ge "$2" ]; }
# started: a copy as the console starts one, in the background; its pid in $pid
started() { "$CUTOVER" backfill "$RB" --journal "$J" --driven --rate 2000 "$@" 2>"$T/run.err" & pid=$!; }

started
check "a copy starts at its step's rate" wait_for 30 at_least 1000
check "a person slows it" expect_exit 0 "$CUTOVER" backfill "$RB" --rate 300 --running --journal "$J"
check "  … and pauses it" expect_exit 0 "$CUTOVER" backfill "$RB" --pause --journal "$J"
check "  … which it obeys" wait_for 30 said "$T/run.err" "backfill: paused"
kill -9 $pid; wait $pid 2>/dev/null
held=$(ckpt)
started
check "started again as a console does: it keeps the pause" \
  wait_for 30 said "$T/run.err" "paused, as the last control left it"
check "  … and the person's rate, saying so" contains "$T/run.err" "rate a person last set, 300 rows/s"
check "  … journaled: a checkpoint paused at rate 300" wait_for 30 paused_at 300 2
check "  … the control row still paused at 300" test "$(row)" = "300.0 1"
check "  … the checkpoint held still" test "$(ckpt)" = "$held"
check "--resume" expect_exit 0 "$CUTOVER" backfill "$RB" --resume --journal "$J"
check "  … it copies on" wait_for 30 at_least $((held + 300))
check "  … at the person's rate" test \
  "$(events backfill "json_extract(body, '\$.paused') IS NULL AND json_extract(body, '\$.rate') = 300 AND json_extract(body, '\$.rows') > $held")" -ge 1
check "a console's start while it runs is refused (exit 4: the console watches that copy), its rate left alone" \
  expect_exit 4 "$CUTOVER" backfill "$RB" --journal "$J" --driven --rate 2000
check "  … still 300" test "$(row)" = "300.0 0"
check "--pause again" expect_exit 0 "$CUTOVER" backfill "$RB" --pause --journal "$J"
check "  … obeyed" wait_for 30 pauses_said 2
kill -9 $pid; wait $pid 2>/dev/null
# a person's start by hand with a rate of their own
"$CUTOVER" backfill "$RB" --journal "$J" --rate 1000000 2>"$T/hand.err" & pid=$!
check "a start by hand with --rate: still paused" wait_for 30 said "$T/hand.err" "paused, as the last control"
check "  … at the person's new rate" test "$(row)" = "1000000.0 1"
check "--resume" expect_exit 0 "$CUTOVER" backfill "$RB" --resume --journal "$J"
check "  … and it finishes" wait_for 60 gone $pid
wait $pid; rc=$?
check "  … with exit 0" test "$rc" = 0
check "every row copied once" test "$(sql "$T/new.db" 'SELECT count(*) FROM orders')" = 100000
finish
