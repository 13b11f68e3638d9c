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
#
# Such a key was then written into the divergence as its raw bytes, in
# `key` and in `key_values`: x'00ff' as "" (cut at the NUL), x'c328' as
# bytes that are no UTF-8, so that the JSON line and the journaled event
# were not JSON, and the checkpoint's key (`after`) was read back as
# text, which orders before every blob. A comparison killed twice and
# resumed took a second divergence for the one journaled before the
# first kill (both keys read "", cut at their first byte, a NUL) and
# neither printed nor journaled it, and resumed from its checkpoint it
# verified old's rows again from the first: 6,000 rows counted 8,000, 3
# divergent counted, 1 journaled, on SQLite and on PostgreSQL. Now the
# key reads \x00ff, as PostgreSQL writes a bytea, in `key`, the text
# form and the checkpoint's `cursor`, and in `key_values` and `after` it
# is {"bytes": 2, "hex": "00ff"}, as a blob value shows; every line and
# event parses as JSON, and a resumed comparison goes on after its
# checkpoint and knows the divergences it journaled.
#
# A text value in a divergence was written whole: a 5,000,000-character
# text ('aé' …, 7.5 MB) that differs made an output line and a
# journaled event of 15 MB each (every console folds the journal); the
# suite shows it on 50,000 characters, as bounded as 5,000,000 but cheap
# to make and compare. Now a text longer than 1,024
# characters is {"chars": N, "from": OFFSET, "text": "…"}: 1,024 of its
# characters, the first, or, where old's and new's are both longer, from
# 64 before the first that differs, cut between characters (a change
# inside an é shows whole é's); shorter texts are plain strings as they
# were, so each line stays under 4,000 bytes and valid UTF-8.
. tests/lib.sh
. tests/data/pg.sh
. tests/data/compare.sh
pg_shop A
p() { pgq "$A_PORT" shop "$1"; }
PG="postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\`"
runbook() { key_runbook "$1" 'Big values' "$2" "$3"; }  # FILE OLD-SYSTEM NEW-SYSTEM
# same GOT WANT: true when they are equal, else says both
same() { [ "$1" = "$2" ] || { printf 'got:  %s\nwant: %s\n' "$1" "$2"; return 1; }; }
# json_lines FILE: true when every line of FILE is a JSON document
# stdout_only COMMAND…: its output without what it says on stderr (progress)
stdout_only() { "$@" 2>/dev/null; }
# (as UTF-8: Python's stdin would let bytes that are not through)
json_lines() { python3 -c 'import json,sys; [json.loads(l.decode("utf-8")) for l in sys.stdin.buffer]' <"$1"; }

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
runbook "$T/lite_lite.md" "sqlite \`$T/old.db\` table \`t\`" "sqlite \`$T/new.db\` table \`t\`"
for rb in pg_lite lite_pg pg_pg lite_lite; do
  check "$rb, a bytea key: the four changed rows diverge (exit 3)" \
    expect_exit 3 stdout_only "$CUTOVER" compare "$T/$rb.md" --format json
  check "  … four value divergences, no row missing or extra" \
    same "$(grep -c '"cause":"value"' "$T/.last") $(grep -c '"cause":"\(missing-in-new\|extra-in-new\)"' "$T/.last")" "4 0"
  check "  … every line of it JSON" json_lines "$T/.last"
  check "  … x'00ff' keyed \\x00ff, its typed value the bytes in hex" contains "$T/.last" \
    '{"key":"\\x00ff","cause":"value","columns":["v"],"old":{"v":"a"},"new":{"v":"changed"},"key_values":[{"bytes":2,"hex":"00ff"}]}'
  check "  … x'c328' (no UTF-8) keyed \\xc328" contains "$T/.last" \
    '{"key":"\\xc328","cause":"value","columns":["v"],"old":{"v":"b"},"new":{"v":"changed"},"key_values":[{"bytes":2,"hex":"c328"}]}'
