# test_lease_race.sh — issue 20, two drivers at once stay impossible: two
# `cutover run` race for one journal's lease, 100 times — 50 on a journal
# neither has created yet, 50 taking over from a driver killed with -9 — and
# every time exactly one drives (the lease names it, it journals the
# ramp) while the other is refused at once, naming who drives.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md"
rounds=${LEASE_RACE_ROUNDS:-50}
bad=0 refused_ok=0 one_driver=0
DRIVING="kind='console_open' and json_extract(body,'\$.mode')='headless'"
opens_reach() { [ "$(journal_count "$1" "$DRIVING")" -ge "$2" ]; }
# race JOURNAL ROUND OPENS: starts two drivers at once; 0 when exactly one
# drives. The winner is killed once the journal holds OPENS driving
# console_opens: its own is written by the journal's writer thread, after
# the lease, and a kill -9 that came first took it with it (49 of 50, once).
race() {
  J=$1 r=$2 opens=$3
  "$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/a$r.out" 2>&1 & a=$!
  "$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/b$r.out" 2>&1 & b=$!
  # the loser is refused at once and exits; the winner runs on
  loser=
  for _ in $(seq 1 200); do
    if ! kill -0 $a 2>/dev/null; then loser=a; break; fi
    if ! kill -0 $b 2>/dev/null; then loser=b; break; fi
    read -rt 0.05 -u "$POLL_FD"   # a pause without a process (lib.sh)
  done
  if [ -z "$loser" ]; then
    echo "  round $r: neither was refused within 10 s: two drivers" >&2
    kill -9 $a $b 2>/dev/null; wait $a $b 2>/dev/null; return 1
  fi
  if [ $loser = a ]; then winner=$b; wait $a; rc=$?; else winner=$a; wait $b; rc=$?; fi
  if ! grep -q "is driven by" "$T/$loser$r.out" || [ $rc -eq 0 ]; then
    echo "  round $r: the loser (exit $rc) did not say who drives: $(head -c 300 "$T/$loser$r.out")" >&2
    kill -9 $winner 2>/dev/null; wait $winner 2>/dev/null; return 1
  fi
  pid=$(sqlite3 "$J" "select pid from lease" 2>/dev/null)
  if [ "$pid" != "$winner" ] || ! kill -0 $winner 2>/dev/null; then
    echo "  round $r: the lease names pid '$pid', the driver alive is $winner" >&2
    kill -9 $winner 2>/dev/null; wait $winner 2>/dev/null; return 1
  fi
  if ! wait_for 20 opens_reach "$J" "$opens"; then
    echo "  round $r: the winner never journaled its console_open" >&2
    kill -9 $winner 2>/dev/null; wait $winner 2>/dev/null; return 1
  fi
  kill -9 $winner; wait $winner 2>/dev/null
  return 0
}
for r in $(seq 1 $rounds); do   # nobody has created the journal yet
  race "$T/fresh$r.journal" "f$r" 1 || bad=$((bad + 1))
done
check "$rounds races on a new journal: exactly one driver each time ($bad failed)" test $bad -eq 0
bad=0
for r in $(seq 1 $rounds); do   # the driver before was killed -9: both take over at once
  race "$T/takeover.journal" "t$r" "$r" || bad=$((bad + 1))
done
check "$rounds races to take over from a killed driver: exactly one each time ($bad failed)" test $bad -eq 0
check "the journal of the take-overs verifies" "$CUTOVER" verify "$T/takeover.journal"
n=$(journal_count "$T/takeover.journal" "$DRIVING")
check "… and holds one driving console_open per round ($n)" test "$n" -eq "$rounds"
finish
