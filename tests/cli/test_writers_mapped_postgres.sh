# test_writers_mapped_postgres.sh — the rows that skipped dual-write when
# new's key is not old's (issue 21): the runbook's ## Mapping renames and
# casts it (old `order_no text` → new `id bigint`), or makes it of two
# columns renamed, one of whose values holds a comma. The audit looks
# each row up through the mapping, as backfill and compare do: `0042` is
# new's 42 (found), `A-7` cannot be a bigint (new cannot hold it:
# skipped), `eu,w`/`7` is found, and a row the capture saw written is
# traced to its writer by the mapped key, at the statement level and at
# the row level. Old and new are two databases.
. tests/lib.sh
. tests/data/pg.sh
cleanup_hook() { [ -n "${cap_pid:-}" ] && kill -9 "$cap_pid" 2>/dev/null; pg_stop_all; }
pg_start pg || exit 1
P=$pg_PORT
pgq "$P" postgres "CREATE DATABASE shop_old" && pgq "$P" postgres "CREATE DATABASE shop_new" || exit 1
pgq "$P" shop_old "
  CREATE TABLE tickets_legacy (order_no text PRIMARY KEY, customer text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE stock_legacy (region text, num text, qty int,
    updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (region, num));
  INSERT INTO tickets_legacy VALUES ('1', 'a', now() - interval '2 days'), ('2', 'b', now() - interval '2 days')" &&
pgq "$P" shop_new "
  CREATE TABLE tickets (id bigint PRIMARY KEY, customer text NOT NULL);
  CREATE TABLE stock (region_code text, id int, qty int, PRIMARY KEY (region_code, id));
  INSERT INTO tickets VALUES (1, 'a'), (2, 'b')" || exit 1
BEGAN=$(pgq "$P" shop_old "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
check "since dual-write began: old gets 0042, 1001, 1002 and A-7; new 42 and 1001" sh -c "
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $P -U postgres -d shop_old -c \"INSERT INTO tickets_legacy (order_no, customer, updated_at)
    SELECT k, 'c', now() + interval '1 second' FROM unnest(ARRAY['0042', '1001', '1002', 'A-7']) k\" &&
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $P -U postgres -d shop_new -c \"INSERT INTO tickets VALUES (42, 'c'), (1001, 'c')\""

runbook() {  # runbook FILE OLD-TABLE NEW-TABLE MAPPING-LINES…
  local f=$1 old=$2 new=$3; shift 3
  { printf '# Mapped keys\n\n## Roles\n- commander: Ana\n- dba: Bo\n\n## Systems\n'
    printf -- '- old: postgres `host=127.0.0.1 port=%s dbname=shop_old user=postgres` table `%s`\n' "$P" "$old"
    printf -- '- new: postgres `host=127.0.0.1 port=%s dbname=shop_new user=postgres` table `%s`\n\n' "$P" "$new"
    printf '## Mapping\n'
    for m in "$@"; do printf -- '- %s\n' "$m"; done
    printf '\n## Writers\n- shop: app `shop` role `postgres` dual-writes\n'
    printf -- '- dual-write began: at `%s` stamp `updated_at`\n' "$BEGAN"
    printf '\n## Phase 1: Prepare {readonly}\n- [ ] dba: every writer is known `writers`\n'
  } >"$f"
}
runbook "$T/tickets.md" tickets_legacy tickets 'key `id`' '`id` from `order_no`'
check "a runbook whose key is renamed and cast checks" expect_exit 0 "$CUTOVER" check "$T/tickets.md"
"$CUTOVER" writers "$T/tickets.md" --format json >"$T/t.json" 2>"$T/t.err"
check "renamed and cast: 0042 is new's 42, 1001 found; 1002 and A-7 skipped new" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
s = rows[-1]["summary"]["skipped"]; w = {r["writer"]: r for r in rows[:-1]}
assert s["status"] == "read" and s["candidates"] == 4 and s["rows"] == 2, s
assert w["skipped: writer not captured"]["skipped"] == 2, w
' "$T/t.json"

runbook "$T/stock.md" stock_legacy stock 'key `region_code, id`' '`region_code` from `region`' '`id` from `num`'
check "since dual-write began: stock (eu,w / 7) in both, (us / 8) in old only" sh -c "
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $P -U postgres -d shop_old -c \"INSERT INTO stock_legacy (region, num, qty) VALUES ('eu,w', '7', 1), ('us', '8', 1)\" &&
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $P -U postgres -d shop_new -c \"INSERT INTO stock VALUES ('eu,w', 7, 1)\""
"$CUTOVER" writers "$T/stock.md" >"$T/s.txt" 2>&1
check "a composite key renamed, a comma in a value: one row skipped, named by its key" sh -c '
  grep -q "skipped: 1 of 2 rows .*written since" "$0" &&
  grep -q "skipped: writer not captured: 1 rows reached old and not new since dual-write began (key us,8" "$0"' "$T/s.txt"

triggers_are() {
  [ "$(pgq "$P" shop_old "SELECT string_agg(tgname, ' ' ORDER BY tgname) FROM pg_trigger
                          WHERE tgname LIKE 'cutover_audit%'")" = "$1" ]
}
# captured LEVEL TRIGGERS KEY NOT-CAPTURED: a capture window at LEVEL (its
# TRIGGERS installed) in which shop writes KEY to old only; the audit
# traces it to shop (declared dual-writes: unknown, exit 3) by the mapped
# key, and NOT-CAPTURED rows skipped new with no writer known.
captured() {
  "$CUTOVER" writers "$T/tickets.md" --capture 60s --capture-level "$1" --format json \
    >"$T/$1.json" 2>"$T/$1.err" &
  cap_pid=$!
  check "$1-level capture: its triggers are installed" wait_for 20 triggers_are "$2"
  check "  … shop writes old only: $3" sh -c "
    PGAPPNAME=shop psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $P -U postgres -d shop_old -c \"INSERT INTO tickets_legacy (order_no, customer) VALUES ('$3', 'd')\""
  kill -INT "$cap_pid"; wait "$cap_pid"; local rc=$?; cap_pid=
  check "  … traced to shop by the mapped key: unknown, a path writes old only (exit 3)" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
w = {r["writer"]: r for r in rows[:-1]}
assert sys.argv[2] == "3", sys.argv[2]
sh = w["shop"]
assert sh["skipped"] == 1 and "key " + sys.argv[3] in sh["why"] and "writes old only" in sh["why"], sh
assert w["skipped: writer not captured"]["skipped"] == int(sys.argv[4]), w
' "$T/$1.json" "$rc" "$3" "$4"
}
captured statement 'cutover_audit_delete cutover_audit_insert cutover_audit_truncate cutover_audit_update' 1003 2
captured row 'cutover_audit_row cutover_audit_row_delete cutover_audit_truncate' 1004 3
finish
