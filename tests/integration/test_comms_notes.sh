# test_comms_notes.sh — issue 20, notes: `:` (or n) opens a note line on
# every console, journaled with its author; on the comms role's console
# the note may go to the comms webhook too (y/N), which the driving console
# sends, once; another role's note never asks and never goes out.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md"
sed -i "s|^- flag: flagd|- notify: slack \`http://127.0.0.1:$P/record/slack\`\n- flag: flagd|" "$T/rb.md"
check "the runbook with a comms webhook is sound" "$CUTOVER" check "$T/rb.md"
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
check "the driving console holds at 1%" wait_until 30 advanced "$J"
tmux_start c 140 45 "$CUTOVER join $J --as 'Dee Ray' --role comms"
check "the comms console is up" wait_screen c "Phase 4: Cutover" 20
tmux_keys c :
check ": opens a note line" wait_screen c "note:" 5
tmux_keys c "holding at 1%, all quiet" Enter
check "… and on the comms console asks whether it goes to the webhook" wait_screen c "send it to the comms webhook too? y/N" 5
tmux_keys c y Enter
check "the note is journaled by Dee Ray, marked to announce" \
  wait_until 10 journal_has "$J" "kind='note' and actor='Dee Ray/comms' and json_extract(body,'\$.announce') and json_extract(body,'\$.text')='holding at 1%, all quiet'"
sent() { grep -q 'note from Dee Ray/comms: holding at 1%, all quiet' "$T/answers/slack" 2>/dev/null; }
check "the driving console sent it to the webhook" wait_until 10 sent
tmux_keys c : "internal: the on-call phone is noisy" Enter
wait_screen c "send it to the comms webhook too? y/N" 5 >/dev/null
tmux_keys c Enter
check "a note kept from the webhook (N) is journaled without announce" \
  wait_until 10 journal_has "$J" "kind='note' and json_extract(body,'\$.text')='internal: the on-call phone is noisy' and json_extract(body,'\$.announce') is null"
tmux_start d 140 45 "$CUTOVER join $J --as 'Bob Li' --role dba"
check "a dba console is up" wait_screen d "Phase 4: Cutover" 20
tmux_keys d : "dba here" Enter
check "a dba's note is journaled without asking about the webhook" \
  wait_until 10 journal_has "$J" "kind='note' and actor='Bob Li/dba' and json_extract(body,'\$.text')='dba here'"
# a sentinel: once a later announced note is sent, the driver has read
# the two notes before it, and sent neither
tmux_keys c : "sentinel" Enter
wait_screen c "send it to the comms webhook too? y/N" 5 >/dev/null
tmux_keys c y Enter
sentinel() { grep -q 'note from Dee Ray/comms: sentinel' "$T/answers/slack" 2>/dev/null; }
check "a later announced note is sent" wait_until 10 sentinel
check "only the two announced notes went out, once each" test "$(grep -c 'note from' "$T/answers/slack")" = 2
finish
