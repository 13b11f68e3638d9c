# report_checks.sh — `cutover report` on two real journals, one that
# aborted at 25% and one that reached 100% (test_demo_e2e.sh makes them):
# the JSON's verified, outcome, aborts with their latencies, signals and
# timeline against the journal itself (with the session's start and each
# phase completed, lines of the report's own, in md, html and json too); the Markdown's summary; nothing
# written to the journal; a tampered copy reported up to its first bad
# sequence with exit 1. Sourced after tests/lib.sh.

# jq_py FILE EXPR: prints a Python expression over the JSON in FILE (as r).
jq_py() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }
# jq_true FILE EXPR: true when the expression is True; otherwise says what it was
jq_true() { local v; v=$(jq_py "$1" "$2"); [ "$v" = True ] || { echo "  | $v"; return 1; }; }

report_checks() {  # ABORTED_JOURNAL COMPLETED_JOURNAL
  local a=$1 b=$2 before
  before=$(sha256sum "$a" | cut -d' ' -f1)
  check "report --format json on the aborted ceremony exits 0" \
    sh -c '"$0" report "$1" --format json >"$2"' "$CUTOVER" "$a" "$T/ra.json"
  check "  … and writes nothing to the journal" test "$(sha256sum "$a" | cut -d' ' -f1)" = "$before"
  check "  … verified: true" test "$(jq_py "$T/ra.json" "r['verified']")" = True
  check "  … outcome: aborted" test "$(jq_py "$T/ra.json" "r['outcome']")" = aborted
  check "  … one abort, by the criterion that decided it" \
    test "$(jq_py "$T/ra.json" "len(r['aborts']) == 1 and 'new_read_error_rate > 1%' in r['aborts'][0]['criterion']")" = True
  local v; v=$(sql "$a" "select json_extract(body,'\$.value') from events where kind='abort'")
  check "  … its deciding value is the journal's ($v)" \
    test "$(jq_py "$T/ra.json" "abs(r['aborts'][0]['value'] - $v) <= 1e-12 * abs($v)")" = True
  check "  … breach → read back is the journal's rollback latency" \
    test "$(jq_py "$T/ra.json" "r['aborts'][0]['breach_to_read_back_ms']")" = \
         "$(sql "$a" "select json_extract(body,'\$.latency_ms') from events where kind='rollback_confirmed'")"
  check "  … and it took effect after the flag was set" \
    test "$(jq_py "$T/ra.json" "r['aborts'][0]['set_to_effective_ms'] > 0")" = True
  check "  … the signal that fired is shown breached, its worst past 1%" \
    test "$(jq_py "$T/ra.json" "[s for s in r['signals'] if s['name']=='new_read_error_rate'][0]['breached'] and [s for s in r['signals'] if s['name']=='new_read_error_rate'][0]['worst'] > 0.01")" = True
  check "  … the timeline has every event, in order" \
    test "$(jq_py "$T/ra.json" "[e['seq'] for e in r['timeline'] if not e.get('derived')] == list(range(1, len(r['timeline'])-sum(1 for e in r['timeline'] if e.get('derived'))+1)) and sum(1 for e in r['timeline'] if not e.get('derived'))")" = \
         "$(sql "$a" "select count(*) from events")"
  check "  … and begins with the session's start, a line of its own" \
    test "$(jq_py "$T/ra.json" "(r['timeline'][0]['kind'], r['timeline'][0].get('derived'), r['timeline'][0]['text'].startswith('session start: '), sum(1 for e in r['timeline'] if e['kind']=='session_start'))")" = \
         "('session_start', True, True, 1)"
  check "  … the participants include the dba who acknowledged" \
    test "$(jq_py "$T/ra.json" "any(p['role']=='dba' and p['acks']>0 for p in r['participants'])")" = True
  check "  … started and ended are ISO times, in order" \
    test "$(jq_py "$T/ra.json" "__import__('re').fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z', r['started']) is not None and r['started'] < r['ended']")" = True
  check "  … every participant has a name and a role, the dba's as the journal names them" \
    test "$(jq_py "$T/ra.json" "(all(p['name'] and p['role'] for p in r['participants']), [p['name'] for p in r['participants'] if p['role']=='dba'][0])")" = \
         "(True, '$(sql "$a" "select substr(actor, 1, instr(actor,'/')-1) from events where kind='ack' and actor like '%/dba' limit 1")')"
  check "  … every timeline entry has a time, a kind, an actor and words" \
    jq_true "$T/ra.json" "[e for e in r['timeline'] if not (e['ts'] and e['kind'] and isinstance(e['actor'], str) and e['text'])][:1] or True"
  # in the journal's order, which is the order of commits: an ack stamped
  # when it was given may commit after a later-stamped event of the engine
  check "  … each inside the ceremony, from its start to its end" \
    jq_true "$T/ra.json" "[e for e in r['timeline'] if not r['started'] <= e['ts'] <= r['ended']][:1] or True"
  check "  … the abort's times in order: breach ≤ abort ≤ flag set ≤ read back" \
    test "$(jq_py "$T/ra.json" "(lambda a: a['breach'] <= a['abort'] <= a['flag_set'] <= a['read_back'] and a['breach_to_set_ms'] >= 0)(r['aborts'][0])")" = True
  check "  … the fired signal's threshold (1%) and the time of its worst, inside the ceremony" \
    test "$(jq_py "$T/ra.json" "(lambda g: g['threshold'] == 0.01 and r['started'] <= g['worst_at'] <= r['ended'])([s for s in r['signals'] if s['name']=='new_read_error_rate'][0])")" = True
  check "  … time was spent at 25%" test "$(jq_py "$T/ra.json" "any(t['percent']==25 and t['ms']>0 for t in r['time_at_percent'])")" = True
  check "the Markdown report says what happened" \
    sh -c '"$0" report "$1" >"$2" && grep -q "^- \*\*Outcome:\*\* aborted" "$2" && grep -q "both hash chains verified" "$2" && grep -q "^## Aborts" "$2"' \
      "$CUTOVER" "$a" "$T/ra.md"
  check "  … its counts in words, one abort singular" \
    sh -c 'grep -q "^- [0-9]* acknowledgements, 1 abort, 0 halts, " "$0"' "$T/ra.md"
  check "  … the abort's deciding value in the criterion's units (a % threshold: 2.534%, not 0.02534)" \
    sh -c 'grep -A4 "^## Aborts" "$0" | tail -1 | grep -qE "\| [0-9.]+% \| [0-9.]+% → "' "$T/ra.md"
  check "the completed ceremony's report: outcome completed at 100%" \
    sh -c '"$0" report "$1" --format json >"$2"' "$CUTOVER" "$b" "$T/rb.json"
  check "  … completed, the flag last read at 100, no abort" \
    test "$(jq_py "$T/rb.json" "(r['outcome'], r['last_percent'], len(r['aborts']))")" = "('completed', 100, 0)"
  # the phases before the ramp (2 and 3) are complete in both ceremonies
  check "  … its timeline says phases 2 and 3 complete, each right after the event that completed it" \
    test "$(jq_py "$T/rb.json" "([e['text'] for e in r['timeline'] if e['kind']=='phase_complete'][:2], all(e.get('derived') and (r['timeline'][i-1]['seq'] == e['seq']) for i, e in enumerate(r['timeline']) if e['kind']=='phase_complete'))")" = \
         "(['phase 2 (Dual-write and backfill) complete', 'phase 3 (Shadow reads) complete'], True)"
  check "  … each ramp step's hold, a line of its own after the advance that ended it" \
    jq_true "$T/rb.json" "(lambda h: [e['text'] for e in h] if [__import__('re').match(r'(\\d+)% held .+ of its .+ hold, until the advance to (\\d+)%\$', e['text']).groups() for e in h] != [('1', '5'), ('5', '25'), ('25', '100')] or not all(e.get('derived') and any(x['seq'] == e['seq'] and x['kind'] == 'ramp_advance' for x in r['timeline']) for e in h) else True)([e for e in r['timeline'] if e['kind']=='step_held'])"
  check "  … and in the aborted one, the last hold ends at the abort" \
    jq_true "$T/ra.json" "(lambda h: h[-1]['text'] if not h[-1]['text'].startswith('25% held ') or not h[-1]['text'].endswith('until the abort') else True)([e for e in r['timeline'] if e['kind']=='step_held'])"
  check "  … in the Markdown too, in bold" \
    sh -c '"$0" report "$1" >"$2" && grep -q "| \*\*phase 2 (Dual-write and backfill) complete\*\* |$" "$2" && grep -q "| \*\*phase 3 (Shadow reads) complete\*\* |$" "$2"' "$CUTOVER" "$b" "$T/rb.md"
  check "  … and in the HTML" \
    sh -c '"$0" report "$1" --format html >"$2" && grep -q "<tr class=\"derived\">.*<b>phase 3 (Shadow reads) complete</b>" "$2"' "$CUTOVER" "$b" "$T/rb.html"
  check "the HTML report is one file with a chart per signal" \
    sh -c '"$0" report "$1" --format html >"$2" && test "$(grep -c "<svg" "$2")" = "$(sqlite3 "$1" "select count(distinct signal) from samples")"' \
      "$CUTOVER" "$a" "$T/ra.html"
  check "  … the thresholds drawn, the abort marked, the 25% step marked" \
    sh -c 'grep -q "class=.threshold" "$0" && grep -q "class=.abortlabel.>ABORT" "$0" && grep -q "class=.steplabel.>25%" "$0"' "$T/ra.html"
  check "  … the abort's value in % there too" \
    sh -c 'grep -qE "for [0-9]+s</td><td>[0-9.]+%</td>" "$0"' "$T/ra.html"
  check "  … and nothing from outside: no script, no link, no remote source" \
    sh -c '! grep -qiE "<script|<link|src=|href=" "$0"' "$T/ra.html"
  mkdir -p "$ROOT/build" && cp "$T/ra.html" "$ROOT/build/report-aborted.html"
  # The same file in a real browser: Debian's Chromium, headless, takes its
  # picture; tests/tools/png_check.py counts what was drawn.
  check "headless Chromium renders the HTML report to a 1000×1400 picture" \
    sh -c 'timeout 90 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
             --user-data-dir="$0/chromium" --window-size=1000,1400 --screenshot="$0/ra.png" \
             "file://$0/ra.html" >"$0/chromium.log" 2>&1 && test -s "$0/ra.png"' "$T"
  python3 "$ROOT/tests/tools/png_check.py" "$T/ra.png" "#1565c0" "#c62828" >"$T/ra.png.txt" 2>&1
  cp "$T/ra.png" "$ROOT/build/report-aborted.png" 2>/dev/null
  check "  … with the charts drawn: the signals' lines (blue) and the thresholds (red)" \
    python3 -c 'import sys; t = dict(l.split("=", 1) for l in open(sys.argv[1]).read().split()[1:]); sys.exit(not (int(t["colours"]) > 50 and int(t["#1565c0"]) > 500 and int(t["#c62828"]) > 500))' "$T/ra.png.txt"
  # the Markdown with --out: one SVG chart per signal beside it, linked
  mkdir -p "$T/md"
  check "report --out FILE.md writes the Markdown and one SVG per signal beside it" \
    sh -c '"$0" report "$1" --out "$2/r.md" && test -s "$2/r.md" && test "$(ls "$2"/r-*.svg | wc -l)" = "$(sqlite3 "$1" "select count(distinct signal) from samples")"' \
      "$CUTOVER" "$a" "$T/md"
  check "  … each linked from the Markdown by its own name" \
    sh -c 'for f in "$0"/r-*.svg; do grep -qF "](${f##*/})" "$0/r.md" || exit 1; done' "$T/md"
  check "  … each a standalone SVG with its styles, its threshold and the abort marked" \
    sh -c 'grep -q "xmlns=.http://www.w3.org/2000/svg" "$0/r-p99_ratio.svg" && grep -q "<style>" "$0/r-p99_ratio.svg" && grep -q "class=.threshold" "$0/r-p99_ratio.svg" && grep -q "ABORT" "$0/r-p99_ratio.svg"' "$T/md"
  check "  … and without --out the Markdown says how to get them" \
    sh -c '"$0" report "$1" | grep -qF -- "--out FILE.md"' "$CUTOVER" "$a"
  check "  … a directory that cannot be written is an error in words, exit 1" \
    sh -c '! "$0" report "$1" --out /nonexistent/r.md 2>"$2" && grep -q "cannot write /nonexistent/" "$2"' \
      "$CUTOVER" "$a" "$T/md/err"
  cp "$a" "$T/noted.journal"
  "$ROOT/build/tools/journal_put" "$T/noted.journal" note '{"text":"<script>alert(1)</script> & <b>bold</b>"}' >/dev/null
  check "a note's markup is shown as text, never run" \
    sh -c '"$0" report "$1" --format html >"$2"; grep -qF "note: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" "$2" && ! grep -q "<script" "$2"' \
      "$CUTOVER" "$T/noted.journal" "$T/noted.html"
  cp "$a" "$T/tampered.journal"
  sql "$T/tampered.journal" "drop trigger if exists events_no_update; update events set body=replace(body,'25','26') where seq=(select min(seq) from events where kind='ramp_advance' and body like '%25%')" 2>/dev/null
  local bad; bad=$(sql "$T/tampered.journal" "select min(seq) from events where kind='ramp_advance' and body like '%26%'")
  "$CUTOVER" report "$T/tampered.journal" --format json >"$T/rt.json" 2>"$T/rt.err"
  check "a tampered journal's report exits 1" test $? -eq 1
  check "  … says verified: false at the edited sequence ($bad)" \
    test "$(jq_py "$T/rt.json" "(r['verified'], r['first_bad']['seq'])")" = "(False, $bad)"
  check "  … and its timeline stops before it" \
    test "$(jq_py "$T/rt.json" "max(e['seq'] for e in r['timeline'])")" = $((bad - 1))
}
