# test_checker_issue16.sh — runbooks that once passed `cutover check` and
# must not (issue 16, "The runbook checker" and item 5), through the real
# binary: each is refused (exit 1) naming FILE:LINE and what is wrong.
. tests/lib.sh

# rb FILE RAMP_EXTRA SYSTEMS_EXTRA SIGNAL_SUFFIX: a small runbook whose ## Ramp
# starts at line 7 (its paragraphs first), with the given extra lines.
rb() {
  {
    printf '# Fixture\n\n## Roles\n- commander: Alice Ng\n- dba: Bob Ruiz\n\n## Ramp\n'
    printf '%b' "${2:-- 1% for 10m\n- 100%\n}"
    printf '\n## Phase 1: Only\n- [ ] dba: ramp it `ramp`\n\n## Rollback\n### Phase 1\nUndo.\n\n'
    printf '## Systems\n- metrics: prometheus `http://127.0.0.1:9090`\n'
    printf '%b' "${3:-}"
    printf '\n## Signals\n- error_rate: `x`%s\n\n## Abort criteria\n- abort if error_rate > 1%%\n' "${4:-}"
  } >"$1"
}

# refused_at FILE LINE TEXT: check exits 1 and prints FILE:LINE: …TEXT…
refused_at() {
  "$CUTOVER" check "$1" >"$T/o" 2>&1
  local rc=$?
  [ $rc -eq 1 ] && grep -F -- "$1:$2: " "$T/o" | grep -qF -- "$3" || { echo "exit $rc"; cat "$T/o"; return 1; }
}

rb "$T/base.md"
check "the base runbook is sound" expect_exit 0 "$CUTOVER" check "$T/base.md"

# 1. Window words the grammar does not understand
rb "$T/w1.md" 'Window: weekdays 14:00-16:00 UTC except month-end\n\n- 1% for 10m\n- 100%\n'
check "Window: … except month-end is an error naming the words" refused_at "$T/w1.md" 8 "except month-end"
rb "$T/w2.md" 'Window: weekdays 14:00-16:00 UTC, never on fridays\n\n- 1% for 10m\n- 100%\n'
check "Window: …, never on fridays is an error naming the words" refused_at "$T/w2.md" 8 "never on fridays"
rb "$T/w3.md" 'Window: weekdays 14:00-16:00 UTC, not on the last day of the month\n\n- 1% for 10m\n- 100%\n'
check "the documented month-end clause is still sound" expect_exit 0 "$CUTOVER" check "$T/w3.md"

# 2. A fractional step on Unleash
rb "$T/u.md" '- 0.5% for 10m\n- 100%\n' '- flag: unleash `http://127.0.0.1:4242` flag `orders`\n'
check "a 0.5% step on an Unleash flag names the step's line" refused_at "$T/u.md" 8 "whole percentages"

# 3. Absurd durations
rb "$T/d1.md" '- 1% for 106000000000d\n- 100%\n'
check "a hold of 106000000000d is refused naming the limit" refused_at "$T/d1.md" 8 "at most 30d"
rb "$T/d2.md" '' '' ' every 99999999999d'
check "every 99999999999d is refused naming the limit" refused_at "$T/d2.md" 22 "at most 1h"
{
  printf '# Fixture\n\n## Roles\n- commander: Alice Ng\n- dba: Bob Ruiz\n\n## Ramp\n'
  awk 'BEGIN { for (i = 1; i < 10000; i++) printf "- %.4f%% for 1ms\n", i / 100; print "- 100%" }'
  printf '\n## Phase 1: Only\n- [ ] dba: ramp it `ramp`\n\n## Rollback\n### Phase 1\nUndo.\n\n'
  printf '## Systems\n- metrics: prometheus `http://127.0.0.1:9090`\n'
  printf '\n## Signals\n- error_rate: `x`\n\n## Abort criteria\n- abort if error_rate > 1%%\n'
} >"$T/d3.md"
check "10,000 ramp steps are refused naming the limit" refused_at "$T/d3.md" 7 "at most 100 steps"
rb "$T/d4.md" '- 1% for 10m\n- 100%\n' '' ''
sed -i 's/^- abort if error_rate > 1%$/- abort if error_rate > 1% for 99999999d/' "$T/d4.md"
check "a criterion's for 99999999d is refused naming the limit" refused_at "$T/d4.md" 25 "at most 30d"

