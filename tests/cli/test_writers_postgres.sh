# test_writers_postgres.sh — `cutover writers` on a real PostgreSQL 15
# with pg_stat_statements preloaded (track = all, then top). Eight
# writers, each in its own connection with its own application_name and
# role: checkout (direct insert, upsert, update), rogue (deletes; declared
# by no one), portal (an auto-updatable view), legacy UI (a view with an
# INSTEAD OF trigger), ledger (a SECURITY DEFINER function it may call,
# the table it may not touch), payments (its own table, whose trigger
# writes the old one), the nightly import (COPY) and the archiver (a
# data-modifying CTE, declared by its statement text). The statistics name
# each through the catalog, the capture names each with its application
# and address, the undeclared one makes exit 3, and no trigger is left:
# after a capture, after a capture killed with -9 and `--capture-cleanup`,
# and after one that gave up on a lock. A capture whose audit table
# refuses rows never fails a write.
. tests/lib.sh
. tests/data/pg.sh
cleanup_hook() { [ -n "${cap_pid:-}" ] && kill -9 "$cap_pid" 2>/dev/null; pg_stop_all; }

# --- a throwaway cluster, the statistics preloaded ----------------------------
pg_start pgw "shared_preload_libraries = 'pg_stat_statements'" "pg_stat_statements.track = all" ||
  exit 1
PORT=$pgw_PORT PGD=$T/pgw   # PGD: the cluster's socket directory
q() { psql -h "$PGD" -p "$PORT" -U postgres -d "${DB:-shop}" -qAtX -v ON_ERROR_STOP=1 "$@"; }
# as ROLE APP SQL: one writer's connection, over TCP, with its own name
as() { PGAPPNAME=$2 psql -h 127.0.0.1 -p "$PORT" -U "$1" -d shop -qAtX -v ON_ERROR_STOP=1 -c "$3"; }

DB=postgres q -c "CREATE DATABASE shop" -c "CREATE DATABASE plain" || exit 1
q <<'SQL' || exit 1
CREATE EXTENSION pg_stat_statements;
CREATE TABLE orders_legacy (id serial PRIMARY KEY, customer text NOT NULL,
  amount numeric NOT NULL DEFAULT 0, paid numeric NOT NULL DEFAULT 0, note text);
CREATE TABLE customers (name text PRIMARY KEY, region text);
CREATE TABLE payments (id serial PRIMARY KEY, order_id int NOT NULL, amount numeric NOT NULL);
-- portal: a plain VIEW PostgreSQL updates by itself
CREATE VIEW orders_open AS SELECT id, customer, amount, note FROM orders_legacy WHERE paid < amount;
-- legacy UI: a join VIEW, written through its INSTEAD OF trigger
CREATE VIEW order_entry AS
  SELECT o.id, o.customer, c.region, o.amount FROM orders_legacy o JOIN customers c ON c.name = o.customer;
CREATE FUNCTION order_entry_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customers VALUES (NEW.customer, NEW.region) ON CONFLICT DO NOTHING;
  INSERT INTO orders_legacy (customer, amount) VALUES (NEW.customer, NEW.amount);
  RETURN NEW;
END $$;
CREATE TRIGGER order_entry_insert INSTEAD OF INSERT ON order_entry
  FOR EACH ROW EXECUTE FUNCTION order_entry_insert();
-- ledger: may call this, owned by ledger_owner, and touch nothing else
CREATE ROLE ledger_owner;
CREATE FUNCTION record_order(who text, total numeric) RETURNS int
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE n int;
BEGIN
  INSERT INTO orders_legacy (customer, amount) VALUES (who, total) RETURNING id INTO n;
  RETURN n;
END $$;
ALTER FUNCTION record_order(text, numeric) OWNER TO ledger_owner;
GRANT ALL ON orders_legacy, orders_legacy_id_seq TO ledger_owner;
REVOKE ALL ON FUNCTION record_order(text, numeric) FROM PUBLIC;
-- payments: its own table; its trigger keeps orders_legacy.paid
CREATE FUNCTION payment_applied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE orders_legacy SET paid = paid + NEW.amount WHERE id = NEW.order_id;
  RETURN NEW;
END $$;
CREATE TRIGGER payment_applied AFTER INSERT ON payments
  FOR EACH ROW EXECUTE FUNCTION payment_applied();
-- a function that only reads: not a writer's way in
CREATE FUNCTION order_total(int) RETURNS numeric LANGUAGE sql SECURITY DEFINER AS
  'SELECT amount FROM orders_legacy WHERE id = $1';
