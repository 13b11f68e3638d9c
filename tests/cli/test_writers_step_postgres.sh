# test_writers_step_postgres.sh — the writers step on a real PostgreSQL 15
# with pg_stat_statements preloaded (issue 21). A writer nobody declared
# (role legacy, application legacy-batch) is seen by the statistics: the
# audit journals it, the `writers` step stays open and the step that needs
# the audit is refused naming it; once the runbook declares it and a new
# audit runs, the step completes itself and the ceremony goes on. The
# commander's override (a written reason) is the other way out. Then the
# rows that skipped dual-write: during a capture, checkout writes old and
# new, legacy-batch writes old only; before it a third connection wrote old
# only after `dual-write began`. The audit reports the two old-only paths
# under the source `skipped` — legacy-batch's by its application name,
# the other as not captured — and a writer declared `dual-writes` that
# wrote old only is unknown.
. tests/lib.sh
. tests/data/pg.sh
cleanup_hook() { [ -n "${cap_pid:-}" ] && kill -9 "$cap_pid" 2>/dev/null; pg_stop_all; }
pg_start pgws "shared_preload_libraries = 'pg_stat_statements'" || exit 1
PORT=$pgws_PORT PGD=$T/pgws   # PGD: the cluster's socket directory
q() { psql -h "$PGD" -p "$PORT" -U postgres -d "${DB:-shop}" -qAtX -v ON_ERROR_STOP=1 "$@"; }
as() { PGAPPNAME=$2 psql -h 127.0.0.1 -p "$PORT" -U "$1" -d shop -qAtX -v ON_ERROR_STOP=1 -c "$3"; }
DB=postgres q -c "CREATE DATABASE shop" || exit 1
q <<'SQL' || exit 1
CREATE EXTENSION pg_stat_statements;
CREATE TABLE orders_legacy (id int PRIMARY KEY, customer text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL);
CREATE ROLE checkout LOGIN; CREATE ROLE legacy LOGIN; CREATE ROLE ghost LOGIN;
GRANT SELECT, INSERT, UPDATE ON orders_legacy, orders TO checkout;
GRANT SELECT, INSERT, UPDATE ON orders_legacy TO legacy, ghost;
INSERT INTO orders_legacy (id, customer, updated_at) SELECT g, 'c' || g, now() - interval '2 days'
  FROM generate_series(1, 10) g;
INSERT INTO orders SELECT id, customer FROM orders_legacy;
SELECT pg_stat_statements_reset();
SQL
check "the legacy batch writes old once, as nobody declared" \
  as legacy legacy-batch "UPDATE orders_legacy SET customer = 'x' WHERE id = 1"

CONN="host=127.0.0.1 port=$PORT dbname=shop user=postgres"
runbook() {  # runbook FILE WRITER-LINES…
  local f=$1; shift
  { printf '# Writers step on PostgreSQL\n\n## Roles\n- commander: Ana\n- dba: Bo\n\n## Systems\n'
    printf -- '- old: postgres `%s` table `orders_legacy` key `id`\n' "$CONN"
    printf -- '- new: postgres `%s` table `orders` key `id`\n\n## Writers\n' "$CONN"
    for w in "$@"; do printf -- '- %s\n' "$w"; done
    printf '\n## Phase 1: Prepare {readonly}\n- [ ] dba: every writer is known `writers` {#audit}\n'
    printf '\n## Phase 2: Dual-write {readonly}\n- [ ] dba: dual-write on {#dw-on}\n'
    printf -- '- [ ] dba: dual-write complete {#dw-done needs=writers}\n'
  } >"$f"
}
CHECKOUT='checkout: app `checkout-api` role `checkout` dual-writes'
runbook "$T/some.md" "$CHECKOUT"
runbook "$T/all.md" "$CHECKOUT" 'legacy batch: app `legacy-batch` role `legacy` old only'
check "the runbook checks" expect_exit 0 "$CUTOVER" check "$T/some.md"
opened() {  # opened RUNBOOK JOURNAL [--force]
  rm -f "$T/run.out"   # the last run's console_open is not this one's
  "$CUTOVER" run "$1" --journal "$2" --headless $3 >"$T/run.out" 2>&1 &
  local pid=$!
  wait_for 30 grep -q console_open "$T/run.out"
  local rc=$?
  kill -TERM $pid; wait $pid
  return $rc
}
ack() { "$CUTOVER" ack "$J" "$@" >"$T/ack.out" 2>&1; }
refused() {
  local text=$1; shift
  ! ack "$@" && grep -qF -- "$text" "$T/ack.out" || { cat "$T/ack.out"; return 1; }
}

# --- not declared: the step stays blocked ----------------------------------------
J=$T/a.journal
check "a console writes the journal's runbook" opened "$T/some.md" "$J"
"$CUTOVER" writers "$T/some.md" --journal "$J" >"$T/a1.out" 2>&1
check "the audit finds the undeclared writer in the statistics: exit 3" test $? -eq 3
check "  … journaled as unknown_writer role: legacy, seen by stats" \
  sh -c 'sqlite3 "$0" "SELECT body FROM events WHERE kind = '"'unknown_writer'"'" | grep -q "\"writer\":\"role: legacy\".*\"seen\":\"stats\""' "$J"
