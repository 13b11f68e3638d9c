# test_flag_mismatch.sh — issue 16 item 1: kill -9 at 10 %, the flag set by
# hand to 0 % (a manual rollback) or switched DISABLED, run again. The
# mismatch freezes every advance, the automatic ones too: a headless run
# exits 1 with the message instead of ramping on, and the flag is left as
# the person left it. At a console the commander resolves it: A accepts
# the flag's value with a written reason (journaled).
. tests/lib.sh
need build/tools/fault_server build/tools/flagctl >/dev/null || exit 1
FLAGCTL=$ROOT/build/tools/flagctl
mkdir -p "$T/answers"
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault $run 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out")
F=$T/flags.json
cat >"$T/rb.md" <<EOF2
# Mismatch

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$F\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 200ms

## Abort criteria
- abort if error_ratio > 1%

## Ramp
- 10% for 20s
- 25% for 20s
- 100%

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
export CUTOVER_TIME_SCALE=4   # a 20 s hold passes in 5 s
advances() { sql "$1" "select count(*) from events where kind='ramp_advance'"; }
at_10() { grep -q "flag reads 10% (advance)" "$1"; }

# at_10_then_killed JOURNAL OUT: a headless ramp to 10 %, killed -9 there.
at_10_then_killed() {
  "$CUTOVER" run "$T/rb.md" --journal "$1" --headless >"$2" 2>&1 &
  run=$!
  wait_for 60 at_10 "$2" || return 1
  kill -9 $run; wait $run 2>/dev/null
  [ "$(advances "$1")" = 1 ]
}

# 1. set by hand to 0 %
J=$T/a.journal
check "the ramp held at 10% and was killed -9 there" at_10_then_killed "$J" "$T/a1.out"
check "someone set the flag to 0% by hand" "$FLAGCTL" "$T/rb.md" set 0
check "the headless rerun exits 1 instead of ramping" expect_exit 1 timeout 60 "$CUTOVER" run "$T/rb.md" --journal "$J" --headless
check "… saying why" contains "$T/.last" "THE FLAG SAYS 0%, THE JOURNAL 10%"
check "the mismatch is journaled" test "$(sql "$J" "select count(*) from events where kind='flag_mismatch'")" = 1
check "no advance happened after it" test "$(advances "$J")" = 1
check "the flag still says 0%" test "$("$FLAGCTL" "$T/rb.md" read)" = 0

# 2. switched DISABLED by hand
J=$T/b.journal
rm -f "$F"
check "a second ramp held at 10% and was killed -9 there" at_10_then_killed "$J" "$T/b1.out"
sed -i 's/"state":[[:space:]]*"ENABLED"/"state": "DISABLED"/' "$F"
check "someone switched the flag DISABLED" grep -q DISABLED "$F"
check "the headless rerun exits 1" expect_exit 1 timeout 60 "$CUTOVER" run "$T/rb.md" --journal "$J" --headless
check "… saying why" contains "$T/.last" "THE FLAG SAYS 0%, THE JOURNAL 10%"
check "no advance re-enabled it" test "$(advances "$J")" = 1
check "the flag is still DISABLED" grep -q DISABLED "$F"

# 3. at a console: frozen until the commander accepts the flag's value
tmux_start c 120 40 "$CUTOVER run $T/rb.md --journal $J"
check "the console shows the mismatch" wait_screen c "THE FLAG SAYS 0%, THE JOURNAL 10%" 30
tmux_keys c +
check "+ is refused while the flag and the journal disagree" wait_screen c "advance the ramp"
tmux_keys c 2 5 Enter
check "… naming the mismatch" wait_screen c "refused: THE FLAG SAYS 0%"
tmux_keys c A
check "A asks for a reason" wait_screen c "the reason (journaled)"
tmux_keys c "the flag was switched off on purpose" Enter
accepted() { [ "$(sql "$J" "select json_extract(body,'\$.percent') || ':' || json_extract(body,'\$.reason') from events where kind='flag_accept'")" = "0:the flag was switched off on purpose" ]; }
check "the flag's value is accepted with the reason, journaled" wait_for 30 accepted
tmux_keys c q
finish
