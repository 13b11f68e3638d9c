#!/bin/bash
# test_data_bytea.sh — bytes copied and compared as bytes. A backfill
# from PostgreSQL into SQLite wrote a bytea into a BLOB column as the
# text of PostgreSQL's hex form ('\x00ff', typeof text) instead of the
# bytes, and compare then called every such row divergent; now the SQLite
# column holds a blob of the same bytes (empty bytea an empty blob, NULL
# NULL, bytes that are not UTF-8, a NUL and a backslash among them), a
# resumed copy keyed by a bytea goes on after its checkpoint, and compare
# finds the sides equal (exit 0) and a real one-byte difference divergent
# (exit 3). A divergence showed a blob as "<blob of 2 bytes>", which no
# post-mortem can read; it shows the bytes now, {"bytes":2,"hex":"00ff"},
# at most 256 of them (from just before where old and new first differ)
# so that a megabyte's divergence is a short line and a small journal
# event. SQLite → PostgreSQL, SQLite → SQLite and PostgreSQL →
# PostgreSQL kept the bytes already, and are checked the same way.
. tests/lib.sh
. tests/data/pg.sh
pg_shop A
p() { pgq "$A_PORT" shop "$1"; }
PG="postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\`"
runbook() { key_runbook "$1" "Bytes" "$2" "$3"; }  # FILE OLD-SYSTEM NEW-SYSTEM
# same GOT WANT: true when they are equal, else says both
same() { [ "$1" = "$2" ] || { printf 'got:  %s\nwant: %s\n' "$1" "$2"; return 1; }; }
# the bytes of each row as hex, NULL as N: "k:TYPE:HEX|…" in key order
lite_bytes() {  # DB
  sql "$1" "SELECT group_concat(k || ':' || typeof(b) || ':' || CASE WHEN b IS NULL THEN 'N' ELSE hex(b) END, '|') FROM (SELECT * FROM t ORDER BY k)"
}
pg_bytes() {  # TABLE
  p "SELECT string_agg(k || ':' || coalesce(encode(b, 'hex'), 'N'), '|' ORDER BY k) FROM $1"
}
# rows 1–5: two bytes, empty, NULL, not UTF-8 (with a NUL, a newline and
# a backslash), 3,000 bytes
p "CREATE TABLE src (k integer PRIMARY KEY, b bytea);
   INSERT INTO src VALUES (1, '\\x00ff'), (2, '\\x'), (3, NULL), (4, '\\xc328ff000a5c80'),
     (5, decode(repeat('0123456789abcdeffedcba9876543210', 187) || 'c0ffee00', 'hex'))" >/dev/null
HEX5=$(p "SELECT encode(b, 'hex') FROM src WHERE k = 5")
sql "$T/new.db" "CREATE TABLE t (k INTEGER PRIMARY KEY, b BLOB)"
runbook "$T/pg_lite.md" "$PG table \`src\`" "sqlite \`$T/new.db\` table \`t\`"
check "PostgreSQL bytea into an SQLite BLOB: backfill" expect_exit 0 "$CUTOVER" backfill "$T/pg_lite.md"
check "  … each value a blob of the same bytes (empty a blob of none, NULL NULL)" \
  same "$(lite_bytes "$T/new.db")" \
  "1:blob:00FF|2:blob:|3:null:N|4:blob:C328FF000A5C80|5:blob:${HEX5^^}"
check "  … compare finds the two sides equal" expect_exit 0 "$CUTOVER" compare "$T/pg_lite.md"
sql "$T/new.db" "UPDATE t SET b = x'00fe' WHERE k = 1"
check "  … and a one-byte difference divergent" \
  expect_exit 3 "$CUTOVER" compare "$T/pg_lite.md" --format json
check "  … that row only" same "$(grep -c '"cause"' "$T/.last") $(grep -o '"key":"[0-9]*"' "$T/.last")" '1 "key":"1"'
# a divergence shows the bytes (it said "<blob of 2 bytes>"): their hex
# and their length, as JSON, journaled and printed alike
check "  … as JSON, the bytes in hex and their length" \
  expect_exit 3 "$CUTOVER" compare "$T/pg_lite.md" --format json --journal "$T/j"