limits_journaled() {  # the statistics' limits in sentences; statements as counts, no text
  local b; b=$(sqlite3 "$J" "SELECT body FROM events WHERE kind = 'writers' ORDER BY seq DESC LIMIT 1")
  echo "$b" | grep -q '"limits":\["pg_stat_statements.track = ' &&
    echo "$b" | grep -q 'failed statements are not recorded; identical statements' &&
    echo "$b" | grep -q '"statements":[1-9]' && ! echo "$b" | grep -qi 'insert into\|update [a-z_]* set' ||
    { echo "$b"; return 1; }
}
check "  … the audit journals the statistics' limits and each writer's statement count, no statement text" limits_journaled
check "the writers step is not acknowledged by hand" refused "completes itself" audit --as Bo --role dba
check "the step that needs the audit is refused, naming the writer" \
  refused 'needs the writer audit: unknown writer `role: legacy` (seen by stats)' dw-done --as Bo --role dba

# --- declared after: a new audit completes the step ---------------------------------
check "the runbook is replaced by one that declares it" opened "$T/all.md" "$J" --force
check "a new audit finds it declared: exit 0" expect_exit 0 "$CUTOVER" writers "$T/all.md" --journal "$J"
check "  … the writers step completed itself (by cutover)" \
  refused "already acknowledged by cutover" audit --as Bo --role dba
check "dual-write on" sh -c '"$0" ack "$1" dw-on --as Bo --role dba' "$CUTOVER" "$J"
check "dual-write complete, which needs the audit, is taken" \
  sh -c '"$0" ack "$1" dw-done --as Bo --role dba | grep -q acknowledged' "$CUTOVER" "$J"

# --- the override ---------------------------------------------------------------------
J=$T/b.journal
check "a second ceremony on the runbook that does not declare it" opened "$T/some.md" "$J"
"$CUTOVER" writers "$T/some.md" --journal "$J" >/dev/null 2>&1
check "  … its audit: exit 3" test $? -eq 3
check "an override without a reason is refused" \
  refused "needs a written reason" audit --as Ana --role commander --override
check "the commander overrides the writers step with a written reason" \
  sh -c '"$0" ack "$1" audit --as Ana --role commander --override --reason "legacy batch is retired on Friday; its one update is known" | grep -q "completed by override"' "$CUTOVER" "$J"
check "  … and the step that needed the audit goes on in its turn" \
  sh -c '"$0" ack "$1" dw-on --as Bo --role dba >/dev/null && "$0" ack "$1" dw-done --as Bo --role dba | grep -q acknowledged' "$CUTOVER" "$J"

