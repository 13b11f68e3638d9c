#!/bin/bash
# test_compare_badtext.sh — SQLite's TEXT need not be UTF-8 (x'c3' || x'28'
# is TEXT) and may hold a NUL. A divergence in such a value, or at such a
# key, wrote the raw bytes into the --format json line and the journaled
# event: no UTF-8, so no JSON a strict reader takes, and a value with a
# NUL was cut at it. Now such a value is {"bytes": N, "hex": "…", "utf8":
# false}, such a key's text shows its bad bytes as \xNN and its typed
# value is {"text_hex": "…"}, from which a comparison resumed after
# kill -9 still recognises the divergences it journaled.
. tests/lib.sh
. tests/data/pg.sh
. tests/data/compare.sh
N=3000
strict_json() {  # FILE: every line is UTF-8 JSON
  python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1], "rb").read().splitlines(), 1):
    try:
        json.loads(line.decode("utf-8"))
    except Exception as e:
        sys.exit("line %d: %s: %r" % (n, e, line[:120]))' "$1"
}
sql "$T/old.db" "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT);
  WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $N)
  INSERT INTO t SELECT printf('k%05d', g), 'v' || g FROM s;
  INSERT INTO t VALUES (CAST(x'6b3130c328' AS TEXT), 'bad key'), ('k00007x', CAST(x'76c328' AS TEXT)),
    ('k00009x', CAST(x'610062' AS TEXT))"
cp "$T/old.db" "$T/new.db"
sql "$T/new.db" "UPDATE t SET v = 'changed' WHERE v = 'bad key';
  UPDATE t SET v = CAST(x'76c329' AS TEXT) WHERE k = 'k00007x';
  UPDATE t SET v = CAST(x'610063' AS TEXT) WHERE k = 'k00009x'"
key_runbook "$T/rb.md" "Bad text" "sqlite \`$T/old.db\` table \`t\`" "sqlite \`$T/new.db\` table \`t\`"
check "three divergences in text that is no UTF-8 or holds a NUL: exit 3" \
  expect_exit 3 "$CUTOVER" compare "$T/rb.md" --format json --journal "$T/j"
"$CUTOVER" compare "$T/rb.md" --format json >"$T/out.json" 2>/dev/null   # stdout alone
check "  … every line is UTF-8 JSON" strict_json "$T/out.json"
check "  … three of them" test "$(grep -c '"cause"' "$T/out.json")" = 3
check "  … a value that is no UTF-8 as its bytes" grep -qF '"v":{"bytes":3,"hex":"76c328","utf8":false}' "$T/out.json"
check "  … a value with a NUL whole, not cut at it" grep -qF '"v":{"bytes":3,"hex":"610062","utf8":false}' "$T/out.json"
check "  … the key's bad byte as \\xNN" grep -qF '"key":"k10\\xc3("' "$T/out.json"
check "  … its typed value exact" grep -qF '"key_values":[{"text_hex":"6b3130c328"}]' "$T/out.json"
sql "$T/j" "SELECT body FROM events WHERE kind IN ('divergence', 'compare_progress', 'compare')" >"$T/events.json"
check "  … every journaled event is UTF-8 JSON" strict_json "$T/events.json"
# resumed after kill -9 once the first divergence is journaled: each journaled once
check "a paced comparison journals its first divergence" killed_compare "$T/rb.md" "$T/r" 2000 diverged "$T/r"
check "  … resumed after kill -9, it ends diverged" expect_exit 3 "$CUTOVER" compare "$T/rb.md" --journal "$T/r"
check "  … the three journaled once each" \
  test "$(sql "$T/r" "SELECT count(*) || ' ' || count(DISTINCT json_extract(body, '\$.key_values')) FROM events WHERE kind = 'divergence'")" = "3 3"
finish