done
check "journaled: lite_lite" expect_exit 3 "$CUTOVER" compare "$T/lite_lite.md" --journal "$T/j"
check "  … each divergence event JSON, keyed as printed" same \
  "$(sql "$T/j" "SELECT group_concat(json_valid(body) || ' ' || json_extract(body, '\$.key') || ' ' || json(json_extract(body, '\$.key_values')), ' | ') FROM (SELECT body FROM events WHERE kind = 'divergence' ORDER BY json_extract(body, '\$.key'))")" \
  '1 \x00ff [{"bytes":2,"hex":"00ff"}] | 1 \x41 [{"bytes":1,"hex":"41"}] | 1 \x5c78 [{"bytes":2,"hex":"5c78"}] | 1 \xc328 [{"bytes":2,"hex":"c328"}]'
check "  … and the text form" contains "$T/.last" 'key \x00ff: value v: "a" → "changed"'

# resumed after kill -9: 6,000 rows keyed by bytes with a NUL and no UTF-8
# (x'00' '00001' x'c3' …), the 10th and the 5,990th changed in new; a
# paced run killed once it journaled the first, another once it is 1,500
# rows in (a checkpoint past the first), then a run to the end
N=6000
sql "$T/rold.db" "CREATE TABLE t (k BLOB PRIMARY KEY, v TEXT);
  WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $N)
  INSERT INTO t SELECT CAST(x'00' || printf('%05d', g) || x'c3' AS BLOB), 'v' || g FROM s"
