# test_cleanup_deadline.sh — the cleanup deadline (`deadline: 30d after
# cutover`) on an old SQLite store: a journal whose ramp reached 100 % 31
# days ago says "overdue by 1 day" in `cutover cleanup` (exit 3), `check
# --journal`, the report and a joined console's steps panel (tmux); 29
# days ago, "1 day left". The driving
# console journals the due date once (`cleanup_due`), and a restart does
# not journal it again. The SQLite items: the file writable (NOT YET),
# read-only but the table there (NOT YET), the table dropped (OK, exit 0).
. tests/lib.sh
need build/tools/journal_put >/dev/null || exit 1
PUT=$ROOT/build/tools/journal_put
DAY=86400000

sqlite3 "$T/old.db" "CREATE TABLE orders_legacy (id integer PRIMARY KEY, customer text)" &&
sqlite3 "$T/new.db" "CREATE TABLE orders (id integer PRIMARY KEY, customer text)" || exit 1
printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",100],["off",0]]}}}}' >"$T/flags.json"
mkdir -p "$T/src" && echo 'SELECT * FROM orders;' >"$T/src/read.sql"
RB=$T/cleanup.md
cat >"$RB" <<MD
# Cleanup on SQLite

## Roles
- commander: Ana
- dba: Bo

## Systems
- old: sqlite \`$T/old.db\` table \`orders_legacy\` key \`id\`
- new: sqlite \`$T/new.db\` table \`orders\` key \`id\`
- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`

