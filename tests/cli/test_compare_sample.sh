# test_compare_sample.sh — `cutover compare --sample N` through the real
# binary on SQLite stores: N keys drawn at random from old's, each row
# compared through the mapping, the divergence rate printed and journaled
# with its 95 % Wilson interval. With 2 % of rows planted divergent, the
# interval holds 2 % (a 95 % interval misses 1 time in 20 by design, so of
# five samples at least three must hold it: false alarm about 1 in 800).
# --rate N keeps a sample to N keys a second too (each key is a lookup on
# both sides): it was ignored, 300 keys at --rate 200 took 0.1 s.
. tests/lib.sh
. tests/data/fixture.sh
N=50000
make_stores "$T" $N
RB=$T/rb.md J=$T/s.journal
"$CUTOVER" backfill "$RB" >/dev/null 2>&1
check "a sample of a faithful copy: exit 0" expect_exit 0 "$CUTOVER" compare "$RB" --sample 500 --journal "$J"
check "  … rate 0, and the interval's upper bound" \
  contains "$T/.last" "compare sample: 500 keys of old's, 0 divergent: rate 0.0000% (95% Wilson interval 0.0000% – 0.7624%)"
sql "$T/new.db" "UPDATE orders SET customer = customer || '!' WHERE id % 50 = 7"
inside=0
for i in 1 2 3 4 5; do
  "$CUTOVER" compare "$RB" --sample 2000 --journal "$J" --format json >"$T/s$i.out" 2>&1
  echo "exit $?" >>"$T/s$i.out"
  b=$(sql "$J" "SELECT json_extract(body, '\$.rate_low') <= 0.02 AND 0.02 <= json_extract(body, '\$.rate_high') FROM events WHERE kind = 'compare' ORDER BY seq DESC LIMIT 1")
  echo "sample $i: $(sql "$J" "SELECT json_extract(body, '\$.rate') || ' in [' || json_extract(body, '\$.rate_low') || ', ' || json_extract(body, '\$.rate_high') || ']' FROM events WHERE kind = 'compare' ORDER BY seq DESC LIMIT 1")"
  [ "$b" = 1 ] && inside=$((inside + 1))
done
check "2 % planted: the sample's interval holds it (at least 3 of 5 samples)" test $inside -ge 3
check "  … a sample that found divergences exits 3" contains "$T/s1.out" "exit 3"
check "  … each divergent row with its cause, through the mapping" \
  grep -q '"cause":"value","columns":\["customer"\]' "$T/s1.out"
check "  … the summary carries the sample, the rate and its interval" \
  grep -q '"summary":{"rows_old":2000,"rows_new":2000,"divergent":[0-9]*,"by_cause":{"value":[0-9]*},"sample":2000,"rate":' "$T/s1.out"
check "  … journaled as a compare of the job, marked as a sample" \
  test "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'compare' AND json_extract(body, '\$.sample') = 2000 AND json_extract(body, '\$.job') = 'compare:orders'")" = 5
check "  … and every key drawn is old's, none twice" \
  test "$(sed -n 's/^{"key":"\([0-9]*\)".*/\1/p' "$T/s1.out" | sort | uniq -d | wc -l)" = 0
check "a missing row in a sample is missing-in-new" bash -c "
  sqlite3 '$T/new.db' 'DELETE FROM orders WHERE id % 50 = 7' &&
  '$CUTOVER' compare '$RB' --sample 300 | grep -q 'missing-in-new'"
t0=$(now_ms)
"$CUTOVER" compare "$RB" --sample 300 --rate 200 >"$T/paced.out" 2>&1
took=$(( $(now_ms) - t0 ))
check "--sample 300 --rate 200 keeps to its rate: at least 1.4 s (took $took ms)" test "$took" -ge 1400
check "  … and compares the 300 keys" contains "$T/paced.out" "compare sample: 300 keys of old's"
check "--sample wants a number" expect_exit 2 "$CUTOVER" compare "$RB" --sample many
check "  … and says so" contains "$T/.last" "--sample wants a number of keys, not \`many\`"
finish