ALTER FUNCTION order_total(int) OWNER TO ledger_owner;
SQL
for r in checkout rogue portal legacyui ledger payments importer archiver; do
  q -c "CREATE ROLE $r LOGIN" || exit 1
done
q <<'SQL' || exit 1
GRANT SELECT, INSERT, UPDATE ON orders_legacy TO checkout, importer;
GRANT SELECT, DELETE ON orders_legacy TO rogue, archiver;
GRANT SELECT, UPDATE ON orders_open TO portal;
GRANT SELECT, INSERT ON order_entry TO legacyui;
GRANT SELECT, INSERT, UPDATE ON orders_legacy, customers TO legacyui;
GRANT SELECT, INSERT ON payments TO payments;
GRANT SELECT, UPDATE ON orders_legacy TO payments;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO checkout, importer, legacyui, payments;
GRANT EXECUTE ON FUNCTION record_order(text, numeric), order_total(int) TO ledger;
INSERT INTO orders_legacy (customer, amount) SELECT 'c' || g, g FROM generate_series(1, 20) g;
SELECT pg_stat_statements_reset();
SQL

# workload: every writer once (the same texts each time: one entry each)
workload() {
  as checkout checkout-api "INSERT INTO orders_legacy (customer, amount) VALUES ('ann', 12.50)" &&
  as checkout checkout-api "INSERT INTO orders_legacy (id, customer, amount) VALUES (1, 'c1', 3)
                            ON CONFLICT (id) DO UPDATE SET amount = excluded.amount" &&
  as checkout checkout-api "UPDATE orders_legacy SET note = 'gift' WHERE id = 2" &&
  as rogue rogue-job "DELETE FROM orders_legacy WHERE id = (SELECT max(id) FROM orders_legacy)" &&
  as portal portal "UPDATE orders_open SET amount = amount + 1 WHERE id = 3" &&
  as legacyui legacy-ui "INSERT INTO order_entry (customer, region, amount) VALUES ('bob', 'eu', 7)" &&
  as ledger ledger-svc "SELECT record_order('carol', 9)" >/dev/null &&
  as ledger ledger-svc "SELECT order_total(4)" >/dev/null &&
  as payments payments-svc "INSERT INTO payments (order_id, amount) VALUES (5, 1)" &&
  printf 'dave\t4\nerin\t5\n' | as importer nightly-import "COPY orders_legacy (customer, amount) FROM STDIN" &&
  as archiver archiver "WITH gone AS (DELETE FROM orders_legacy WHERE customer = 'nobody' RETURNING id) SELECT count(*) FROM gone" >/dev/null
}
check "the seven writers run, each as itself" workload

CONN="host=127.0.0.1 port=$PORT dbname=shop user=postgres"
runbook() {  # runbook FILE WRITER-LINES…
  local f=$1; shift
  { printf '# Writers on PostgreSQL\n\n## Roles\n- commander: A\n- dba: B\n\n## Systems\n'
    printf -- '- old: postgres `%s` table `orders_legacy` key `id`\n' "$CONN"
    printf -- '- new: sqlite `new.db` table `orders` key `id`\n\n## Writers\n'
    for w in "$@"; do printf -- '- %s\n' "$w"; done
    printf '\n## Phase 1: Prepare {readonly}\n- [ ] dba: every writer is known `writers`\n'
  } >"$f"
}
DECLARED=('checkout: app `checkout-api` role `checkout` dual-writes'
          'portal: app `portal` role `portal` dual-writes'
          'legacy ui: app `legacy-ui` role `legacyui`'
          'ledger: app `ledger-svc` role `ledger` dual-writes'
          'payments: app `payments-svc` role `payments`'
          'nightly import: app `nightly-import` role `importer`'
          'archiver: statement `WITH gone AS (DELETE FROM orders_legacy` old only')
runbook "$T/some.md" "${DECLARED[@]}"
runbook "$T/all.md" "${DECLARED[@]}" 'rogue job: app `rogue-job` role `rogue` old only'
check "the runbook checks" expect_exit 0 "$CUTOVER" check "$T/some.md"

# --- the statistics -----------------------------------------------------------
"$CUTOVER" writers "$T/some.md" >"$T/stats.out" 2>&1
check "statistics: an undeclared writer: exit 3" test $? -eq 3
check "  … it is named by its role, seen by the statistics, not declared" \
  grep -Eq '^role: rogue +stats +delete .* NO ' "$T/stats.out"
