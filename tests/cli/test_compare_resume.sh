# test_compare_resume.sh — `cutover compare` while it runs and after a
# kill -9, through the real binary on SQLite stores: it journals its
# progress and checkpoint (compare_progress) and prints a progress line a
# second on stderr; killed at random moments and run again, each run
# resumes after the last checkpoint, and the end result equals one
# uninterrupted run's — the same divergent keys with the same causes,
# each journaled once, the same counts; --restart starts over.
. tests/lib.sh
. tests/data/fixture.sh
N=40000
make_stores "$T" $N
RB=$T/rb.md
"$CUTOVER" backfill "$RB" >/dev/null 2>&1
# Divergences of several causes, spread over the keys (so that kills fall
# between them), and equal-by-meaning traps that must stay quiet.
sql "$T/new.db" "
  DELETE FROM orders WHERE id IN (1001, 17017, 33033);
  INSERT INTO orders (id, customer) VALUES ($((N + 7)), 'after the last');
  UPDATE orders SET created = datetime(created, '+2 hours') WHERE id IN (2002, 25025);
  UPDATE orders SET note = '' WHERE id = 8008;
  UPDATE orders SET total = 280.3 WHERE id = 4004;
  UPDATE orders SET customer = 'someone else' WHERE id IN (7, 12012, 21021, 29029, 37037, $N);
  UPDATE orders SET note = 'note  30031' WHERE id = 30031;
  UPDATE orders SET total = '630.070' WHERE id = 9001;
  UPDATE orders SET meta = '{ \"b\" : \"x\",  \"a\" : 2 }' WHERE id = 9002;"
pairs() { sql "$1" "SELECT json_extract(body, '\$.key') || ' ' || json_extract(body, '\$.cause') FROM events WHERE kind = 'divergence' ORDER BY 1"; }
outcome() { sql "$1" "SELECT json_extract(body, '\$.rows_old') || '/' || json_extract(body, '\$.rows_new') || '/' || json_extract(body, '\$.divergent') || ' ' || json(json_extract(body, '\$.by_cause')) FROM events WHERE kind = 'compare' ORDER BY seq DESC LIMIT 1"; }

REF=$T/ref.journal
check "an uninterrupted run finds the planted divergences: exit 3" \
  expect_exit 3 "$CUTOVER" compare "$RB" --journal "$REF" --rate 20000
check "  … all 15" test "$(pairs "$REF" | wc -l)" = 15
check "  … progress on stderr, one line an interval when not a terminal" \
  contains "$T/.last" "compare $N/$N rows (100.0%)"
check "  … journaled about once a second, with the checkpoint's key" \
  test "$(sql "$REF" "SELECT count(*) > 1 AND min(json_extract(body, '\$.job') = 'compare:orders' AND json_type(body, '\$.after') = 'array' AND json_extract(body, '\$.total') = $N) FROM events WHERE kind = 'compare_progress'")" = 1
check "  … the last one at the end: every row verified, done" \
  test "$(sql "$REF" "SELECT json_extract(body, '\$.rows') || ' ' || json_extract(body, '\$.divergent') || ' ' || json_extract(body, '\$.done') FROM events WHERE kind = 'compare_progress' ORDER BY seq DESC LIMIT 1")" = "$N 15 1"
check "  … a second run starts afresh, as the comparison was finished" \
  expect_exit 3 "$CUTOVER" compare "$RB" --journal "$REF"
check "  … (it does not say it resumes)" bash -c "! grep -q resuming '$T/.last'"

# kill -9 at KILLS random moments of a paced run, each after at least one
# more checkpoint, then one run to the end.
J=$T/cmp.journal KILLS=5
checkpoints() { sql "$J" "SELECT count(*) FROM events WHERE kind = 'compare_progress'" 2>/dev/null || echo 0; }
more_than() { [ "$(checkpoints)" -gt "$1" ]; }
killed=0
for ((i = 1; i <= KILLS; i++)); do
  before=$(checkpoints)
  "$CUTOVER" compare "$RB" --journal "$J" --rate 3000 >"$T/run$i.out" 2>&1 &
  pid=$!
  wait_for 60 more_than "$before"
  sleep "0.$(( RANDOM % 9 ))"   # a random moment between checkpoints, not an assertion
  kill -9 $pid 2>/dev/null && killed=$((killed + 1))
  wait $pid 2>/dev/null
done
echo "killed $killed times; checkpoints: $(sql "$J" "SELECT group_concat(json_extract(body, '\$.rows'), ' ') FROM events WHERE kind = 'compare_progress'")"
check "kill -9 at $KILLS random moments, each of a running comparison" test "$killed" = $KILLS
check "a run after them resumes and finishes: exit 3" expect_exit 3 "$CUTOVER" compare "$RB" --journal "$J"
grep -q "resuming compare:orders after key" "$T/.last" ||
  grep -q "resuming compare:orders after key" "$T"/run*.out
check "  … it said it resumed from a checkpoint" test $? = 0
check "  … the same divergent keys with the same causes as the uninterrupted run" \
  diff <(pairs "$REF" | sort -u) <(pairs "$J")
check "  … none journaled twice" test "$(pairs "$J" | wc -l)" = "$(pairs "$J" | sort -u | wc -l)"
check "  … the same counts, by cause" test "$(outcome "$J")" = "$(outcome "$REF")"
check "  … and the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"

# On a terminal the progress is one line redrawn in place (\r), with its
# rate and ETA; the summary follows on a line of its own.
tmux_start tty 120 20 "'$CUTOVER' compare '$RB' --rate 20000; echo exit \$?"
check "on a terminal: the progress bar, redrawn in place" wait_screen tty "exit 3" 60
check "  … one line of it, at 100 %, with rate and ETA" \
  test "$(grep -c '^compare [0-9]*/[0-9]* rows' "$T/screen")" = 1
check "  … (that line)" grep -q "^compare $N/$N rows (100.0%) [0-9]* rows/s eta 0s, 15 divergent" "$T/screen"

check "--restart starts over" expect_exit 3 "$CUTOVER" compare "$RB" --journal "$J" --restart --format json
check "  … and reports every divergence again" test "$(grep -c '"cause"' "$T/.last")" = 15
check "  … a restart is journaled as a progress with no checkpoint" \
  test "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'compare_progress' AND json_extract(body, '\$.after') IS NULL")" = 1
finish
