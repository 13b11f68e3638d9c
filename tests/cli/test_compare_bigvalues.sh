#!/bin/bash
# test_compare_bigvalues.sh — a divergence's key and values as a reader,
# a console and a resumed comparison get them, whatever the key's type
# and the value's size.
#
# A bytea key on PostgreSQL was bound into the range queries as its raw
# bytes, as if text: x'00ff' was cut at its NUL (the empty bytea), x'5c78'
# read back as PostgreSQL's hex form of nothing, and x'c328' is no UTF-8,
# which the server refused ("invalid byte sequence for encoding"), so a
# comparison keyed by a bytea failed (exit 1) or called rows that both
# sides hold missing and extra. Now a blob key goes to the server as
# PostgreSQL's hex text of it (\x00ff), and such a comparison finds
# exactly the rows that differ, from PostgreSQL into SQLite, the other
# way and PostgreSQL into PostgreSQL.
. tests/lib.sh
. tests/data/pg.sh
pg_shop A
p() { pgq "$A_PORT" shop "$1"; }
PG="postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\`"
runbook() { key_runbook "$1" 'Big values' "$2" "$3"; }  # FILE OLD-SYSTEM NEW-SYSTEM
# same GOT WANT: true when they are equal, else says both
same() { [ "$1" = "$2" ] || { printf 'got:  %s\nwant: %s\n' "$1" "$2"; return 1; }; }
# json_lines FILE: true when every line of FILE is a JSON document
json_lines() { python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$1"; }

# blob keys: a NUL, no UTF-8, PostgreSQL's hex prefix, a plain letter,
# and 200 more; every row's value differs in new but the four's
KEYS="(x'00ff', 'a'), (x'c328', 'b'), (x'5c78', 'c'), (x'41', 'd')"
sql "$T/old.db" "CREATE TABLE t (k BLOB PRIMARY KEY, v TEXT); INSERT INTO t VALUES $KEYS;
  WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 200)
  INSERT INTO t SELECT CAST(x'ee' || randomblob(3) || g AS BLOB), 'same' FROM s"
cp "$T/old.db" "$T/new.db"
sql "$T/new.db" "UPDATE t SET v = 'changed' WHERE v != 'same'"
p "CREATE TABLE bk (k bytea PRIMARY KEY, v text); CREATE TABLE bk2 (k bytea PRIMARY KEY, v text)" >/dev/null
sql "$T/old.db" "SELECT hex(k) || ',' || v FROM t" | p "COPY bk FROM STDIN WITH (FORMAT csv)" >/dev/null
p "UPDATE bk SET k = decode(encode(k, 'escape'), 'hex')" >/dev/null
sql "$T/new.db" "SELECT hex(k) || ',' || v FROM t" | p "COPY bk2 FROM STDIN WITH (FORMAT csv)" >/dev/null
p "UPDATE bk2 SET k = decode(encode(k, 'escape'), 'hex')" >/dev/null
runbook "$T/pg_lite.md" "$PG table \`bk\`" "sqlite \`$T/new.db\` table \`t\`"
runbook "$T/lite_pg.md" "sqlite \`$T/old.db\` table \`t\`" "$PG table \`bk2\`"
runbook "$T/pg_pg.md" "$PG table \`bk\`" "$PG table \`bk2\`"
for rb in pg_lite lite_pg pg_pg; do
  check "$rb, a bytea key: the four changed rows diverge (exit 3)" \
    expect_exit 3 "$CUTOVER" compare "$T/$rb.md" --format json
  check "  … four value divergences, no row missing or extra" \
    same "$(grep -c '"cause":"value"' "$T/.last") $(grep -c '"cause":"\(missing-in-new\|extra-in-new\)"' "$T/.last")" "4 0"
done
finish
