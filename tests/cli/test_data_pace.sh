#!/bin/bash
# test_data_pace.sh — the backfill's batch size adapts to its target batch
# time (about 200 ms) and to the rate limit, as journaled: from --batch
# 100 with no limit the batches grow (at most doubling each time), and
# under --rate 5000 a batch is at most a target time's worth of rows
# (1,000) and the copy keeps the rate within 10 % over 3 s, measured by
# the checkpoint's own clock (rows and updated_ms, committed with each
# batch). SQLite files.
. tests/lib.sh
. tests/data/fixture.sh
N=200000
make_stores "$T" $N
RB=$T/rb.md J=$T/pace.journal
batches() { sql "$J" "SELECT group_concat(json_extract(body, '\$.batch'), ' ') FROM (SELECT body FROM events WHERE kind = 'backfill' ORDER BY seq)"; }
stamp() { sql "$T/new.db" "SELECT rows || ' ' || updated_ms FROM cutover_backfill"; }
stamp_past() { [ "$(sql "$T/new.db" "SELECT updated_ms FROM cutover_backfill")" -ge "$1" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

check "an unlimited copy from --batch 100" expect_exit 0 "$CUTOVER" backfill "$RB" --batch 100 --journal "$J"
read -r -a b <<<"$(batches)"
grown() {
  local i max=0
  for i in "${b[@]}"; do [ "$i" -gt "$max" ] && max=$i; done
  [ "${b[0]}" -ge 100 ] && [ "$max" -ge 1600 ] || { echo "batches: ${b[*]}"; return 1; }
}
check "  … its batches grow toward the target time (journaled: ${b[*]:0:6} …)" grown
check "  … every row copied" test "$(sql "$T/new.db" "SELECT count(*) FROM orders")" = $N

make_stores "$T" $N
rm -f "$J"
"$CUTOVER" backfill "$RB" --batch 100 --rate 5000 --journal "$J" >"$T/run.out" 2>&1 &
pid=$!
check "a copy at --rate 5000 starts" wait_for 30 at_least 5000
read -r r1 t1 <<<"$(stamp)"
check "  … and goes on for 3 s" wait_for 30 stamp_past $((t1 + 3000))
read -r r2 t2 <<<"$(stamp)"
rate=$(( (r2 - r1) * 1000 / (t2 - t1) ))
check "  … at 5000 rows/s within 10 % (measured $rate)" test "$rate" -ge 4500 -a "$rate" -le 5500
capped() {
  local i n=0
  read -r -a b <<<"$(batches)"
  for i in "${b[@]}"; do [ "$i" -le 1000 ] || { echo "batch $i over 1000: ${b[*]}"; return 1; }; n=$((n + 1)); done
  [ $n -ge 2 ]
}
check "  … its batches at most a target time's worth of rows (1000)" capped
check "lifting the limit" expect_exit 0 "$CUTOVER" backfill "$RB" --rate 0
check "  … the copy finishes" wait_for 60 gone $pid
wait $pid
check "  … every row copied" test "$(sql "$T/new.db" "SELECT count(*) FROM orders")" = $N
finish