# --- rows that skipped dual-write -----------------------------------------------------
BEGAN=$(q -c "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
check "before the capture, a ghost connection writes old only after dual-write began" \
  as ghost ghost-tool "INSERT INTO orders_legacy (id, customer, updated_at) VALUES (50, 'g', now() + interval '1 second')"
runbook "$T/skip.md" "$CHECKOUT" 'legacy batch: app `legacy-batch` role `legacy` dual-writes' \
  'dual-write began: at `'"$BEGAN"'` stamp `updated_at`'
check "a runbook with dual-write began checks" expect_exit 0 "$CUTOVER" check "$T/skip.md"
trigger_count() { q -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'cutover_audit%'"; }
installed() { [ "$(trigger_count)" -gt 0 ]; }
"$CUTOVER" writers "$T/skip.md" --capture 60s --format json >"$T/skip.json" 2>"$T/skip.err" &
cap_pid=$!
check "capture: the triggers are installed" wait_for 20 installed
dual() {
  for i in 101 102 103; do
    as checkout checkout-api "BEGIN; INSERT INTO orders_legacy (id, customer) VALUES ($i, 'd');
                              INSERT INTO orders (id, customer) VALUES ($i, 'd'); COMMIT;" || return 1
  done
}
check "  … checkout writes old and new" dual
check "  … legacy-batch writes old only, one connection" \
  as legacy legacy-batch "INSERT INTO orders_legacy (id, customer) VALUES (201, 'l'), (202, 'l')"
kill -INT "$cap_pid"; wait "$cap_pid"; rc=$?; cap_pid=
check "the audit exits 3: a writer declared dual-writes wrote old only" \
  sh -c '[ "$0" = 3 ] || { echo "exit $0"; cat "$1"; exit 1; }' "$rc" "$T/skip.err"
check "  … the skipped rows by writer: legacy-batch's 2 by its application name, the ghost's 1 not captured" \
  python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
s = rows[-1]["summary"]; w = {r["writer"]: r for r in rows[:-1]}
assert s["skipped"]["status"] == "read" and s["skipped"]["rows"] == 3, s["skipped"]
assert s["skipped"]["candidates"] >= 6, s["skipped"]
lb = w["legacy batch"]
assert "skipped" in lb["sources"] and "capture" in lb["sources"] and lb["skipped"] == 2, lb
assert lb["application_name"] == "legacy-batch" and lb["declared"] is True, lb
assert "writes old only" in lb["why"], lb
assert "skipped" not in w["checkout"]["sources"] and w["checkout"]["skipped"] is None, w["checkout"]
g = w["skipped: writer not captured"]
assert g["skipped"] == 1 and g["declared"] is False and g["sources"] == ["skipped"], g
# the ghost is unknown twice over: its role in the statistics, its row not captured
assert w["role: ghost"]["declared"] is False and s["unknown"] == 3, s
' "$T/skip.json"
"$CUTOVER" writers "$T/skip.md" >"$T/skip.txt" 2>&1
check "  … in the table too, without a capture: the stamp still finds all three" \
  sh -c 'grep -q "skipped: 3 of .* rows .*written since '"$BEGAN"'" "$0" &&
         grep -q "skipped: writer not captured: 3 rows" "$0"' "$T/skip.txt"
# --- a writer declared old only, writing old while dual-write is in force -------
OLDONLY='legacy batch: app `legacy-batch` role `legacy` old only'
runbook "$T/old.md" "$CHECKOUT" "$OLDONLY" 'ghost: app `ghost-tool` role `ghost` dual-writes' \
  'dual-write began: at `'"$BEGAN"'` stamp `updated_at`'
lb_why() {  # lb_why JSON: the legacy batch's why, or None
  python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
w = {r["writer"]: r for r in rows[:-1]}
print(w["legacy batch"]["why"], rows[-1]["summary"]["dual_write"]["dated"])' "$1"
}
"$CUTOVER" writers "$T/old.md" --format json >"$T/old1.json" 2>/dev/null
v=$(lb_why "$T/old1.json")
check "statistics reset before dual-write began cannot date its writes: not judged by them" \
  test "$v" = "None []"
"$CUTOVER" writers "$T/old.md" >"$T/old1.txt" 2>&1
check "  … and the table says so, with the reset's time" \
  grep -q "dual-write: in force since $BEGAN, but no source could date what it saw: not judged; the statistics were last reset 20.*before it" "$T/old1.txt"
q -c "SELECT pg_stat_statements_reset()" >/dev/null
check "the statistics reset; the legacy batch, declared old only, writes old again" \
  as legacy legacy-batch "UPDATE orders_legacy SET customer = 'y' WHERE id = 1"
J=$T/c.journal
check "a ceremony on that runbook" opened "$T/old.md" "$J"
"$CUTOVER" writers "$T/old.md" --journal "$J" >"$T/old2.txt" 2>&1
check "the audit: exit 3, the declared old-only writer is unknown, and why" sh -c '
  [ "$1" = 3 ] && grep -q "^  legacy batch: declared as not dual-writing (old only), seen writing old (stats) since dual-write began at $2" "$0"' \
  "$T/old2.txt" "$?" "$BEGAN"
check "  … journaled as unknown_writer legacy batch, with the words" \
  sh -c 'sqlite3 "$0" "SELECT body FROM events WHERE kind = '"'unknown_writer'"'" | grep -q "\"writer\":\"legacy batch\".*declared as not dual-writing"' "$J"
check "  … red in the writers event's table (unknown, declared)" \
  sh -c 'sqlite3 "$0" "SELECT body FROM events WHERE kind = '"'writers'"'" | grep -q "\"writer\":\"legacy batch\"[^}]*\"declared\":true[^}]*\"unknown\":true"' "$J"
check "  … the step that needs the audit is refused, saying why" \
  refused 'unknown writer `legacy batch` (seen by stats): declared as not dual-writing' dw-done --as Bo --role dba
"$CUTOVER" writers "$T/old.md" --capture 60s --journal "$J" --format json >"$T/old3.json" 2>"$T/old3.err" &
cap_pid=$!
check "a capture window on it" wait_for 20 installed
check "  … the legacy batch writes old once more" \
  as legacy legacy-batch "INSERT INTO orders_legacy (id, customer) VALUES (301, 'l')"
kill -INT "$cap_pid"; wait "$cap_pid"; rc=$?; cap_pid=
check "  … exit 3: seen by both, since dual-write began" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
w = {r["writer"]: r for r in rows[:-1]}; s = rows[-1]["summary"]
lb = w["legacy batch"]
assert "seen writing old (stats+capture) since dual-write began at " + sys.argv[2] in lb["why"], lb
assert lb["skipped"] == 1 and lb["declared"] and lb["dual_writes"] is False, lb
assert s["dual_write"]["in_force"] is True and s["dual_write"]["dated"] == ["statements", "capture"], s
assert sys.argv[3] == "3", sys.argv[3]
' "$T/old3.json" "$BEGAN" "$rc"
q -c "SELECT pg_stat_statements_reset()" >/dev/null
"$CUTOVER" writers "$T/old.md" --journal "$J" >/dev/null 2>&1
check "an audit that no longer sees it (no capture, statistics reset) does not clear it" \
  refused 'unknown writer `legacy batch`' dw-done --as Bo --role dba
finish
