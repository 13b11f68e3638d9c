#!/bin/bash
# test_compare_bigkey.sh — a comparison of a table whose integer key is
# beyond 2^53 (snowflake ids, 2^60 and up), resumed after kill -9: the
# checkpoint's key was journaled as a JSON number, a double, and came
# back rounded to a multiple of 256 — on SQLite the resumed run started
# up to 255 rows past the checkpoint and never compared them (of 120
# planted divergences it found fewer), on PostgreSQL it could not start at
# all (`invalid input syntax for type bigint: "1.152921504606848e+18"`).
# The checkpoint keeps such a key exactly ({"int": "DIGITS"}), and the
# resumed run finds what an uninterrupted one finds.
. tests/lib.sh
. tests/data/pg.sh
. tests/data/compare.sh
runbook() { key_runbook "$1" "Big keys" "$2" "$3"; }  # FILE OLD-SYSTEM NEW-SYSTEM
N=6000 BASE=$((1 << 60))
# a divergence every 50 keys (g % 50 = 7): each window a rounded
# checkpoint skips (1001-1024, 2001-2048 … 5001-5120) holds one
after_json() { sql "$1" "SELECT json_extract(body, '\$.after') FROM events WHERE kind = 'compare_progress' AND json_extract(body, '\$.after') IS NOT NULL ORDER BY seq LIMIT 1"; }
checkpointed() { [ -n "$(after_json "$1")" ]; }
divergent() { sql "$1" "SELECT json_extract(body, '\$.divergent') FROM events WHERE kind = 'compare' ORDER BY seq DESC LIMIT 1"; }
journaled() { sql "$1" "SELECT count(DISTINCT json_extract(body, '\$.key')) FROM events WHERE kind = 'divergence'"; }
# resume RUNBOOK JOURNAL: a paced run killed once it checkpointed, then run to the end
resume() {
  killed_compare "$1" "$2" 1000 checkpointed "$2"
  "$CUTOVER" compare "$1" --journal "$2" >"$2.run2" 2>&1
}

sql "$T/old.db" "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT);
  WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $N)
  INSERT INTO t SELECT $BASE + g, 'v' || g FROM s"
cp "$T/old.db" "$T/new.db"
sql "$T/new.db" "UPDATE t SET v = 'changed' WHERE (k - $BASE) % 50 = 7"
runbook "$T/lite.md" "sqlite \`$T/old.db\` table \`t\`" "sqlite \`$T/new.db\` table \`t\`"
check "SQLite, keys from 2^60: an uninterrupted run finds the 120 divergences" \
  expect_exit 3 "$CUTOVER" compare "$T/lite.md" --journal "$T/ref"
check "  … 120" test "$(divergent "$T/ref")" = 120
resume "$T/lite.md" "$T/lite.j"
check "killed after a checkpoint: the checkpoint holds the key exactly" \
  bash -c "grep -q '\"int\":\"$((BASE + 1000))\"' <<<'$(after_json "$T/lite.j")'"
echo "SQLite, resumed: $(divergent "$T/lite.j") divergent"
check "  … the resumed run said where it resumed" contains "$T/lite.j.run2" "after key $((BASE + 1000))"
check "  … and found all 120" test "$(divergent "$T/lite.j")" = 120
check "  … each journaled once" test "$(journaled "$T/lite.j")" = 120

pg_shop A
PG="postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\`"
pgq "$A_PORT" shop "CREATE TABLE big_old (k bigint PRIMARY KEY, v text);
  INSERT INTO big_old SELECT $BASE + g, 'v' || g FROM generate_series(1, $N) g;
  CREATE TABLE big_new AS SELECT * FROM big_old; ALTER TABLE big_new ADD PRIMARY KEY (k);
  UPDATE big_new SET v = 'changed' WHERE (k - $BASE) % 50 = 7" >/dev/null
runbook "$T/pg.md" "$PG table \`big_old\`" "$PG table \`big_new\`"
resume "$T/pg.md" "$T/pg.j"
check "PostgreSQL, keys from 2^60, killed after a checkpoint: the resumed run finishes" \
  contains "$T/pg.j.run2" "resuming compare:big_new after key $((BASE + 1000))"
echo "PostgreSQL, resumed: $(divergent "$T/pg.j") divergent; $(grep -o 'invalid input syntax.*' "$T/pg.j.run2")"
check "  … without an error" bash -c "! grep -q 'invalid input syntax' '$T/pg.j.run2'"
check "  … and found all 120" test "$(divergent "$T/pg.j")" = 120
check "  … each journaled once" test "$(journaled "$T/pg.j")" = 120
finish
