# test_demo_data.sh — `cutover demo` runs its data steps on its SQLite
# files (issue 18): old.db's history is in no new.db until the backfill
# step's turn, when the cockpit copies it (the panel shows the copy); the
# fault menu's 6–9 plant divergences in new.db, journaled as demo_fault;
# the compare step's job finds exactly those, with their causes, on its
# panel, and the step stays open. Waits for conditions, never for a time.
. tests/lib.sh
need build/ordersim >/dev/null || exit 1
tmux_start d 120 40 "$CUTOVER demo"
check "the demo opens" wait_screen d "RAMP" 10
# this demo's directory: from the service it started (other demos may run)
demo_dir() {
  local pane p pp
  pane=$(tmux -S "$TMUX_SOCK" display -p -t d '#{pane_pid}')
  for p in $(pgrep -f "ordersim --old /tmp/cutover-demo"); do
    pp=$(ps -o ppid= -p "$p" | tr -d ' ')
    [ "$(ps -o ppid= -p "$pp" | tr -d ' ')" = "$pane" ] || [ "$pp" = "$pane" ] || continue
    ps -o args= -p "$p" | sed 's|.*--old \([^ ]*\)/old.db.*|\1|'
    return 0
  done
  return 1
}
check "its service runs" wait_for 10 demo_dir
dir=$(demo_dir) J=$dir/demo.journal
rows() { sqlite3 -cmd ".timeout 5000" "$1" "$2"; }
check "old.db holds 1,000 history rows new.db lacks" \
  test "$(rows "$dir/new.db" 'SELECT count(*) FROM orders WHERE id <= 1000')" = 0
check "  … (old has them)" test "$(rows "$dir/old.db" 'SELECT count(*) FROM orders_legacy WHERE id <= 1000')" = 1000
check "no job runs before the backfill step's turn" test "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'data_job'")" = 0

"$CUTOVER" ack "$J" 2.1 --as "Bob Ruiz" --role dba >/dev/null
copied() { [ "$(rows "$dir/new.db" 'SELECT count(*) FROM orders WHERE id <= 1000')" -gt 0 ]; }
check "at its turn the cockpit copies the history" wait_for 20 copied
tmux_keys d j
check "  … its panel shows the copy" wait_screen d "Backfill · step backfill"
check "  … and the step completes itself" wait_screen d "done: every row copied" 40
check "  … every history row is in new" \
  test "$(rows "$dir/new.db" 'SELECT count(*) FROM orders WHERE id <= 1000')" = 1000

planted() { [ "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'demo_fault' AND json_extract(body, '\$.query') LIKE 'new.db $1 key %'")" -ge 1 ]; }
plant() {
  tmux_keys d F
  wait_screen d "6 value" >/dev/null || return 1
  tmux_keys d "$1" Enter
  wait_for 10 planted "$2"
}
check "F 6 plants a changed value in new.db, journaled" plant 6 value
check "F 7 plants a missing row" plant 7 missing-in-new
check "F 8 plants NULL for an empty note" plant 8 null-vs-empty
check "F 9 plants trailing spaces" plant 9 whitespace

"$CUTOVER" ack "$J" 2.3 --as "Bob Ruiz" --role dba >/dev/null
"$CUTOVER" ack "$J" 3.1 --as "Carol Diaz" --role flags >/dev/null
diverged() { [ "$(sql "$J" "SELECT count(*) FROM events WHERE kind = 'data_job' AND json_extract(body, '\$.state') = 'diverged'")" -ge 1 ]; }
check "the compare step's job runs and diverges" wait_for 40 diverged
check "  … finding exactly the four planted rows" \
  test "$(sql "$J" "SELECT json_extract(body, '\$.divergent') FROM events WHERE kind = 'compare' ORDER BY seq DESC LIMIT 1")" = 4
for cause in value missing-in-new null-vs-empty whitespace; do
  check "  … one $cause, at the planted key" test "$(sql "$J" "SELECT count(*) FROM events d JOIN events f ON f.kind = 'demo_fault' AND json_extract(f.body, '\$.query') = 'new.db $cause key ' || json_extract(d.body, '\$.key') WHERE d.kind = 'divergence' AND json_extract(d.body, '\$.cause') = '$cause'")" = 1
done
tmux_keys d j j j
check "the compare panel shows them by cause" wait_screen d "4 DIVERGENT"
check "  … with the newest keys" grep -q "missing-in-new (no row in new)\|value total_cents" "$T/screen"
check "  … and the compare step is open" grep -qF "[ ] compare" "$T/screen"
tmux_keys d q
check "quitting stops the service" wait_screen d "service stopped; the journal is $J" 10
rm -rf "$dir"
finish