rb "$T/d5.md"
printf '\n## Cleanup\n- deadline: 106000000000d after cutover\n' >>"$T/d5.md"
check "a cleanup deadline of 106000000000d is refused naming the limit" refused_at "$T/d5.md" 28 "at most 3650d"

# 4. An unknown kind where a known one was meant
rb "$T/k.md" '' '- old: postgresql `dbname=shop`\n' '' 
sed -i 's/^- error_rate: `x`$/- error_rate: `x`\n- lag: old `SELECT 1`/' "$T/k.md"
check "kind postgresql used by a signal is an error suggesting postgres" refused_at "$T/k.md" 20 "did you mean postgres?"
rb "$T/k2.md" '' '- flag: flagdd `/tmp/flags.json` flag `orders`\n'
check "kind flagdd as the flag is an error suggesting flagd" refused_at "$T/k2.md" 20 "did you mean flagd?"

# 5. The notify example of the READMEs
rb "$T/n.md" '' '- notify: slack `https://hooks.slack.com/services/${SLACK_WEBHOOK_PATH}`\n'
notify_clean() {
  SLACK_WEBHOOK_PATH=x "$CUTOVER" check "$T/n.md" >"$T/o" 2>&1 || { cat "$T/o"; return 1; }
  ! grep -q "warning" "$T/o" || { cat "$T/o"; return 1; }
}
check "the README's notify: slack example passes check with no warning" notify_clean

# 6. Binary data names its line in the FILE:LINE place
printf '# T\n\n## Roles\n- commander: A\n\n\n\n\n\n\n\nbad \000 byte\n' >"$T/bin.md"
check "check: binary data on line 12 is FILE:12:" refused_at "$T/bin.md" 12 "binary data"
run_binary() {
  (cd "$T" && "$CUTOVER" run bin.md --headless) >"$T/o" 2>&1
  grep -qF "bin.md:12: binary data" "$T/o" && ! grep -qF ":0:" "$T/o" || { cat "$T/o"; return 1; }
}
check "run: binary data on line 12 is FILE:12:, never FILE:0:" run_binary

# 7. verify refuses what is not a regular file, at once
mkfifo "$T/fifo"
verify_fifo() {
  timeout 10 "$CUTOVER" verify "$T/fifo" >"$T/o" 2>&1
  local rc=$?
  [ $rc -eq 1 ] && grep -q "not a regular file" "$T/o" || { echo "exit $rc"; cat "$T/o"; return 1; }
}
check "verify on a FIFO is refused at once" verify_fifo
verify_missing() {
  "$CUTOVER" verify "$T/nope.journal" >"$T/o" 2>&1
  local rc=$?
  [ $rc -eq 1 ] && grep -q "does not exist" "$T/o" || { echo "exit $rc"; cat "$T/o"; return 1; }
}
check "verify on a missing journal says it does not exist" verify_missing
verify_dir() {
  "$CUTOVER" verify "$T" >"$T/o" 2>&1
  local rc=$?
  [ $rc -eq 1 ] && grep -q "directory" "$T/o" || { echo "exit $rc"; cat "$T/o"; return 1; }
}
check "verify on a directory says so" verify_dir
# As root every directory is writable: run the check as nobody then.
as_user=""
[ "$(id -u)" = 0 ] && command -v runuser >/dev/null && as_user="runuser -u nobody --"
if [ "$(id -u)" != 0 ] || [ -n "$as_user" ]; then
  chmod 755 "$T"
  mkdir "$T/ro" && cp "$T/base.md" "$T/ro/" && chmod 555 "$T/ro" && chmod 644 "$T/ro/base.md"
  run_readonly() {
    (cd "$T/ro" && $as_user "$CUTOVER" run base.md --headless) >"$T/o" 2>&1
    local rc=$?
    [ $rc -eq 1 ] && grep -q "directory .* is not writable" "$T/o" && ! grep -q "No such file" "$T/o" ||
      { echo "exit $rc"; cat "$T/o"; return 1; }
  }
  check "run with a journal in a read-only directory says the directory is not writable" run_readonly
fi

# 8. A rollback value at or above the first step
rb "$T/r.md" 'Rollback: 50%\n\n- 1% for 10m\n- 100%\n'
check "Rollback: 50% above a first step of 1% names the line" refused_at "$T/r.md" 8 "at or above the first ramp step"
rb "$T/r2.md" 'Rollback: 1%\n\n- 1% for 10m\n- 100%\n'
check "Rollback equal to the first step is refused too" refused_at "$T/r2.md" 8 "at or above the first ramp step"
finish
