# test_rollback_resume_dir.sh — issue 16 item 2 with a flagd file: the
# flag file is replaced by a directory in the middle of a ramp, a
# criterion fires, the console is killed -9 with its rollback unconfirmed.
# The restarted console sets the rollback again at once and retries it with
# backoff while the file cannot be read or written; once the file is back
# the rollback is read back and the headless run exits 3.
. tests/lib.sh
need build/tools/fault_server build/tools/flagctl >/dev/null || exit 1
FLAGCTL=$ROOT/build/tools/flagctl
mkdir -p "$T/answers"
metrics() { printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n' "$1" >"$T/answers/m"; mv "$T/answers/m" "$T/answers/metrics"; }
metrics 0
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault $run 2>/dev/null; }
P=$(wait_port "$T/fault.out")
F=$T/flags.json
cat >"$T/rb.md" <<EOF2
# Rollback resume (flagd)

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$F\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 250ms

## Abort criteria
- abort if error_ratio > 1%

## Ramp
- 1% for 1h
- 100%

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
J=$T/rb.journal
export CUTOVER_TIME_SCALE=4
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
check "the ramp holds at 1%" wait_for 60 grep -q "flag reads 1% (advance)" "$T/run.out"
cp "$F" "$T/saved.json"
rm "$F" && mkdir "$F"
metrics 0.05
failed_tries() { sql "$J" "select count(*) from events where kind='flag_set' and json_extract(body,'\$.purpose')='rollback' and not json_extract(body,'\$.ok') and seq > (select max(seq) from events where kind='console_open')"; }
tries_after_open() { [ "$(failed_tries)" -ge "$1" ]; }
# resumed OPENS N: a console opened since OPENS were counted, and it failed N tries
opens() { sql "$J" "select count(*) from events where kind='console_open'"; }
resumed() { [ "$(opens)" -gt "$1" ] && tries_after_open "$2"; }
check "the abort fired; the rollback fails on the directory" wait_for 60 tries_after_open 1
kill -9 $run; wait $run 2>/dev/null
metrics 0
o=$(opens)
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run2.out" 2>"$T/run2.err" &
run=$!
check "restarted: the rollback is set again and again, though the flag cannot be read" wait_for 60 resumed "$o" 3
check "no success is reported" test "$(sql "$J" "select count(*) from events where kind='rollback_confirmed'")" = 0
rmdir "$F" && cp "$T/saved.json" "$F"
gone() { ! kill -0 $run 2>/dev/null; }
wait_for 60 gone || kill $run
wait $run; rc=$?
check "once the file is back the rollback is read back and the run exits 3 (exit $rc)" test $rc -eq 3
check "rollback_confirmed is journaled once" test "$(sql "$J" "select count(*) from events where kind='rollback_confirmed'")" = 1
check "the file says 0%" test "$("$FLAGCTL" "$T/rb.md" read)" = 0
finish