## Signals
- err: new \`SELECT 0\`

## Abort criteria
- abort if err > 1%

## Ramp
- 100%

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Flip back.

## Cleanup
- deadline: 30d after cutover
MD

# journal J DAYS_AGO: a ceremony whose ramp reached 100 % DAYS_AGO days ago
journal() {
  rm -f "$T/open.out"   # the last run's console_open is not this one's: a TERM
                        # on it went out before this console ran, and was lost
  "$CUTOVER" run "$RB" --journal "$1" --headless --as Ana --role commander >"$T/open.out" 2>&1 &
  local pid=$! t
  wait_for 20 grep -q console_open "$T/open.out" || return 1
  kill -TERM "$pid"; wait "$pid"
  t=$(( $(now_ms) - $2 * DAY ))
  "$PUT" "$1" ramp_advance '{"percent":100,"step":0,"confirmed_by":"Ana"}' "$t" Ana/commander >/dev/null &&
  "$PUT" "$1" flag_read '{"percent":100,"purpose":"advance","ok":true}' "$((t + 100))" >/dev/null
}
cleanup() { "$CUTOVER" cleanup "$RB" --journal "$1" --code "$T/src" >"$T/c.out" 2>&1; }

check "a journal whose ramp reached 100 % 31 days ago" journal "$T/late.journal" 31
check "cleanup: exit 3" expect_exit 3 cleanup "$T/late.journal"
check "  … overdue by 1 day" contains "$T/c.out" ": overdue by 1 day"
check "  … the summary says it too" grep -q "^NOT DONE: .*; overdue by 1 day$" "$T/c.out"
check "  … the writable file is NOT YET, with its mode" grep -q "old.db is writable (mode 0[0-7]*): make it read-only" "$T/c.out"
check "  … SQLite's writers cannot be seen: UNVERIFIED" grep -q "^UNVERIFIED  no writer of the old table" "$T/c.out"
check "check --journal: overdue by 1 day" sh -c \
  "'$CUTOVER' check '$RB' --journal '$T/late.journal' | grep -q 'cleanup due .* UTC: overdue by 1 day'"
check "the report (md): overdue by 1 day" sh -c \
  "'$CUTOVER' report '$T/late.journal' | grep -A2 '^## Cleanup' | grep -q ': overdue by 1 day (due 30 days after the ramp reaches 100 %)'"
check "the report (json): state overdue, due about a day ago" sh -c \
  "'$CUTOVER' report '$T/late.journal' --format json | python3 -c '
import json, sys
c = json.load(sys.stdin)[\"cleanup\"]
assert c[\"state\"] == \"overdue\" and -1.1 * $DAY < c[\"due_in_ms\"] < -0.9 * $DAY, c
assert c[\"done\"] is False and \"overdue by 1 day\" in c[\"summary\"], c'"
check "the report (html): a Cleanup section, overdue" sh -c \
  "'$CUTOVER' report '$T/late.journal' --format html | grep -A1 '<h2>Cleanup</h2>' | grep -q \"class='bad'>.*overdue by 1 day\""

tmux_start late 120 40 "'$CUTOVER' join '$T/late.journal' --as Bo --role dba"
check "the cockpit (120×40): the steps panel's frame says overdue by 1 day" \
  wait_screen late "Steps 1/1 · cleanup: overdue by 1 day"
tmux_start small 80 24 "'$CUTOVER' join '$T/late.journal' --as Bo --role dba"
check "  … at 80×24 too" wait_screen small "cleanup: overdue by 1 day"

check "a journal whose ramp reached 100 % 29 days ago" journal "$T/soon.journal" 29
check "cleanup: exit 3 (the table is there)" expect_exit 3 cleanup "$T/soon.journal"
check "  … 1 day left" contains "$T/c.out" ": 1 day left"
check "check --journal: 1 day left" sh -c \
  "'$CUTOVER' check '$RB' --journal '$T/soon.journal' | grep -q 'cleanup due .* UTC: 1 day left'"
check "check without a journal: the rule in words" sh -c \
  "'$CUTOVER' check '$RB' | grep -qF 'cleanup due 30 days after the ramp reaches 100 %'"

# --- the driving console journals the due date, once ---------------------------
# drive OUT: a driving console on the 29-day journal until it has read
# the flag back against the journal (its first steps are behind it), then
# stopped
drive() {
  "$CUTOVER" run "$RB" --journal "$T/soon.journal" --headless --as Ana --role commander >"$T/$1" 2>&1 &
  local pid=$! rc
  wait_for 20 grep -q "flag reads 100% (check)" "$T/$1"; rc=$?
  kill -TERM "$pid"; wait "$pid"
  return $rc
}
due_events() { sql "$T/soon.journal" "SELECT count(*) FROM events WHERE kind = 'cleanup_due'"; }
check "a driving console on that journal journals cleanup_due" drive drive1.out
check "  … in words" grep -q "cleanup_due: cleanup due .* UTC (deadline: 30d after cutover)" "$T/drive1.out"
check "a second driving console" drive drive2.out
check "  … does not journal it again" sh -c "! grep -q cleanup_due '$T/drive2.out'"
check "  … one cleanup_due in the journal" test "$(due_events)" = 1
check "  … its due date is 30 days after the read-back at 100 %" test "$(sql "$T/soon.journal" "
  SELECT (SELECT json_extract(body, '$.due_ms') FROM events WHERE kind = 'cleanup_due') -
         (SELECT ts_ms FROM events WHERE kind = 'flag_read' AND json_extract(body, '$.purpose') = 'advance')")" = $((30 * DAY))

# --- the SQLite items ----------------------------------------------------------------
chmod a-w "$T/old.db"
check "read-only file: still exit 3" expect_exit 3 cleanup "$T/soon.journal"
check "  … read-only, but the table is still there" grep -q "old.db is read-only (mode 0444), but orders_legacy is still there" "$T/c.out"
chmod u+w "$T/old.db"
sqlite3 "$T/old.db" "DROP TABLE orders_legacy"
check "the table dropped: exit 0" expect_exit 0 cleanup "$T/soon.journal"
check "  … done in time" grep -q "cleanup due .*: done (checked .* UTC)$" "$T/c.out"
check "  … each item OK" test "$(grep -c '^OK ' "$T/c.out")" = 5
rm "$T/old.db"
check "the file removed: still exit 0" expect_exit 0 cleanup "$T/soon.journal"
check "  … the file is gone" grep -q "the file .*old.db is gone" "$T/c.out"
finish
