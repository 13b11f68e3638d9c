# test_prompt_keys.sh — a typed prompt owns the keyboard until Enter or a
# lone Escape. On main, Alt-q at the `f` prompt (the bytes ESC q) cancelled
# the prompt and then quit the driving console: the engine stopped watching
# the criteria on a key the commander meant for the prompt. In tmux,
# through the real binary.
. tests/lib.sh
# Without the writer audit: its job starts with the console, and a job
# that runs when q is pressed rightly asks before quitting (test_writers_panel);
# here q must meet no prompt of its own.
sed -e "s|flagd \`flags.json\`|flagd \`$T/flags.json\`|" -e 's/ is known `writers`$/ is known/' \
    -e 's/ needs=writers//' "$ROOT/runbooks/orders.md" >"$T/orders.md"
cat >"$T/flags.json" <<'JSON'
{"flags":{"orders-read-new":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off","targeting":{"fractional":[["on",0],["off",100]]}}}}
JSON
commander=$(sed -n 's/^- commander: *//p' "$T/orders.md" | head -1)
J="$T/orders.journal"
tmux_start cmd 120 40 "$CUTOVER run $T/orders.md --journal $J --as '$commander' --role commander; echo CONSOLE-EXITED"
check "the commander's console opens" wait_screen cmd "Phase 2"

for key in f o r n; do
  tmux_keys cmd "$key"
  check "'$key' opens its prompt" wait_screen cmd ": ▏"
  tmux_keys cmd M-q
  tmux_keys cmd M-o
  tmux_keys cmd Up
  tmux_keys cmd z
  check "  … Alt-q, Alt-o and an arrow do not close it: the next letter is typed into it" wait_screen cmd ": z▏"
  check "  … the console is still running" sh -c '! tmux -S "$0" capture-pane -p -t cmd | grep -q CONSOLE-EXITED' "$TMUX_SOCK"
  tmux_keys cmd x Escape
  check "  … a lone Escape cancels it" wait_screen cmd "cancelled"
done
check "no override, resume or note was journaled by those keys" \
  test "$(sql "$J" "select count(*) from events where kind in ('override','resume','note','flag_restore')")" = 0
check "no data job started, so none can ask before quitting" \
  test "$(sql "$J" "select count(*) from events where kind = 'data_job'")" = 0
tmux_keys cmd q
check "q still quits once no prompt is open" wait_screen cmd "CONSOLE-EXITED"
finish
