#!/bin/bash
# test_compare_typedkey.sh — a divergence's key, as a post-mortem reader
# and a resumed comparison need it. `key` is text ("10", "x,y,z"): it
# cannot tell the integer 10 from the text '10' (both in one untyped
# SQLite key, which orders numbers before text) nor the composite key
# ('x,y', 'z') from ('x', 'y,z'). `key_values` gives the key as typed
# JSON values ([10], ["10"], ["x,y","z"]). A comparison resumed after
# kill -9 used the text to skip the divergences journaled before the
# kill, and so dropped a second row whose key reads alike: the summary
# counted 2 divergences, the journal held 1 (printed and journaled: the
# integer's only). It now tells them apart by their typed values.
. tests/lib.sh
. tests/data/compare.sh
runbook() {  # FILE OLD NEW KEY
  printf '# Typed keys\n\n## Roles\n- commander: Ana\n\n## Systems\n- old: sqlite `%s` table `t`\n- new: sqlite `%s` table `t`\n\n## Mapping\n- key `%s`\n\n## Phase 2: Backfill {readonly}\n- [ ] commander: copy `backfill`\n' \
    "$2" "$3" "$4" >"$1"
}
N=3000
# integers 1..N then the text '10' (numbers sort before text); the integer
# 10 and the text '10' both differ in new
sql "$T/old.db" "CREATE TABLE t (k PRIMARY KEY, v TEXT);
  WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $N)
  INSERT INTO t SELECT g, 'v' || g FROM s;
  INSERT INTO t VALUES ('10', 'text ten')"
cp "$T/old.db" "$T/new.db"
sql "$T/new.db" "UPDATE t SET v = 'changed' WHERE k = 10 OR k = '10'"
runbook "$T/mixed.md" "$T/old.db" "$T/new.db" k
check "the integer 10 and the text '10' both differ: exit 3" \
  expect_exit 3 "$CUTOVER" compare "$T/mixed.md" --format json
check "  … two divergences, both with the key \"10\" as before" test "$(grep -c '"key":"10",' "$T/.last")" = 2
check "  … the integer's typed key, last on its line" grep -q '^{"key":"10",.*,"key_values":\[10\]}$' "$T/.last"
check "  … the text's" grep -q '^{"key":"10",.*,"key_values":\["10"\]}$' "$T/.last"

# composite keys whose text reads alike: ('x', 'y,z') first, then
# N rows ('x!0001' …), then ('x,y', 'z')
sql "$T/cold.db" "CREATE TABLE t (a TEXT, b TEXT, v TEXT, PRIMARY KEY (a, b));
  WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $N)
  INSERT INTO t SELECT printf('x!%04d', g), 'b', 'v' FROM s;
  INSERT INTO t VALUES ('x', 'y,z', 'one'), ('x,y', 'z', 'two')"
cp "$T/cold.db" "$T/cnew.db"
sql "$T/cnew.db" "UPDATE t SET v = 'changed' WHERE a IN ('x', 'x,y')"
runbook "$T/comp.md" "$T/cold.db" "$T/cnew.db" "a, b"
check "composite keys ('x', 'y,z') and ('x,y', 'z') both differ: exit 3" \
  expect_exit 3 "$CUTOVER" compare "$T/comp.md" --format json
check "  … each with its typed key" \
  bash -c "grep -qF ',\"key_values\":[\"x\",\"y,z\"]}' '$T/.last' && grep -qF ',\"key_values\":[\"x,y\",\"z\"]}' '$T/.last'"

# resume RUNBOOK JOURNAL: a paced run killed once it journaled a
# divergence (the first of the two), then run to the end
journaled() { sql "$1" "SELECT count(*) FROM events WHERE kind = 'divergence'"; }
counted() { sql "$1" "SELECT json_extract(body, '\$.divergent') FROM events WHERE kind = 'compare' ORDER BY seq DESC LIMIT 1"; }
resume() {
  killed_compare "$1" "$2" 1000 diverged "$2"
  "$CUTOVER" compare "$1" --journal "$2" --format json >"$2.run2" 2>&1
}
for rb in mixed comp; do
  resume "$T/$rb.md" "$T/$rb.j"
  echo "$rb, resumed after kill -9: $(journaled "$T/$rb.j") journaled, $(counted "$T/$rb.j") counted"
  check "$rb: killed after the first divergence and resumed: both counted" test "$(counted "$T/$rb.j")" = 2
  check "  … both journaled, once each" test "$(journaled "$T/$rb.j")" = 2
  check "  … the second printed by the resumed run" test "$(grep -c '"cause"' "$T/$rb.j.run2")" = 1
done
finish