check "  … each declared writer is seen by the statistics with its operations" sh -c '
  grep -Eq "^checkout +stats +insert,update,upsert .* yes +yes" "$0" &&
  grep -Eq "^portal +stats +update " "$0" && grep -Eq "^legacy ui +stats +insert " "$0" &&
  grep -Eq "^ledger +stats +insert " "$0" && grep -Eq "^payments +stats +update " "$0" &&
  grep -Eq "^nightly import +stats +copy " "$0"' "$T/stats.out"
check "  … a data-modifying CTE is a write, known by its declared statement text" \
  grep -Eq "^archiver +stats +delete " "$T/stats.out"
check "  … each path through the catalog is said" sh -c '
  grep -q "via auto-updatable .* public.orders_open" "$0" &&
  grep -q "via .* with INSTEAD OF trigger public.order_entry" "$0" &&
  grep -q "via function public.record_order() SECURITY DEFINER, owner ledger_owner" "$0" &&
  grep -q "via trigger on table public.payments: trigger payment_applied" "$0"' "$T/stats.out"
check "  … the limits of the statistics are said in words" sh -c '
  grep -q "track = all: nested statements appear with toplevel = false" "$0" &&
  grep -q "failed statements are not recorded; identical statements" "$0"' "$T/stats.out"
check "  … a function that only reads is not a writer" sh -c '! grep -q "order_total" "$0"' "$T/stats.out"
check "  … the SECURITY DEFINER owner is not a writer of its own" \
  sh -c '! grep -q "^role: ledger_owner" "$0"' "$T/stats.out"

"$CUTOVER" writers "$T/some.md" --format json >"$T/stats.json" 2>"$T/stats.err"
check "--format json: exit 3, one object per writer, then the summary" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
s = rows[-1]["summary"]; w = {r["writer"]: r for r in rows[:-1]}
assert s["unknown"] == 1 and s["writers"] == 8, s
assert s["statements"]["status"] == "read" and s["statements"]["track"] == "all", s
assert s["capture"]["status"] == "skipped" and s["code"]["status"] == "skipped", s
r = w["role: rogue"]
assert r["declared"] is False and r["dual_writes"] is None and r["sources"] == ["statements"], r
assert r["ops"] == ["delete"] and r["rows"] == 1 and r["role"] == "rogue", r
c = w["checkout"]
assert c["declared"] and c["dual_writes"] is True and c["application_name"] == "checkout-api", c
assert c["rows"] == 3 and len(c["statements"]) == 3, c
assert w["nightly import"]["rows"] == 2 and w["nightly import"]["ops"] == ["copy"], w["nightly import"]
for k in ("portal", "legacy ui", "ledger", "payments"):
    assert w[k]["sources"] == ["statements"], w[k]
# the nested statements (track = all) are listed, not counted twice
for k in ("legacy ui", "payments"):
    assert w[k]["calls"] == 1 and w[k]["rows"] == 1 and len(w[k]["statements"]) == 2, w[k]
assert any("toplevel = false" in (x["via"] or "") for x in w["payments"]["statements"]), w["payments"]
' "$T/stats.json"

