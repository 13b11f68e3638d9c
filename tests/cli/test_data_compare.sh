# test_data_compare.sh — `cutover compare` through the real binary, on
# 120,000 rows copied by backfill then planted with divergences of every
# cause and with differences that are equal by meaning (numeric scale,
# JSON key order and spacing, the same instant in another zone, an integer
# for a whole real): it finds exactly the planted ones, with their causes,
# prints JSON lines and a summary, journals each, and exits 3 (0 before).
. tests/lib.sh
. tests/data/fixture.sh
N=120000
make_stores "$T" $N
RB=$T/rb.md J=$T/cmp.journal
sql "$T/old.db" "UPDATE orders_legacy SET customer_name = 'Zo' || char(235) WHERE id = 5000"
"$CUTOVER" backfill "$RB" >/dev/null 2>&1
check "a fresh copy compares equal" expect_exit 0 "$CUTOVER" compare "$RB" --journal "$J"
check "  … and says so" contains "$T/.last" "$N rows in old, $N in new, 0 divergent"

sql "$T/new.db" "
  DELETE FROM orders WHERE id IN (1001, 55555, $N);
  INSERT INTO orders (id, customer) VALUES (0, 'before the first'), ($((N + 10001)), 'after the last');
  UPDATE orders SET created = datetime(created, '+2 hours') WHERE id = 2002;
  UPDATE orders SET note = '' WHERE id = 3003;
  UPDATE orders SET total = 280.3 WHERE id = 4004;
  UPDATE orders SET note = 'note  6007' WHERE id = 6007;
  UPDATE orders SET customer = 'Zoe' || char(776) WHERE id = 5000;
  UPDATE orders SET customer = 'someone else' WHERE id = 7007;
  UPDATE orders SET meta = '{\"a\":3,\"b\":\"y\"}' WHERE id = 8008;
  -- equal by meaning: none of these is a divergence
  UPDATE orders SET total = '630.070' WHERE id = 9001;
  UPDATE orders SET meta = '{ \"b\" : \"x\",  \"a\" : 2 }' WHERE id = 9002;
  UPDATE orders SET created = strftime('%Y-%m-%dT%H:%M:%S+02:00', 1700000000 + 9003 * 60 + 7200, 'unixepoch') WHERE id = 9003;
  UPDATE orders SET total = 630 WHERE id = 9000;"
cat >"$T/want" <<W
0 extra-in-new
$((N + 10001)) extra-in-new
1001 missing-in-new
2002 time-shift
3003 null-vs-empty
4004 numeric-precision
5000 unicode-normalisation
55555 missing-in-new
6007 whitespace
7007 value
8008 value
$N missing-in-new
W
sort -o "$T/want" "$T/want"
check "planted divergences make compare exit 3" expect_exit 3 "$CUTOVER" compare "$RB" --format json --journal "$J"
cp "$T/.last" "$T/json"
sed -n 's/^{"key":"\([^"]*\)","cause":"\([^"]*\)".*/\1 \2/p' "$T/json" | sort >"$T/got"
check "  … it finds exactly the planted ones, each with its cause" diff "$T/want" "$T/got"
check "  … one JSON object per divergence, with columns and both values" \
  contains "$T/json" '{"key":"2002","cause":"time-shift","columns":["created"],"old":{"created":"2023-11-16 07:35:20"},"new":{"created":"2023-11-16 09:35:20"},"key_values":[2002]}'
check "  … a missing row carries old's values only" \
  contains "$T/json" '{"key":"1001","cause":"missing-in-new","columns":["id","customer","total","note","created","meta","updated_at"],"old":{"id":1001,'
check "  … then the summary" \
  contains "$T/json" '{"summary":{"rows_old":120000,"rows_new":119999,"divergent":12,"by_cause":{"missing-in-new":3,"extra-in-new":2,"time-shift":1,"null-vs-empty":1,"numeric-precision":1,"whitespace":1,"unicode-normalisation":1,"value":2}}}'
check "  … each divergence is journaled" \
  test "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'divergence'")" = 12
check "  … with its cause and key" \
  test "$(sql "$J" "SELECT json_extract(body, '\$.cause') FROM events WHERE kind = 'divergence' AND json_extract(body, '\$.key') = '6007'")" = whitespace
check "  … and the outcome" \
  test "$(sql "$J" "SELECT group_concat(json_extract(body, '\$.divergent') || '/' || json_extract(body, '\$.diverged')) FROM events WHERE kind = 'compare'")" = "0/0,12/1"
check "  … and the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
check "the text form names each row and its differing fields" expect_exit 3 "$CUTOVER" compare "$RB"
check "  … e.g. the precision" contains "$T/.last" "key 4004: numeric-precision total: 280.28 → 280.3"
check "  … and sums up" contains "$T/.last" "12 divergent"

# Many differences: every 100th row changed is still found, row by row
# (N / 100 of them, and 7007 planted above).
sql "$T/new.db" "UPDATE orders SET customer = customer || '!' WHERE id % 100 = 50"
check "1 % of rows divergent" expect_exit 3 "$CUTOVER" compare "$RB" --format json
check "  … every one of them found" \
  test "$(grep -c '"cause":"value","columns":\["customer"\]' "$T/.last")" = $(( N / 100 + 1 ))
check "a usage error exits 2" expect_exit 2 "$CUTOVER" compare
finish