check "  … the line as documented" grep -qxF \
  '{"key":"1","cause":"value","columns":["b"],"old":{"b":{"bytes":2,"hex":"00ff"}},"new":{"b":{"bytes":2,"hex":"00fe"}},"key_values":[1]}' "$T/.last"
check "  … journaled alike" same \
  "$(sql "$T/j" "SELECT json_extract(body, '\$.old.b') || ' ' || json_extract(body, '\$.new.b') FROM events WHERE kind = 'divergence'")" \
  '{"bytes":2,"hex":"00ff"} {"bytes":2,"hex":"00fe"}'
check "  … and in the text form" expect_exit 3 "$CUTOVER" compare "$T/pg_lite.md"
check "  … its bytes there too" contains "$T/.last" 'key 1: value b: {"bytes":2,"hex":"00ff"} → {"bytes":2,"hex":"00fe"}'
# a bytea key: the checkpoint keeps it as PostgreSQL writes it, so a
# resumed copy reads on after it (bytes that are not UTF-8 included)
p "CREATE TABLE bk (k bytea PRIMARY KEY, b bytea);
   INSERT INTO bk SELECT decode(lpad(to_hex(g * 7919 % 65536), 4, '0') || 'ff', 'hex'), decode(lpad(to_hex(g), 4, '0') || 'c3', 'hex')
     FROM generate_series(1, 300) g" >/dev/null
sql "$T/bk.db" "CREATE TABLE t (k BLOB PRIMARY KEY, b BLOB)"
runbook "$T/bytea_key.md" "$PG table \`bk\`" "sqlite \`$T/bk.db\` table \`t\`"
"$CUTOVER" backfill "$T/bytea_key.md" --batch 7 --rate 200 >"$T/bf.out" 2>&1 &
pid=$!
check "a bytea key: a paced copy reaches 100 rows" \
  wait_for 60 bash -c "[ \"\$(sqlite3 \"$T/bk.db\" 'SELECT coalesce(max(rows), 0) FROM cutover_backfill')\" -ge 100 ]"
kill -9 $pid; wait $pid 2>/dev/null
check "  … killed, run again: it finishes from its checkpoint" expect_exit 0 "$CUTOVER" backfill "$T/bytea_key.md"
check "  … the checkpoint counts each row once" \
  same "$(sql "$T/bk.db" "SELECT rows FROM cutover_backfill")" 300
check "  … every row, byte for byte" same \
  "$(sql "$T/bk.db" "SELECT count(*), sum(typeof(k) = 'blob' AND typeof(b) = 'blob') FROM t")" "300|300"
check "  … compare finds them equal" expect_exit 0 "$CUTOVER" compare "$T/bytea_key.md"

# SQLite BLOB into PostgreSQL bytea
sql "$T/old.db" "CREATE TABLE t (k INTEGER PRIMARY KEY, b BLOB);
  INSERT INTO t VALUES (1, x'00ff'), (2, x''), (3, NULL), (4, x'c328ff000a5c80'), (5, x'$HEX5')"
p "CREATE TABLE dst (k integer PRIMARY KEY, b bytea)" >/dev/null
runbook "$T/lite_pg.md" "sqlite \`$T/old.db\` table \`t\`" "$PG table \`dst\`"
check "SQLite BLOB into PostgreSQL bytea: backfill" expect_exit 0 "$CUTOVER" backfill "$T/lite_pg.md"
check "  … each value the same bytes" same "$(pg_bytes dst)" "$(pg_bytes src)"
check "  … compare finds the two sides equal" expect_exit 0 "$CUTOVER" compare "$T/lite_pg.md"
p "UPDATE dst SET b = '\\xc328ff000a5c81' WHERE k = 4" >/dev/null
check "  … and a one-byte difference divergent" \
  expect_exit 3 "$CUTOVER" compare "$T/lite_pg.md" --format json
check "  … that row only" same "$(grep -c '"cause"' "$T/.last") $(grep -o '"key":"[0-9]*"' "$T/.last")" '1 "key":"4"'

