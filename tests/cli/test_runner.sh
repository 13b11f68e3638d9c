#!/bin/bash
# test_runner.sh — tests/run.sh itself: a suite that hangs is killed at its
# timeout and reported failed by name, a suite that crashes without a
# summary counts as failed, and the closing line adds them all up.
. tests/lib.sh
mkdir -p "$T/s"
cat >"$T/s/hangs.sh" <<'S'
echo "ok   one"; exec sleep 600
S
cat >"$T/s/passes.sh" <<'S'
echo "2 passed, 0 failed"
S
cat >"$T/s/crashes.sh" <<'S'
echo "3 passed, 0 failed"; kill -SEGV $$
S
run() {
  SUITE_TIMEOUT=2 TEST_JOBS=3 TEST_LOGS="$T/logs" tests/run.sh \
    "$T/s/hangs.sh" "$T/s/passes.sh" "$T/s/crashes.sh" >"$T/out" 2>&1
  echo $? >"$T/rc"
}
start=$SECONDS
run
check "run.sh exits 1 when a suite failed" bash -c "[ \$(cat '$T/rc') -eq 1 ]"
check "the hung suite is named, with its timeout" grep -qE '^hangs.sh .*TIMED OUT after 2s' "$T/out"
check "it is listed among the failed suites" grep -q '^failed suites: hangs.sh crashes.sh' "$T/out"
check "a suite that crashed after its summary counts as failed" grep -qE '^crashes.sh +3 passed, 1 failed' "$T/out"
check "the closing line adds them up" grep -qx '5 passed, 2 failed' "$T/out"
# generous: the 2 s timeout and 10 s kill grace, not the hung 600 s
check "the hang did not hold the run (under 60 s)" bash -c "[ $((SECONDS - start)) -lt 60 ]"

# The order: three suites that note when they start, one at a time, the
# times file saying b took longest, then c; a (never timed) counts 10 s.
mkdir -p "$T/o"
for n in a b c; do printf 'echo %s >>"%s"\necho "1 passed, 0 failed"\n' "$n" "$T/started" >"$T/o/$n.sh"; done
printf 'b.sh 50\nc.sh 20\n' >"$T/times"
TEST_JOBS=1 TEST_TIMES="$T/times" TEST_LOGS="$T/logs2" tests/run.sh "$T/o/a.sh" "$T/o/b.sh" "$T/o/c.sh" >"$T/out2" 2>&1
check "the longest suite starts first (b, c, then a)" test "$(tr '\n' ' ' <"$T/started")" = "b c a "
check "… and they are reported in their own order (a, b, c)" \
  test "$(grep -oE '^[abc]\.sh' "$T/out2" | tr '\n' ' ')" = "a.sh b.sh c.sh "
check "this run's seconds are kept for the next (all three)" \
  test "$(grep -cE '^[abc]\.sh [0-9]+$' "$T/times")" = 3

# lib.sh's clean-up belongs to the suite's own shell: a `cmd &` told to
# stop before it exec'd is a copy of that shell with its EXIT trap, and
# removed the suite's folder from under it (test_writers_step lost its
# folder so, mid-run, once in a full run under load)
printf '. tests/lib.sh\nfor i in $(seq 50); do ./cutover --version >/dev/null 2>&1 & kill -TERM $! 2>/dev/null; wait $! 2>/dev/null; [ -d "$T" ] || { echo "removed at round $i"; exit 1; }; done\n' >"$T/killed_child.sh"
check "a child killed between fork and exec leaves the suite's folder" bash "$T/killed_child.sh"

# sqlite3 in a suite (and in the shells it starts) waits for a lock: a
# journal read while its writer held it failed at once with "database is
# locked" (test_writers_job, once in a CI run). A holder takes an exclusive
# lock for 1.5 s; the read that comes meanwhile must wait and answer.
locked_read() {
  sqlite3 "$T/locked.db" "CREATE TABLE t(x); INSERT INTO t VALUES (7)" || return 1
  { echo "BEGIN EXCLUSIVE; SELECT 'locked';"; read -rt 1.5 -u "$POLL_FD"; echo "COMMIT;"; } |
    sqlite3 "$T/locked.db" >"$T/holder.out" 2>&1 &
  wait_for 10 grep -q locked "$T/holder.out" || return 1
  sh -c 'sqlite3 "$0" "SELECT x FROM t"' "$T/locked.db" >"$T/reader.out" 2>&1
  cat "$T/reader.out"; wait
  grep -qx 7 "$T/reader.out"
}
check "sqlite3 in a suite waits for a lock held by another" locked_read
finish
