# test_report_data.sh — the report's data section through the real binary
# (issue 19: "backfill and compare results" had only timeline lines). A
# headless console runs the backfill step at 2,000 rows/s; a script pauses
# it, its process is killed while paused (the console starts it again at
# the checkpoint, still paused, until the script resumes it); a person
# plants divergences of four causes and acknowledges it, the console runs
# the compare; a sample is drawn by hand.
# `cutover report` in md, json and html then gives rows copied of total,
# the pause, the restart, the divergent count by cause, the keys (20, then
# "and N more"), the sample's interval and the writer audit's verdict
# (code that writes the old table, not declared), each as the journal has it.
. tests/lib.sh
. tests/data/fixture.sh
N=10000
make_stores "$T" $N
RB=$T/rb.md J=$T/r.journal
sed -i 's/^- \[ \] dba: copy the history `backfill`$/- [ ] dba: copy the history `backfill` {rate=2000}/;
        s/^- \[ \] dba: compare `compare`$/- [ ] dba: divergences planted {#planted}\n&/' "$RB"
check "the runbook checks" expect_exit 0 "$CUTOVER" check "$RB"
count() { sql "$J" "SELECT count(*) FROM events WHERE $1"; }
has() { [ "$(count "$1")" -ge "${2:-1}" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
cleanup_hook() { kill "$pid" 2>/dev/null; }

"$CUTOVER" run "$RB" --journal "$J" --headless --as Ana --role commander >"$T/run.out" 2>&1 &
pid=$!
check "the console starts the backfill at its step's turn" wait_for 30 at_least 500
check "a script pauses it" expect_exit 0 "$CUTOVER" backfill "$RB" --pause
check "  … and the copy journals it paused" \
  wait_for 20 has "kind = 'backfill' AND json_extract(body, '\$.paused') = 1"
child=$(sql "$J" "SELECT json_extract(body, '\$.pid') FROM events WHERE kind = 'data_job' AND json_extract(body, '\$.state') = 'started' ORDER BY seq DESC LIMIT 1")
check "its process killed while paused" kill -9 "$child"
check "  … the console starts it again" \
  wait_for 30 has "kind = 'data_job' AND json_extract(body, '\$.state') = 'started' AND json_extract(body, '\$.job') = 'backfill'" 2
check "  … still paused, as the script left it" \
  wait_for 20 has "kind = 'backfill' AND json_extract(body, '\$.paused') = 1 AND seq > (SELECT max(seq) FROM events WHERE kind = 'data_job' AND json_extract(body, '\$.state') = 'started')"
check "a script resumes it" expect_exit 0 "$CUTOVER" backfill "$RB" --resume
check "  … which finishes" \
  wait_for 60 has "kind = 'data_job' AND json_extract(body, '\$.state') = 'finished' AND json_extract(body, '\$.job') = 'backfill'"
sql "$T/new.db" "DELETE FROM orders WHERE id IN (1001, 5555);
  UPDATE orders SET note = '' WHERE id = 3003;
  UPDATE orders SET customer = 'x' WHERE id % 500 = 7;
  INSERT INTO orders (id, customer) VALUES ($((N + 5)), 'extra');"
check "divergences planted and acknowledged" \
  wait_for 20 sh -c '"$0" ack "$1" planted --as Bo --role dba >/dev/null 2>&1' "$CUTOVER" "$J"
check "  … the console's compare finds them" wait_for 60 has "kind = 'compare'"
# 24 rows of 10,000 differ: a sample of 800 may find none (exit 0) or some (3)
check "a sample drawn by hand" sh -c '"$0" compare "$1" --sample 800 --journal "$2" >/dev/null 2>&1
  rc=$?; [ $rc = 0 ] || [ $rc = 3 ]' "$CUTOVER" "$RB" "$J"
kill -TERM $pid
wait_for 20 gone $pid
wait $pid
mkdir -p "$T/code"
printf 'def purge(db):\n    db.execute("DELETE FROM orders_legacy WHERE id < 10")\n' >"$T/code/purge.py"
check "a writer audit finds a writer nobody declared" \
  expect_exit 3 "$CUTOVER" writers "$RB" --code "$T/code" --journal "$J"

# what the journal says, to hold the report against
by_cause=$(sql "$J" "SELECT json_extract(body, '\$.by_cause') FROM events WHERE kind = 'compare' AND json_extract(body, '\$.sample') IS NULL")
low=$(sql "$J" "SELECT json_extract(body, '\$.rate_low') FROM events WHERE kind = 'compare' AND json_extract(body, '\$.sample') = 800")
keys20=$(sql "$J" "SELECT group_concat(k, ' ') FROM (SELECT json_extract(body, '\$.key') AS k FROM events WHERE kind = 'divergence' ORDER BY seq LIMIT 20)")
check "report --format json exits 0" sh -c '"$0" report "$1" --format json >"$2"' "$CUTOVER" "$J" "$T/r.json"
# every figure the checks below read, from one python (it starts slowly on a busy machine)
python3 - "$T/r.json" >"$T/vals" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))['data']
b, c, s = d['backfill'][0], d['compare'], d['sample']
print('rows', b['rows'], b['total'], b['done'])
print('runs', b['pauses'], b['runs'], b['restarts'])
print('pace', b['duration_ms'] > 2000 and 0 < b['rate'] < 2500)
print('sides', c['rows_old'], c['rows_new'], c['ranges'] > 0)
print('causes', c['divergent'], json.dumps(c['by_cause'], separators=(',', ':')))
print('keys', ' '.join(k['key'] for k in c['keys']), '+' + str(c['keys_more']))
print('sample', s['keys'], '%.15g' % s['rate_low'], c['rows_old'])
print('writers', d['writers']['verdict'] + ': ' + d['writers']['text'])
PY
v() { sed -n "s/^$1 //p" "$T/vals"; }
low=$(printf '%.15g' "$low")
check "  … backfill: every row copied of the total, done" test "$(v rows)" = "$N $N True"
check "  … one pause, two runs, one restart" test "$(v runs)" = "1 2 1"
check "  … a duration, and a rate under the limit (2,000 rows/s and a batch's slack)" \
  test "$(v pace)" = True
check "  … compare: rows on each side, the ranges" test "$(v sides)" = "$N $((N - 1)) True"
check "  … 24 divergent, by cause as the journal's result ($by_cause)" \
  test "$(v causes)" = "24 $by_cause"
check "  … the first 20 keys, in journal order, then 4 more" test "$(v keys)" = "$keys20 +4"
check "  … the sample's 800 keys and its interval, not mixed into the compare" \
  test "$(v sample)" = "800 $low $N"
check "  … the writer audit's verdict" \
  test "$(v writers)" = "unknown writers: 1 unknown writer open, the first: code: purge.py"
check "report in Markdown" sh -c '"$0" report "$1" >"$2"' "$CUTOVER" "$J" "$T/r.md"
check "  … a data section" contains "$T/r.md" "## Data"
check "  … rows copied of total" contains "$T/r.md" "| rows copied | $N of $N (100.0%), done |"
check "  … the pause and the restart" \
  sh -c 'grep -qF "| pauses | 1 |" "$0" && grep -qF "| runs | 2 runs by the console, 1 restart " "$0"' "$T/r.md"
check "  … divergent by cause" \
  contains "$T/r.md" "| divergent | 24: missing-in-new 2, extra-in-new 1, null-vs-empty 1, value 20 |"
check "  … the keys, capped" contains "$T/r.md" "and 4 more |"
check "  … the sample with its interval" contains "$T/r.md" "(95% Wilson interval"
check "  … the writer audit" contains "$T/r.md" "| verdict | unknown writers |"
check "report in HTML: the same section" sh -c '"$0" report "$1" --format html >"$2" &&
  grep -q "<h2>Data</h2>" "$2" && grep -q "<th>divergent</th><td>24: missing-in-new 2" "$2"' "$CUTOVER" "$J" "$T/r.html"
mkdir -p "$ROOT/build" && cp "$T/r.html" "$ROOT/build/report-data.html"
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
