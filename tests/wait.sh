# wait.sh — waiting for a condition with a deadline, for the shell suites
# (sourced after tests/lib.sh): a suite waits exactly as long as the thing
# takes, instead of a fixed `sleep` that is too long on a quiet machine and
# too short on a busy one.

# wait_until SECONDS COMMAND...: true as soon as COMMAND succeeds (polled
# as lib.sh's poll_pause says); after SECONDS, false, saying what it waited
# for.
wait_until() {
  local secs=$1; shift
  local POLL_T0 POLL_DEADLINE
  poll_begin "$secs"
  until "$@" >/dev/null 2>&1; do
    if poll_over; then
      echo "still not true after ${secs}s: $*"
      return 1
    fi
    poll_pause
  done
}

# journal_count JOURNAL WHERE: events matching an SQL condition (0 while
# the journal is not there yet — never opened before, since the sqlite3
# shell would create it empty).
journal_count() {
  [ -s "$1" ] && sql "$1" "select count(*) from events where $2" 2>/dev/null || echo 0
}

# journal_has JOURNAL WHERE: true once such an event is journaled.
journal_has() { [ "$(journal_count "$1" "$2")" -ge 1 ] 2>/dev/null; }