# --- the capture ------------------------------------------------------------------
trigger_count() { q -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cutover_audit%'"; }
installed() { [ "$(trigger_count)" -gt 0 ]; }
all_gone() {
  [ "$(trigger_count)" = 0 ] && [ -z "$(q -c "SELECT 1 FROM pg_namespace WHERE nspname = 'cutover_audit'")" ]
}
# capture_round NAME WHAT ARGS…: `cutover writers ARGS --capture 60s
# --format json` into $T/NAME.json while the workload runs, ended by
# Ctrl-C; checks the triggers went in and the workload ran; leaves the
# exit status in $rc.
capture_round() {
  local name=$1 what=$2; shift 2
  "$CUTOVER" writers "$@" --capture 60s --format json >"$T/$name.json" 2>"$T/$name.err" &
  cap_pid=$!
  check "$what: the triggers are installed" wait_for 20 installed
  check "  … the writers run unchanged while it listens" workload
  kill -INT "$cap_pid"; wait "$cap_pid"; rc=$?; cap_pid=
}
exit_was() {  # exit_was CODE ERRFILE
  [ "$rc" = "$1" ] || { echo "exit $rc"; cat "$2"; return 1; }
}
capture_round cap capture "$T/some.md"
check "  … Ctrl-C ends the window early; exit 3 (the rogue)" exit_was 3 "$T/cap.err"
check "  … no trigger and no schema is left" all_gone
check "  … each writer is named by both sources, with its application and address" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
s = rows[-1]["summary"]; w = {r["writer"]: r for r in rows[:-1]}
assert s["capture"]["status"] == "ran" and s["capture"]["removed"] is True, s
assert s["capture"]["writes"] >= 9, s
for k in ("checkout", "portal", "legacy ui", "ledger", "payments", "nightly import", "role: rogue"):
    assert w[k]["sources"] == ["statements", "capture"], (k, w[k])
    cap = [x for x in w[k]["statements"] if x["source"] == "capture"]
    assert cap and all(x["client"] == "127.0.0.1" for x in cap), (k, cap)
r = w["role: rogue"]
assert r["application_name"] == "rogue-job" and r["declared"] is False, r
led = [x for x in w["ledger"]["statements"] if x["source"] == "capture"][0]
assert led["role"] == "ledger" and led["via"] == "running as ledger_owner", led
assert led["text"].startswith("SELECT record_order(?"), led
pay = [x for x in w["payments"]["statements"] if x["source"] == "capture"][0]
assert pay["text"].startswith("INSERT INTO payments") and pay["ops"] == ["update"], pay
imp = [x for x in w["nightly import"]["statements"] if x["source"] == "capture"][0]
assert imp["rows"] == 2 and imp["calls"] == 1, imp
' "$T/cap.json"
check "  … no literal value leaves the database" sh -c '! grep -q "gift\|carol" "$0"' "$T/cap.json"

# --- the three sources in one audit: statistics, capture and code -------------
mkdir -p "$T/code/checkout" "$T/code/tools"
printf 'def save(session, o):\n    session.execute("INSERT INTO orders_legacy (customer, amount) VALUES (:c, :a)", o)\n' \
  >"$T/code/checkout/save.py"
printf -- '-- a hand fix nobody declared\nUPDATE orders_legacy SET amount = 0 WHERE id = 1;\n' >"$T/code/tools/fix.sql"
runbook "$T/code.md" 'checkout: app `checkout-api` role `checkout` code `checkout/` dual-writes' "${DECLARED[@]:1}"
capture_round all3 "all three sources" "$T/code.md" --code "$T/code"
check "  … exit 3: the rogue and the undeclared hand fix" exit_was 3 "$T/all3.err"
check "  … one writer seen by all three, the others by what can see them" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
s = rows[-1]["summary"]; w = {r["writer"]: r for r in rows[:-1]}
assert s["statements"]["status"] == "read" and s["capture"]["status"] == "ran" and s["code"]["status"] == "read", s
c = w["checkout"]
assert c["sources"] == ["statements", "capture", "code"], c
assert c["code"] == ["checkout/save.py:2"] and c["declared"] is True, c
f = w["code: tools/fix.sql"]
assert f["sources"] == ["code"] and f["declared"] is False and f["code"] == ["tools/fix.sql:2"], f
r = w["role: rogue"]
assert r["sources"] == ["statements", "capture"] and r["declared"] is False, r
assert s["unknown"] == 2, s
' "$T/all3.json"
check "  … no trigger is left" all_gone

# --- a capture that dies leaves its trigger: found, and removed on demand ------
"$CUTOVER" writers "$T/all.md" --capture 60s >/dev/null 2>&1 &
cap_pid=$!
check "crash: a capture is installed" wait_for 20 installed
kill -9 "$cap_pid"; wait "$cap_pid" 2>/dev/null; cap_pid=
check "  … killed with -9, its trigger stays" installed
audited() { [ "$(q -c "SELECT count(*) FROM cutover_audit.writes")" = "$1" ]; }
as checkout checkout-api "UPDATE orders_legacy SET note = 'x' WHERE id = 2"
check "  … and still records (one statement, one row)" audited 1
q -c "ALTER TABLE cutover_audit.writes ADD CONSTRAINT refuse CHECK (false) NOT VALID" || exit 1
check "  … the writers still write when the audit table refuses the rows" workload
check "  … (it did refuse them)" audited 1
"$CUTOVER" writers "$T/all.md" >"$T/left.out" 2>"$T/left.err"
check "  … the next audit warns of it, naming the cleanup" \
  grep -q "capture trigger.* on orders_legacy.*did not finish.*--capture-cleanup" "$T/left.err"
check "  … a new capture refuses to start (exit 1)" \
  expect_exit 1 "$CUTOVER" writers "$T/all.md" --capture 1s
check "  … --capture-cleanup removes it and says so" sh -c '
  "$0" writers "$1" --capture-cleanup >"$2" && grep -q "^removed schema cutover_audit.*checked" "$2"' \
  "$CUTOVER" "$T/all.md" "$T/clean.out"
check "  … gone" all_gone
check "  … a second cleanup finds nothing (exit 0)" sh -c '
  "$0" writers "$1" --capture-cleanup | grep -q "nothing to remove"' "$CUTOVER" "$T/all.md"

# --- a long transaction holds the table: the capture gives up, writers never wait
PGAPPNAME=locker psql -h "$PGD" -p "$PORT" -U postgres -d shop -qAtX \
  -c "BEGIN; LOCK TABLE orders_legacy IN ROW EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT" \
  >/dev/null 2>&1 &
locker=$!
locked() { [ "$(q -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                      WHERE a.application_name = 'locker' AND l.relation = 'orders_legacy'::regclass")" -gt 0 ]; }
check "lock: a transaction holds the table" wait_for 20 locked
t0=$(now_ms)
"$CUTOVER" writers "$T/all.md" --capture 30s >"$T/lock.out" 2>&1
rc=$? took=$(( $(now_ms) - t0 ))
check "  … the capture gives up (exit 1) on the lock's timeout, and says so" sh -c '
  [ "$1" = 1 ] && grep -q "cannot install the capture triggers: .*lock timeout" "$0"' "$T/lock.out" "$rc"
check "  … within its 3 s (not the window's 30 s)" test "$took" -lt 25000
check "  … leaving nothing installed" all_gone
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'" >/dev/null
wait "$locker" 2>/dev/null

# --- track = top: the nested writes are gone, the catalog still finds each ----
q -c "ALTER SYSTEM SET pg_stat_statements.track = 'top'" -c "SELECT pg_reload_conf()" >/dev/null
track_top() { [ "$(q -c "SHOW pg_stat_statements.track")" = top ]; }
check "track = top after a reload" wait_for 20 track_top
q -c "SELECT pg_stat_statements_reset()" >/dev/null
check "  … the writers run" workload
"$CUTOVER" writers "$T/some.md" >"$T/top.out" 2>&1
check "  … every writer is still seen by the statistics, nested statements gone" sh -c '
  for w in checkout portal "legacy ui" ledger payments "nightly import" "role: rogue"; do
    grep -Eq "^$w +stats " "$0" || { echo "not seen: $w"; exit 1; }; done
  ! grep -q "toplevel = false" "$0" && grep -q "track = top: statements run inside functions and triggers are invisible" "$0"' \
  "$T/top.out"

# --- an auditor that is not a superuser: pg_read_all_stats is enough ----------
q -c "CREATE ROLE auditor LOGIN IN ROLE pg_read_all_stats" || exit 1
sed "s/user=postgres/user=auditor/" "$T/some.md" >"$T/auditor.md"
"$CUTOVER" writers "$T/auditor.md" >"$T/auditor.out" 2>&1
check "an auditor with pg_read_all_stats (not superuser) reads the statistics: exit 3, the rogue" sh -c '
  [ "$1" = 3 ] && grep -Eq "^role: rogue +stats " "$0" && grep -q "statistics: pg_stat_statements read" "$0"' \
  "$T/auditor.out" "$?"

# --- every writer declared ----------------------------------------------------
check "every writer declared: exit 0" expect_exit 0 "$CUTOVER" writers "$T/all.md"

# --- the statistics absent -------------------------------------------------------
sed "s/dbname=shop/dbname=plain/" "$T/all.md" >"$T/plain.md"
DB=plain q -c "CREATE TABLE orders_legacy (id int PRIMARY KEY)" || exit 1
"$CUTOVER" writers "$T/plain.md" >"$T/plain.out" 2>&1
check "no extension in the database: said, and how to fix it (exit 0)" sh -c '
  [ "$1" = 0 ] && grep -q "statistics: skipped: pg_stat_statements is preloaded but not created in this database" "$0"' \
  "$T/plain.out" "$?"
sed "s/table .orders_legacy./table \`no_such_table\`/" "$T/all.md" >"$T/notable.md"
"$CUTOVER" writers "$T/notable.md" >"$T/notable.out" 2>&1
check "an old table that is not there: exit 1, named" sh -c '
  [ "$1" = 1 ] && grep -q "no_such_table. is not in the old database" "$0"' "$T/notable.out" "$?"
check "a password in the connection never reaches the output" sh -c '
  sed "s/user=postgres/user=postgres password=s3cr3t-pw/" "$0" >"$1" && "$2" writers "$1" >"$3" 2>&1;
  ! grep -q s3cr3t "$3"' "$T/all.md" "$T/pw.md" "$CUTOVER" "$T/pw.out"
finish
