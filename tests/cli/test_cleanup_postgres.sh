# test_cleanup_postgres.sh — `cutover cleanup` on a real PostgreSQL 15
# (pg_stat_statements preloaded): the old table still writable by the
# application's role (exit 3, naming the role and its rights), a capture
# left behind, the flag short of 100 %, a write to the old table in the
# code; then a write after a check shows as a writer since it; then the
# rights revoked and the rest put right: still exit 3, the table exists;
# then dropped: exit 0. Each run is journaled as a `cleanup_check`, and
# the cleanup deadline comes from a journal whose ramp reached 100 %.
. tests/lib.sh
. tests/data/pg.sh
need build/tools/journal_put >/dev/null || exit 1
PUT=$ROOT/build/tools/journal_put

# --- a cluster with the statistics preloaded -------------------------------
pg_start old "shared_preload_libraries = 'pg_stat_statements'" "pg_stat_statements.track = all" ||
  exit 1
P=$old_PORT
q() { pgq "$P" shop "$1"; }
# as ROLE SQL: the application's connection
as() { PGAPPNAME=checkout-api psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$P" -U "$1" -d shop -At -c "$2"; }
pgq "$P" postgres "CREATE DATABASE shop" || exit 1
q "CREATE EXTENSION pg_stat_statements;
   CREATE TABLE orders_legacy (id serial PRIMARY KEY, customer text NOT NULL);
   CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL);
   CREATE ROLE checkout LOGIN; CREATE ROLE reporting LOGIN; CREATE ROLE importer LOGIN;
   GRANT INSERT ON orders_legacy TO importer;
   GRANT USAGE ON SEQUENCE orders_legacy_id_seq TO importer;
   GRANT SELECT, INSERT, UPDATE ON orders_legacy TO checkout;
   GRANT USAGE ON SEQUENCE orders_legacy_id_seq TO checkout;
   GRANT SELECT ON orders_legacy TO reporting;
   CREATE SCHEMA cutover_audit" || exit 1
check "the application writes the old table before the cutover" \
  as checkout "INSERT INTO orders_legacy (customer) VALUES ('ann')"
check "  … and an import job, whose right is then revoked" sh -c "
  PGAPPNAME=import psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $P -U importer -d shop -c \"INSERT INTO orders_legacy (customer) VALUES ('imp')\" &&
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $P -U postgres -d shop -c 'REVOKE INSERT ON orders_legacy FROM importer'"

flag() {  # flag PERCENT: the flagd file with that share on new
  printf '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",%s],["off",%s]]}}}}' \
    "$1" "$((100 - $1))" >"$T/flags.json"
}
flag 25
mkdir -p "$T/src"
cat >"$T/src/store.py" <<'PY'
def save(db, order):
    db.execute("INSERT INTO orders_legacy (customer) VALUES (%s)", (order.customer,))
PY
RB=$T/cleanup.md J=$T/cleanup.journal
cat >"$RB" <<MD
# Cleanup on PostgreSQL

## Roles
- commander: Ana
- dba: Bo

## Systems
- old: postgres \`host=127.0.0.1 port=$P dbname=shop user=postgres\` table \`orders_legacy\` key \`id\`
- new: postgres \`host=127.0.0.1 port=$P dbname=shop user=postgres\` table \`orders\` key \`id\`
- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`

