# test_sigpipe.sh — a headless run whose output is piped to a reader that
# goes away (`| head`): the driver does not die of SIGPIPE (status 141),
# journals once that its output closed, and goes on watching.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault $run $reader 2>/dev/null; }
P=$(wait_port "$T/fault.out")
cat >"$T/rb.md" <<EOF2
# Pipe

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 100ms

## Abort criteria
- abort if error_ratio > 1%

## Phase 1: Watch {readonly}
- [ ] commander: look
EOF2
J=$T/rb.journal
mkfifo "$T/pipe"
head -n 2 <"$T/pipe" >"$T/head.out" &
reader=$!
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/pipe" 2>"$T/run.err" &
run=$!
check "the reader took its lines and went away" wait_for 30 sh -c '! kill -0 $0 2>/dev/null' "$reader"
# the driver writes again at its next event: one journaled by another process
check "someone acknowledges a step from a script" "$CUTOVER" ack "$J" 1.1 --as "Alice Ng" --role commander
closed_once() { [ "$(sql "$J" "select count(*) from events where kind='output_closed'")" = 1 ]; }
check "the closed output is journaled" wait_for 30 closed_once
check "the driver is still running (not killed by SIGPIPE)" kill -0 $run
samples() { sql "$J" "select count(*) from samples"; }
n=$(samples)
more_samples() { [ "$(samples)" -gt "$n" ]; }
check "and goes on sampling" wait_for 30 more_samples
check "it was journaled once only" closed_once
kill -TERM $run; wait $run; rc=$?
check "SIGTERM ends it normally (exit $rc)" test $rc -eq 0
check "its close is journaled" test "$(sql "$J" "select count(*) from events where kind='console_close'")" = 1
finish
