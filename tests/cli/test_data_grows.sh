# test_data_grows.sh — old grows while it is copied and compared (the
# application's inserts land past the end the run counted at its start):
# the backfill and the compare on SQLite stores, each paced, with rows
# inserted into old meanwhile. Neither reports more rows done than its
# total ("7832 of 7831 rows verified" in the demo's report, "30208/30000
# rows" in a backfill's progress), and each ends on N/N, N being every
# row it went through. (PostgreSQL's backfill: test_backfill_dualwrite.)
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
N=20000
data_fixture $N g.journal

grow() {  # grow FROM: 2000 rows after FROM into old, in 10 commits
  local k
  for k in $(seq 0 9); do
    sql "$T/old.db" "WITH RECURSIVE s(i) AS (SELECT $1 + $k * 200 + 1 UNION ALL SELECT i + 1 FROM s WHERE i < $1 + $k * 200 + 200)
      INSERT INTO orders_legacy SELECT i, 'late ' || i, i * 7, 'n', '2024-01-01 00:00:00', '{}', '2024-01-01 00:00:00', 0 FROM s" || return 1
  done
}
within_total() {  # FILE WHAT: no progress line "WHAT A/B rows" has A > B (those printed)
  awk -v what="$2" '$1 == what && $2 ~ /^[0-9]+\/[0-9]+$/ { split($2, f, "/"); if (f[1] + 0 > f[2] + 0) { print; bad = 1 } } END { exit bad }' "$1"
}
ends_whole() {  # FILE WHAT: the last progress line is N/N (100.0%)
  grep -E "^$2 [0-9]+/[0-9]+ rows" "$1" | tail -1 | grep -qE "^$2 ([0-9]+)/\\1 rows \\(100\\.0%\\)"
}

"$CUTOVER" backfill "$RB" --journal "$J" --rate 4000 --batch 500 >"$T/bf.out" 2>&1 &
bf=$!
check "the backfill is under way" wait_until 20 grep -q "^backfill [0-9]" "$T/bf.out"
check "old grows by 2000 rows meanwhile" grow $N
wait $bf; rc=$?
check "the backfill finishes: exit 0" test $rc = 0
check "  … it copied the rows that came meanwhile" \
  test "$(sql "$T/new.db" "SELECT count(*) FROM orders")" = $((N + 2000))
check "  … no progress line says more rows copied than its total" within_total "$T/bf.out" backfill
check "  … its last line: every row, N/N" ends_whole "$T/bf.out" backfill
check "  … and the journal's last backfill event says the same" \
  test "$(sql "$J" "SELECT json_extract(body,'\$.rows') = json_extract(body,'\$.total') FROM events WHERE kind='backfill' ORDER BY seq DESC LIMIT 1")" = 1

"$CUTOVER" compare "$RB" --journal "$J" --rate 4000 >"$T/cmp.out" 2>&1 &
cmp=$!
check "the compare is under way" wait_until 20 grep -q "^compare [0-9]" "$T/cmp.out"
check "old grows by 2000 more rows meanwhile" grow $((N + 2000))
wait $cmp; rc=$?
check "the compare finishes: exit 3 (the new rows are missing in new)" test $rc = 3
check "  … no progress line says more rows verified than its total" within_total "$T/cmp.out" compare
check "  … its last line: every row, N/N" ends_whole "$T/cmp.out" compare
check "  … and the journal's last compare_progress says the same" \
  test "$(sql "$J" "SELECT json_extract(body,'\$.rows') = json_extract(body,'\$.total') FROM events WHERE kind='compare_progress' ORDER BY seq DESC LIMIT 1")" = 1
finish