# PostgreSQL bytea into PostgreSQL bytea, in one database and across two
p "CREATE TABLE pg_dst (k integer PRIMARY KEY, b bytea)" >/dev/null
pgq "$A_PORT" postgres "CREATE DATABASE other" >/dev/null
pgq "$A_PORT" other "CREATE TABLE pg_dst (k integer PRIMARY KEY, b bytea)" >/dev/null
runbook "$T/pg_pg.md" "$PG table \`src\`" "$PG table \`pg_dst\`"
runbook "$T/pg_other.md" "$PG table \`src\`" "postgres \`host=127.0.0.1 port=$A_PORT dbname=other user=postgres\` table \`pg_dst\`"
check "PostgreSQL bytea into PostgreSQL bytea, one database: backfill" expect_exit 0 "$CUTOVER" backfill "$T/pg_pg.md"
check "  … each value the same bytes" same "$(pg_bytes pg_dst)" "$(pg_bytes src)"
check "  … across databases: backfill" expect_exit 0 "$CUTOVER" backfill "$T/pg_other.md"
check "  … each value the same bytes" same \
  "$(pgq "$A_PORT" other "SELECT string_agg(k || ':' || coalesce(encode(b, 'hex'), 'N'), '|' ORDER BY k) FROM pg_dst")" "$(pg_bytes src)"

# SQLite BLOB into SQLite BLOB
sql "$T/new2.db" "CREATE TABLE t (k INTEGER PRIMARY KEY, b BLOB)"
runbook "$T/lite_lite.md" "sqlite \`$T/old.db\` table \`t\`" "sqlite \`$T/new2.db\` table \`t\`"
check "SQLite BLOB into SQLite BLOB: backfill" expect_exit 0 "$CUTOVER" backfill "$T/lite_lite.md"
check "  … each value the same bytes" same "$(lite_bytes "$T/new2.db")" "$(lite_bytes "$T/old.db")"
check "  … compare finds the two sides equal" expect_exit 0 "$CUTOVER" compare "$T/lite_lite.md"
sql "$T/new2.db" "UPDATE t SET b = x'01' WHERE k = 2"
check "  … and a one-byte difference divergent" \
  expect_exit 3 "$CUTOVER" compare "$T/lite_lite.md" --format json
check "  … that row only" same "$(grep -c '"cause"' "$T/.last") $(grep -o '"key":"[0-9]*"' "$T/.last")" '1 "key":"2"'

# a value of a megabyte: 256 of its bytes shown, from 32 before where old
# and new first differ, and the lines and the journal stay small
p "INSERT INTO src VALUES (6, decode(repeat('0123456789abcdef', 125000), 'hex'))" >/dev/null
check "a blob of 1,000,000 bytes: backfill" expect_exit 0 "$CUTOVER" backfill "$T/pg_lite.md" --restart
check "  … compare finds it equal" expect_exit 0 "$CUTOVER" compare "$T/pg_lite.md"
p "UPDATE src SET b = set_byte(b, 600000, 255) WHERE k = 6;
   INSERT INTO src VALUES (7, decode(repeat('ff00', 500000), 'hex'))" >/dev/null
check "one byte of it changed in old, another such row only in old: exit 3" \
  expect_exit 3 "$CUTOVER" compare "$T/pg_lite.md" --format json --journal "$T/j2"
check "  … old's bytes from 599,968 (32 before the change), 256 of them" contains "$T/.last" \
  "\"old\":{\"b\":{\"bytes\":1000000,\"from\":599968,\"hex\":\"$(p "SELECT encode(substr(b, 599969, 256), 'hex') FROM src WHERE k = 6")\"}}"
check "  … new's the same 256" contains "$T/.last" \
  "\"new\":{\"b\":{\"bytes\":1000000,\"from\":599968,\"hex\":\"$(sql "$T/new.db" "SELECT lower(hex(substr(b, 599969, 256))) FROM t WHERE k = 6")\"}}"
check "  … the row missing in new: its first 256 bytes" contains "$T/.last" \
  "{\"key\":\"7\",\"cause\":\"missing-in-new\",\"columns\":[\"k\",\"b\"],\"old\":{\"k\":7,\"b\":{\"bytes\":1000000,\"hex\":\"$(printf 'ff00%.0s' {1..128})\"}}"
check "  … no line of the output over 1,500 characters" same "$(awk 'length > 1500' "$T/.last" | wc -l)" 0
check "  … nor a journaled divergence" \
  same "$(sql "$T/j2" "SELECT count(*), max(length(body)) < 1500 FROM events WHERE kind = 'divergence'")" "2|1"
finish
