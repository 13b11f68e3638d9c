# test_data_slow_rate.sh — a running `cutover backfill` slowed to a crawl
# (--rate 5: one batch takes longer than a holder's heartbeat may lapse)
# keeps its claim while it waits: its control row stays beaten and held by
# it, so the next change of rate is obeyed rather than refused, a second
# copy is still refused, and the copy never runs unlimited.
. tests/lib.sh
. tests/data/fixture.sh
make_stores "$T" 100000
J=$T/slow.journal RB=$T/rb.md
gone() { ! kill -0 "$1" 2>/dev/null; }
# held_for SECONDS PID: polls the control row for SECONDS (all of them, so
# that the next change comes as late as a person's would) and is true when
# every poll found it held by PID with a heartbeat younger than two seconds.
held_for() {
  local POLL_T0 POLL_DEADLINE row age bad=""
  poll_begin "$1"
  until poll_over; do
    row=$(sql "$T/new.db" "SELECT pid || ' ' || heartbeat_ms FROM cutover_backfill_control")
    age=$(( $(now_ms) - ${row#* } ))
    [ "${row% *}" = "$2" ] || bad="$bad; held by ${row% *}, not $2"
    [ "$age" -lt 2000 ] || bad="$bad; heartbeat $age ms old"
    poll_pause
  done
  [ -z "$bad" ] || { echo "${bad#; }" | tr ';' '\n' | sort | uniq -c | head; return 1; }
}

"$CUTOVER" backfill "$RB" --journal "$J" --rate 2000 >"$T/run.out" 2>"$T/run.err" &
pid=$!
check "a copy starts" wait_for 30 at_least 1000
s0=$(sql "$J" "SELECT max(seq) FROM events")
check "--rate 5 on the running copy" expect_exit 0 "$CUTOVER" backfill "$RB" --rate 5 --running
check "  … it stays held and beaten for longer than a heartbeat may lapse" held_for 8 $pid
# a batch is at most a second's worth of rows at a slow rate: batches of
# the usual 100 rows at 5 rows/s came every 20 s, and the checkpoint, the
# panel's rate and its ETA stood still meanwhile
slow_checkpoints() { sql "$J" "SELECT count(DISTINCT json_extract(body, '\$.rows')) FROM events WHERE kind = 'backfill' AND seq > $s0 AND json_extract(body, '\$.rate') = 5"; }
check "  … its checkpoint moves every second or so meanwhile (not every 20 s)" test "$(slow_checkpoints)" -ge 4
check "--rate 2000 then is obeyed, not refused" \
  expect_exit 0 "$CUTOVER" backfill "$RB" --rate 2000 --running
check "  … the row still names the copy" \
  test "$(sql "$T/new.db" 'SELECT pid FROM cutover_backfill_control')" = $pid
check "a second copy is refused while the first runs" expect_exit 1 "$CUTOVER" backfill "$RB"
check "  … naming the running one" contains "$T/.last" "already running (pid $pid)"
check "lifting the limit" expect_exit 0 "$CUTOVER" backfill "$RB" --rate 0 --running
check "  … the copy finishes" wait_for 60 gone $pid
wait $pid; rc=$?
check "  … with exit 0" test "$rc" = 0
check "  … every row copied once" test "$(sql "$T/new.db" 'SELECT count(*) FROM orders')" = 100000
check "  … and it went unlimited only when asked (once)" \
  test "$(grep -c 'rate now unlimited' "$T/run.err")" = 1
finish
