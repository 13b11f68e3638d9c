# test_data_backfill.sh — `cutover backfill` through the real binary:
# the mapping applied (a rename, a cast, a default, an excluded column),
# an upsert that never makes a dual-written row older, the checkpoint
# mirrored to the journal, a composite key, mapping problems at FILE:LINE,
# and kill -9 at 10 random moments: each time the checkpoint is never
# ahead of the data, the run resumes, and compare finds nothing missing
# and nothing duplicated.
. tests/lib.sh
. tests/data/fixture.sh
N=100000
make_stores "$T" $N
RB=$T/rb.md J=$T/bf.journal
new() { sql "$T/new.db" "$1"; }

check "the runbook with its mapping checks" expect_exit 0 "$CUTOVER" check "$RB"
# Dual-write got there first for two rows: 7 newer than old, 8 older.
new "INSERT INTO orders (id, customer, total, updated_at, currency) VALUES
       (7, 'dual', 9.99, '2024-06-01 00:00:00', 'EUR'), (8, 'stale', 1, '2023-01-01 00:00:00', 'EUR')"
check "backfill copies every row" expect_exit 0 "$CUTOVER" backfill "$RB" --journal "$J"
check "  … says it is done" contains "$T/.last" "done, $N rows copied"
check "  … all of them" test "$(new 'SELECT count(*) FROM orders')" = $N
check "  … renamed and cast" test "$(new 'SELECT customer || "|" || total FROM orders WHERE id = 10')" = "cust 10|0.7"
check "  … the default filled in, the excluded one left out" \
  test "$(new "SELECT count(*) FROM orders WHERE currency = 'EUR' AND legacy_flag IS NULL")" = $N
check "  … a row dual-write made newer is kept" test "$(new 'SELECT customer FROM orders WHERE id = 7')" = dual
check "  … a row older than old's is replaced" test "$(new 'SELECT customer FROM orders WHERE id = 8')" = "cust 8"
check "  … the checkpoint is mirrored to the journal" \
  test "$(sql "$J" "SELECT json_extract(body, '\$.rows') || json_extract(body, '\$.done') FROM events WHERE kind = 'backfill' ORDER BY seq DESC LIMIT 1")" = "${N}1"
check "  … and the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
check "a second run has nothing to do" expect_exit 0 "$CUTOVER" backfill "$RB"
check "  … and says so" contains "$T/.last" "already done"
# Old had that write too (dual-write writes both): then they agree.
sql "$T/old.db" "UPDATE orders_legacy SET updated_at = '2024-06-01 00:00:00', customer_name = 'dual',
                 total_cents = 999, note = NULL, created = NULL, meta = NULL WHERE id = 7"
check "compare then finds old and new the same" expect_exit 0 "$CUTOVER" compare "$RB"

# kill -9 at 10 random moments of a paced copy, each resumed.
new "DELETE FROM orders; DELETE FROM cutover_backfill"
# The checkpoint's key is never ahead of the rows: ids are 1..N, so every
# id up to the cursor is in new, and rows counts exactly those.
consistent() {
  local c; c=$(new "SELECT coalesce(max(k0), 0) || ' ' || coalesce(max(rows), 0) FROM cutover_backfill")
  set -- $c
  [ "$1" = "$2" ] && [ "$(new "SELECT count(*) FROM orders WHERE id <= $1")" = "$1" ]
}
kills=0 ok_all=1
for i in 1 2 3 4 5 6 7 8 9 10; do
  # a random point in the i-th twelfth of the copy, so the 10th comes before the end
  # (paced at 10,000 rows/s: the last twelfth lasts over a second, time for a
  # poll on a loaded machine to see the target before the copy ends)
  target=$(( i * N / 12 + RANDOM % (N / 24) ))
  "$CUTOVER" backfill "$RB" --journal "$J" --rate 10000 --batch 300 >"$T/kill$i.out" 2>&1 &
  pid=$!
  wait_for 60 at_least "$target" || ok_all=0
  sleep "0.0$(( RANDOM % 10 ))"   # a random moment inside a batch, not an assertion
  kill -9 $pid 2>/dev/null && kills=$((kills + 1))
  wait $pid 2>/dev/null
  echo "kill $i at $(ckpt) rows (target $target)"
  consistent || { ok_all=0; echo "inconsistent after kill $i: $(new 'SELECT * FROM cutover_backfill')"; }
done
check "10 kill -9 during the copy" test "$kills" = 10
check "  … each left the checkpoint behind or at the data, never ahead" test "$ok_all" = 1
check "  … a run after them resumes" expect_exit 0 "$CUTOVER" backfill "$RB" --journal "$J"
check "  … from its checkpoint" contains "$T/.last" "resuming backfill:orders"
check "  … to every row, none twice" \
  test "$(new 'SELECT count(*) || " " || count(DISTINCT id) FROM orders')" = "$N $N"
check "  … and compare finds nothing missing or extra" expect_exit 0 "$CUTOVER" compare "$RB"
check "  … (its summary)" contains "$T/.last" "$N rows in old, $N in new, 0 divergent"
check "--restart copies again from the first key" expect_exit 0 "$CUTOVER" backfill "$RB" --restart
check "  … all $N rows" contains "$T/.last" "$N rows copied ($N in this run)"

# A composite key, renamed on the way.
sqlite3 "$T/c_old.db" "CREATE TABLE t (region TEXT, n INTEGER, v TEXT, PRIMARY KEY (region, n));
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 50)
  INSERT INTO t SELECT CASE i % 3 WHEN 0 THEN 'eu' WHEN 1 THEN 'us' ELSE 'ap' END, i, 'v' || i FROM s;"
sqlite3 "$T/c_new.db" "CREATE TABLE u (region TEXT, num INTEGER, v TEXT, PRIMARY KEY (region, num))"
cat >"$T/c.md" <<MD
# Composite

## Roles
- commander: Ana

## Systems
- old: sqlite \`$T/c_old.db\` table \`t\`
- new: sqlite \`$T/c_new.db\` table \`u\`

## Mapping
- key \`region, num\`
- \`num\` from \`n\`

## Phase 1: Copy {readonly}
- [ ] commander: go
MD
check "a composite key copies in small batches" expect_exit 0 "$CUTOVER" backfill "$T/c.md" --batch 7
check "  … every row" test "$(sql "$T/c_new.db" 'SELECT count(*) FROM u')" = 50
check "  … and compares equal" expect_exit 0 "$CUTOVER" compare "$T/c.md"
sql "$T/c_new.db" "DELETE FROM u WHERE region = 'eu' AND num = 3"
check "a row missing under a composite key is found" expect_exit 3 "$CUTOVER" compare "$T/c.md"
check "  … and named by both parts of its key" contains "$T/.last" "key eu,3: missing-in-new"

# Mapping problems name the runbook's line.
sed 's/`customer` from `customer_name`/`customer` from `customer_nam`/' "$RB" >"$T/bad.md"
check "a source old does not have is refused" expect_exit 1 "$CUTOVER" backfill "$T/bad.md"
check "  … at its FILE:LINE" contains "$T/.last" "$T/bad.md:14: mapping: \`customer_nam\` is not a"
sed 's/- key `id`/- key `id` `x`/' "$RB" >"$T/bad2.md"
check "check names a mapping's syntax problem at its line" expect_exit 1 "$CUTOVER" check "$T/bad2.md"
check "  … line 12" contains "$T/.last" "$T/bad2.md:12: mapping: expected"
finish
