# test_action_steps.sh — steps that are gates (issue 17), as the commander
# sees them in tmux: `a` on the ramp step is refused at 0% saying what
# completes it; `+` is refused while a step before the ramp step is open,
# naming it; `cutover preflight --journal` completes its step on screen,
# then the driving console runs the backfill and the compare itself
# (issue 18) and the backfill completes its step; a compare that diverged completes
# nothing, and `o` on that step completes it by override with a written
# reason; the ramp step is still open at 1% and completes itself when the
# flag reads back 100%. Waits for conditions, never for a fixed time.
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out")
printf '%s' '{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}' >"$T/flags.json"

# The data fixture's stores and mapping, with a flag, a signal and a ramp.
make_stores "$T" 300
RB=$T/rb.md J=$T/a.journal
sed -i -e '/^## Phase 2/,$d' -e '/^- commander: Ana$/d' "$RB"
sed -i -e "s|^## Roles\$|## Roles\n- commander: Alice Ng|" \
       -e "s|^## Systems\$|## Systems\n- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`\n- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`|" "$RB"
cat >>"$RB" <<'MD'
## Signals
- error_ratio: `max(app_error_ratio)` every 250ms

## Abort criteria
- abort if error_ratio > 1%

## Ramp
- 1% for 2s
- 100%

## Phase 1: Data
- [ ] dba: ask every store once `preflight` {#preflight}
- [ ] dba: copy the history `backfill` {#backfill}
- [ ] dba: compare old and new `compare` {#compare}

## Phase 2: Cutover
- [ ] commander: go / no-go {#go}
- [ ] commander: ramp reads to new `ramp` {#ramp}
- [ ] commander: announce the end {#end}

## Rollback
### Phase 1
Nothing moved.
### Phase 2
Set the flag back to 0%.
MD
check "the runbook checks" expect_exit 0 "$CUTOVER" check "$RB"
tmux_start c 140 45 "$CUTOVER run $RB --journal $J --as 'Alice Ng' --role commander"
check "the cockpit opens" wait_screen c "RAMP" 15
check "the criterion is judged ok" wait_screen c " OK " 20
# select STEP-POSITION (0-based): from the first step down
select_step() { tmux_keys c g; local i; for ((i = 0; i < $1; i++)); do tmux_keys c j; done; }
# step_is MARK ID: the steps list shows "[x] ID" or "[ ] ID"
step_is() { tmux_screen c | grep -qF -- "$1 $2"; }

select_step 4
check "the ramp step's panel says what completes it" \
  wait_screen c "○ open — step ramp completes itself when the ramp reaches"
tmux_keys c a
check "a on the ramp step at 0% is refused, saying what completes it" \
  wait_screen c "refused: step ramp completes itself when the ramp reaches 100 %"
check "  … journaled as a refusal" wait_until 5 journal_has "$J" \
  "kind='ack_refused' and json_extract(body,'\$.step')='ramp'"
check "  … and the ramp step is open" step_is "[ ]" ramp

tmux_keys c + 1 Enter
check "+ is refused while a step before the ramp step is open" wait_screen c "refused: the ramp belongs to phase 2"
check "  … the refusal names the first open step" wait_until 5 journal_has "$J" \
  "kind='ramp_refused' and json_extract(body,'\$.reason') like '%step preflight (dba: ask every store once) is open%'"
check "  … and the flag did not move" test "$(sql "$J" "select count(*) from events where kind='ramp_advance'")" = 0

# Row 7 as a dual-write left it in new, at old's version (so the backfill
# keeps it) but another customer: the compare has one divergence to find.
sql "$T/new.db" "ATTACH '$T/old.db' AS o; INSERT INTO orders SELECT id, 'someone else',
  total_cents / 100.0, note, created, meta, updated_at, 'EUR', NULL FROM o.orders_legacy WHERE id = 7"
check "cutover preflight --journal passes" expect_exit 0 "$CUTOVER" preflight "$RB" --journal "$J"
check "  … and the preflight step is done on screen" wait_until 10 step_is "[x]" preflight
check "the driving console then runs the backfill itself" wait_until 20 journal_has "$J" \
  "kind='data_job' and json_extract(body,'\$.job')='backfill' and json_extract(body,'\$.state')='finished'"
check "  … and the backfill step is done on screen" wait_until 10 step_is "[x]" backfill
check "  … a second cutover backfill finds it done" expect_exit 0 "$CUTOVER" backfill "$RB" --journal "$J"
check "  … saying so" contains "$T/.last" "already done"
select_step 1
check "  … done by its action, the panel says" wait_screen c "done: its backfill completed"

check "then the compare, which diverges" wait_until 20 journal_has "$J" \
  "kind='data_job' and json_extract(body,'\$.job')='compare' and json_extract(body,'\$.state')='diverged'"
check "  … it reaches the cockpit" wait_screen c "compare: 1 divergent rows"
check "  … and does not complete the compare step" step_is "[ ]" compare
select_step 2
tmux_keys c o
check "o on the compare step asks the commander for a reason" \
  wait_screen c "complete step compare by override — the reason (journaled)"
tmux_keys c "row 7 is a known test order" Enter
check "the override completes the compare step" wait_until 10 step_is "[x]" compare
check "  … the panel says by whose override" wait_screen c "completed by override of Alice Ng"
check "  … journaled with its reason" \
  test "$(sql "$J" "select json_extract(body,'\$.guard') || '|' || json_extract(body,'\$.reason') from events where kind='override'")" = "step:compare|row 7 is a known test order"

tmux_keys c + 1 Enter
check "+ is still refused: go / no-go is open" wait_until 5 journal_has "$J" \
  "kind='ramp_refused' and json_extract(body,'\$.reason') like '%step go (commander: go / no-go) is open%'"
select_step 3
tmux_keys c a
check "go / no-go is acknowledged by hand" wait_until 10 step_is "[x]" go
check "the ramp is ready for the commander" wait_screen c "press +" 15
tmux_keys c + 1 Enter
check "typing 1 advances: the flag is set and read back" wait_screen c "HOLDING 1%" 20
check "at 1% the ramp step is still open" step_is "[ ]" ramp
check "the 1% hold passes" wait_screen c "press +" 20
tmux_keys c + 1 0 0 Enter
check "typing 100 completes the ramp" wait_screen c "COMPLETE" 20
check "the ramp step completes itself once the flag reads back 100%" wait_until 10 step_is "[x]" ramp
check "  … after the read-back, not at the request" test "$(sql "$J" "select count(*) from events where kind='flag_read' and json_extract(body,'\$.percent')=100 and json_extract(body,'\$.purpose')='advance'")" = 1
select_step 4
check "  … done by the ramp, the panel says" wait_screen c "done: its ramp completed"
select_step 5
tmux_keys c a
check "the step after the ramp is acknowledged by hand" wait_until 10 step_is "[x]" end
tmux_keys c q
finish