cp "$T/rold.db" "$T/rnew.db"
sql "$T/rnew.db" "UPDATE t SET v = 'changed' WHERE v IN ('v10', 'v5990')"
p "CREATE TABLE rk (k bytea PRIMARY KEY, v text); CREATE TABLE rk2 (k bytea PRIMARY KEY, v text)" >/dev/null
sql "$T/rold.db" "SELECT hex(k) || ',' || v FROM t" | p "COPY rk FROM STDIN WITH (FORMAT csv)" >/dev/null
sql "$T/rnew.db" "SELECT hex(k) || ',' || v FROM t" | p "COPY rk2 FROM STDIN WITH (FORMAT csv)" >/dev/null
p "UPDATE rk SET k = decode(encode(k, 'escape'), 'hex'); UPDATE rk2 SET k = decode(encode(k, 'escape'), 'hex')" >/dev/null
runbook "$T/rlite.md" "sqlite \`$T/rold.db\` table \`t\`" "sqlite \`$T/rnew.db\` table \`t\`"
runbook "$T/rpg.md" "$PG table \`rk\`" "$PG table \`rk2\`"
verified() { [ "$(sql "$1" "SELECT coalesce(max(json_extract(body, '\$.rows')), 0) FROM events WHERE kind = 'compare_progress'" 2>/dev/null)" -ge "$2" ]; }
journaled() { sql "$1" "SELECT count(*), sum(json_valid(body)) FROM events WHERE kind = 'divergence'"; }
finished() { sql "$1" "SELECT json_extract(body, '\$.rows_old') || ' ' || json_extract(body, '\$.divergent') FROM events WHERE kind = 'compare' ORDER BY seq DESC LIMIT 1"; }
for rb in rlite rpg; do
  check "$rb: a paced comparison journals its first divergence" \
    killed_compare "$T/$rb.md" "$T/$rb.j" 500 diverged "$T/$rb.j"
  check "  … killed, run again: it checkpoints past 1,500 rows" \
    killed_compare "$T/$rb.md" "$T/$rb.j" 500 verified "$T/$rb.j" 1500
  check "  … killed, run to the end: exit 3" \
    expect_exit 3 stdout_only "$CUTOVER" compare "$T/$rb.md" --journal "$T/$rb.j" --format json
  check "  … every line of it JSON" json_lines "$T/.last"
  check "  … the second divergence printed by the last run, keyed \\x003035393930c3" \
    same "$(grep '"cause"' "$T/.last" | grep -o '"key":"[^"]*"' | tr '\n' ' ')" '"key":"\\x003035393930c3" '
  check "  … 6,000 rows verified once, 2 divergent" same "$(finished "$T/$rb.j")" "6000 2"
  check "  … both journaled, once each, as JSON" same "$(journaled "$T/$rb.j")" "2|2"
done
# long texts: 50,000 characters ('aé' …) whose 30,000th, an é, is
# an è in new (they differ in its second byte); 1,025 characters only in
# old; 1,024 that differ in the last; a short one
sql "$T/told.db" "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT);
  INSERT INTO t VALUES (1, 'short'), (2, replace(hex(zeroblob(25000)), '00', 'aé')),
    (3, replace(hex(zeroblob(512)), '00', 'xx') || 'é'), (4, replace(hex(zeroblob(512)), '00', 'yy'))"
cp "$T/told.db" "$T/tnew.db"
sql "$T/tnew.db" "UPDATE t SET v = 'short!' WHERE k = 1;
  UPDATE t SET v = substr(v, 1, 29999) || 'è' || substr(v, 30001) WHERE k = 2;
  DELETE FROM t WHERE k = 3; UPDATE t SET v = substr(v, 1, 1023) || 'z' WHERE k = 4"
runbook "$T/text.md" "sqlite \`$T/told.db\` table \`t\`" "sqlite \`$T/tnew.db\` table \`t\`"
check "long texts: exit 3" \
  expect_exit 3 stdout_only "$CUTOVER" compare "$T/text.md" --format json --journal "$T/tj"
check "  … every line JSON" json_lines "$T/.last"
WINDOW=$(python3 -c 'import sys; o = "aé" * 25000; n = o[:29999] + "è" + o[30000:]
print(o[29935:29935 + 1024] + " " + n[29935:29935 + 1024])')
check "  … 1,024 characters of each from 64 before the change, on an é's first byte" contains "$T/.last" \
  "{\"key\":\"2\",\"cause\":\"value\",\"columns\":[\"v\"],\"old\":{\"v\":{\"chars\":50000,\"from\":29935,\"text\":\"${WINDOW% *}\"}},\"new\":{\"v\":{\"chars\":50000,\"from\":29935,\"text\":\"${WINDOW#* }\"}},\"key_values\":[2]}"
check "  … a row only in old: the first 1,024 of its 1,025" contains "$T/.last" \
  "{\"key\":\"3\",\"cause\":\"missing-in-new\",\"columns\":[\"k\",\"v\"],\"old\":{\"k\":3,\"v\":{\"chars\":1025,\"text\":\"$(printf 'x%.0s' {1..1024})\"}},\"key_values\":[3]}"
check "  … 1,024 characters and a short text: plain strings, as before" bash -c \
  "grep -qF '{\"key\":\"1\",\"cause\":\"value\",\"columns\":[\"v\"],\"old\":{\"v\":\"short\"},\"new\":{\"v\":\"short!\"},\"key_values\":[1]}' '$T/.last' &&
   grep -qF '\"old\":{\"v\":\"$(printf 'y%.0s' {1..1024})\"},\"new\":{\"v\":\"$(printf 'y%.0s' {1..1023})z\"}' '$T/.last'"
check "  … no line over 4,000 bytes" same "$(LC_ALL=C awk 'length > 4000' "$T/.last" | wc -l)" 0
check "  … nor a journaled divergence" \
  same "$(sql "$T/tj" "SELECT count(*), max(length(CAST(body AS BLOB))) < 4000, sum(json_valid(body)) FROM events WHERE kind = 'divergence'")" "4|1|4"
check "  … the text form the same" expect_exit 3 "$CUTOVER" compare "$T/text.md"
check "  … its lines short too" contains "$T/.last" 'key 2: value v: {"chars":50000,"from":29935,"text":"éaéa'
check "  … no line over 4,000 bytes" same "$(LC_ALL=C awk 'length > 4000' "$T/.last" | wc -l)" 0
finish
