#!/bin/bash
# test_console_no_terminal.sh — a full-screen console started with no
# terminal to take keys from (stdin /dev/null or a file: `make demo` from
# a script, a cron job, `nohup`): every read came back at once with
# nothing, and the console spun a whole core forever (3.6 s user + 2.6 s
# system in 6 s), never quitting. Now run, join and demo refuse in words
# before they touch the journal or start anything, and --headless still
# runs.
. tests/lib.sh
RB=$ROOT/runbooks/orders.md
commander=$(sed -n 's/^- commander: *//p' "$RB" | head -1)
# ends: runs COMMAND with stdin from /dev/null, under a deadline (124: it did not end)
ends() { timeout -k 2 10 "$@" </dev/null >"$T/.last" 2>&1; echo $? >"$T/.rc"; }
rc() { [ "$(cat "$T/.rc")" = "$1" ] || { echo "exit $(cat "$T/.rc"), wanted $1"; cat "$T/.last"; return 1; }; }
ends "$CUTOVER" run "$RB" --journal "$T/j" --as "$commander" --role commander
check "run with stdin from /dev/null ends at once, exit 2" rc 2
check "  … saying why and what to do" contains "$T/.last" "needs a terminal"
check "  … and --headless" contains "$T/.last" "--headless"
check "  … the journal untouched" test ! -e "$T/j"
"$CUTOVER" run "$RB" --journal "$T/h" --headless </dev/null >"$T/h.out" 2>&1 &
hp=$!
check "--headless with the same stdin runs" wait_for 20 grep -q "console_open" "$T/h.out"
kill -TERM $hp; wait $hp 2>/dev/null
ends "$CUTOVER" join "$T/h" --as "$commander" --role commander
check "join likewise: exit 2" rc 2
check "  … saying why" contains "$T/.last" "needs a terminal"
ends "$CUTOVER" demo
check "demo likewise: exit 2, no service started" rc 2
check "  … saying why" contains "$T/.last" "needs a terminal"
finish