## Signals
- err: new \`SELECT 0\`

## Abort criteria
- abort if err > 1%

## Ramp
- 100%

## Writers
- checkout: app \`checkout-api\` role \`checkout\` dual-writes

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Flip \`orders-read-new\` back to 0%.

## Cleanup
- deadline: 30d after cutover
MD
check "the runbook checks, and says when the cleanup is due" sh -c \
  "'$CUTOVER' check '$RB' >'$T/check.out' && grep -qF 'cleanup due 30 days after the ramp reaches 100 %' '$T/check.out'"

# the ceremony's journal: a console opened it, the ramp reached 100 % now
"$CUTOVER" run "$RB" --journal "$J" --headless --as Ana --role commander >"$T/run.out" 2>&1 &
run=$!
check "a headless console starts the journal" wait_for 20 grep -q console_open "$T/run.out"
kill -TERM "$run"; wait "$run"
t=$(now_ms)
"$PUT" "$J" ramp_advance '{"percent":100,"step":0,"confirmed_by":"Ana"}' "$t" Ana/commander >/dev/null &&
"$PUT" "$J" flag_read '{"percent":100,"purpose":"advance","ok":true}' "$((t + 100))" >/dev/null ||
  { echo "cannot write the journal"; exit 1; }

cleanup() { "$CUTOVER" cleanup "$RB" --journal "$J" --code "$T/src" >"$T/$1.out" 2>&1; echo $? >"$T/$1.rc"; }
rc_is() { [ "$(cat "$T/$1.rc")" = "$2" ] || { echo "exit $(cat "$T/$1.rc"), wanted $2"; cat "$T/$1.out"; return 1; }; }
item() {  # item RUN STATE TITLE-WORDS WHY-WORDS: the item's state and its reason's words
  awk -v s="$2" -v t="$3" 'index($0, t) && index($0, s) == 1 { getline; print; f = 1 } END { exit !f }' \
    "$T/$1.out" >"$T/$1.item" && grep -qF -- "$4" "$T/$1.item" ||
    { echo "no $2 \"$3\" with \"$4\""; cat "$T/$1.out"; return 1; }
}

# --- 1: the table still writable --------------------------------------------
cleanup one
check "writable: exit 3" rc_is one 3
check "  … the table is NOT YET, naming the role and its rights" \
  item one "NOT YET" "no longer writable" "still writable by 1 of the application's"
check "  … checkout (INSERT,UPDATE), not reporting, not the owner" \
  sh -c "grep -qF 'checkout (INSERT,UPDATE)' '$T/one.item' && ! grep -q 'reporting\|postgres (' '$T/one.item'"
check "  … and says who was not counted" \
  grep -qF "not counted: superusers, the owner postgres, and postgres, the role cutover connects as" "$T/one.item"
check "  … the code names it where it writes" item one "NOT YET" "absent from the code" "store.py:2 (write"
check "  … the flag is at 25 %" item one "NOT YET" "flag archived" "reads 25 %, not 100 %"
check "  … a capture is left" item one "NOT YET" "capture trigger" "cutover_audit"
check "  … the writes before the cutover cannot be dated: UNVERIFIED, said why" \
  item one "UNVERIFIED" "no writer of the old table" "cannot be dated against the cutover"
check "  … with their counts by role" grep -qF "2 write statements to orders_legacy counted since" "$T/one.item"
check "  … the deadline: 30 days left" grep -qF ": 30 days left" "$T/one.out"
journaled() {  # journaled QUERY WANT: the journal's answer to QUERY is WANT
  local got; got=$(sql "$J" "$1")
  [ "$got" = "$2" ] || { echo "journal: $got, wanted $2"; return 1; }
}
check "  … the run is journaled with each item's state and the write count" journaled \
  "SELECT json_extract(body, '$.done') || ' ' || json_extract(body, '$.items[0].state') || ' ' ||
          json_extract(body, '$.write_calls') || ' ' || json_extract(body, '$.write_roles')
   FROM events WHERE kind = 'cleanup_check'" "0 not yet 2 checkout=1,importer=1"

# --- 2: a write after the check ----------------------------------------------
as checkout "INSERT INTO orders_legacy (customer) VALUES ('bob')"
cleanup two
check "a write since the last check: exit 3" rc_is two 3
check "  … the writer is NOT YET, counted since the last check, naming checkout" \
  item two "NOT YET" "no writer of the old table" "1 write statement to orders_legacy ran since the last check"
check "  … naming the role whose count grew, not the one that wrote before" \
  sh -c "grep -qF '(by role: checkout (+1))' '$T/two.item' && ! grep -q importer '$T/two.item'"

# --- 3: read-only, and the rest put right ---------------------------------------
q "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON orders_legacy FROM checkout" || exit 1
"$CUTOVER" writers "$RB" --capture-cleanup >/dev/null 2>&1
flag 100
printf 'def save(db, order):\n    # was orders_legacy until the cutover\n    db.execute("INSERT INTO orders (customer) VALUES (%%s)", (order.customer,))\n' >"$T/src/store.py"
cleanup three
check "read-only: still exit 3 (the table is still there)" rc_is three 3
check "  … NOT YET: no role may write it, but it is there: drop it" \
  item three "NOT YET" "no longer writable" "but the table is still there: drop it"
check "  … the code item is OK: a comment is not a writer" item three "OK" "absent from the code" "no line of"
check "  … the flag is fixed at 100 %" item three "OK" "flag archived" "fixed at 100 %"
check "  … the capture is gone" item three "OK" "capture trigger" "no \`cutover_audit\` schema"
check "  … no write since the last check, but older ones undated: UNVERIFIED" \
  item three "UNVERIFIED" "no writer of the old table" "no write to orders_legacy since the last check"

# --- 4: dropped ------------------------------------------------------------------
q "DROP TABLE orders_legacy" || exit 1
cleanup four
check "dropped: exit 0" rc_is four 0
check "  … the table is gone" item four "OK" "no longer writable" "orders_legacy is gone"
check "  … nothing can write it" item four "OK" "no writer of the old table" "nothing can write it"
check "  … done, 5 of 5" grep -q "^done: 5 of 5 items OK" "$T/four.out"
check "the last check is journaled done" journaled \
  "SELECT json_extract(body, '$.done') FROM events WHERE kind = 'cleanup_check' ORDER BY seq DESC LIMIT 1" 1
check "  … four checks in all" journaled "SELECT count(*) FROM events WHERE kind = 'cleanup_check'" 4
check "the report says the cleanup is done" sh -c \
  "'$CUTOVER' report '$J' | grep -A2 '^## Cleanup' | grep -q ': done (due 30 days after the ramp reaches 100 %)'"

# --- the flag archived (taken out of flagd's file) is OK too -----------------------
printf '{"flags":{}}' >"$T/flags.json"
cleanup five
check "a flag taken out of the file is archived: exit 0" rc_is five 0
check "  … said so" item five "OK" "flag archived" "orders-read-new is not in"

# --- a password in the connection reaches neither the output nor the journal ------
sed 's/user=postgres` table `orders_legacy/user=postgres password=hunter2-cleanup port=1` table `orders_legacy/' \
  "$RB" >"$T/secret.md"
"$CUTOVER" cleanup "$T/secret.md" --journal "$J" >"$T/secret.out" 2>&1; secret_rc=$?
check "an old store that cannot be reached: UNVERIFIED, exit 3" sh -c \
  "[ $secret_rc = 3 ] && grep -q '^UNVERIFIED  the old table' '$T/secret.out' && grep -q 'cannot connect to the old database' '$T/secret.out'"
check "  … its password is in neither the output nor the journal" sh -c \
  "grep -q 'password=hunter2' '$T/secret.md' && ! grep -q hunter2 '$T/secret.out' && ! grep -aq hunter2 '$J'"

check "usage: no --journal is a usage error (exit 2)" expect_exit 2 "$CUTOVER" cleanup "$RB"
check "a missing journal is refused (exit 1)" expect_exit 1 "$CUTOVER" cleanup "$RB" --journal "$T/none.journal"
check "the journal still verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
