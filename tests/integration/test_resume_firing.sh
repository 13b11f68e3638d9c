# test_resume_firing.sh — issue 17: `r` (resume) while the criterion that
# aborted still fires is refused with the value it sees now, instead of a
# resume followed at once by another abort; once it is clear, `r` resumes.
. tests/lib.sh
. tests/wait.sh
make -s build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
metrics() { printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n' "$1" >"$T/answers/m"; mv "$T/answers/m" "$T/answers/metrics"; }
metrics 0
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
P=$(wait_port "$T/fault.out")
cat >"$T/rb.md" <<EOF2
# Resume test

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$T/flags.json\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 250ms

## Abort criteria
- abort if error_ratio > 1%

## Ramp
- 1% for 1h
- 100%

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2
J=$T/rb.journal
tmux_start c 160 45 "$CUTOVER run $T/rb.md --journal $J --as 'Alice Ng' --role commander 2>$T/c.err; echo rc=\$?"
check "the ramp holds at 1%" wait_until 30 journal_has "$J" "kind='flag_read' and json_extract(body,'\$.purpose')='advance' and json_extract(body,'\$.ok')"
metrics 0.05
check "the breach aborts and the rollback is read back" wait_until 30 journal_has "$J" "kind='rollback_confirmed'"
tmux_keys c r
tmux_keys c "looks fine now" Enter
check "r is refused while the criterion still fires, with the value now" wait_screen c "still fires: now 5%"
check "… and nothing was resumed" test "$(journal_count "$J" "kind='resume'")" = 0
metrics 0
check "the criterion clears" wait_until 30 journal_has "$J" "kind='criterion' and json_extract(body,'\$.to')='ok' and seq > (select max(seq) from events where kind='abort')"
tmux_keys c r
tmux_keys c "it is clear" Enter
check "once clear, r resumes" wait_until 15 journal_has "$J" "kind='resume'"
finish
