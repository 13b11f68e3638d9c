# test_panels_eight.sh — issue 19, charts for every signal a runbook
# declares: a ## Panels of eight draws eight panels in two rows of four,
# each with its title, its value now and its chart, at 120×40; at 80×24
# each still shows its value against its threshold (a row of 3), and Tab
# gives them the steps' rows for their charts (a ninth is an error:
# test_panels_check). The values come from a metrics file this suite writes
# (fault_server /file), so each panel's number is known.
. tests/lib.sh
. tests/wait.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
for i in 1 2 3 4 5 6 7 8; do printf '# TYPE g%d gauge\ng%d %d.25\n' "$i" "$i" "$i"; done \
  >"$T/answers/metrics"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
PIDS=($!)
cleanup_hook() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }
wait_until 5 grep -q port "$T/fault.out"
P=$(sed -n 's/^port //p' "$T/fault.out")
runbook() {  # runbook N-PANELS: N signals, each with its panel
  printf '# Eight\n\n## Roles\n- commander: Alice Ng\n\n## Systems\n'
  printf -- '- metrics: scrape `http://127.0.0.1:%s/file/metrics`\n\n## Signals\n' "$P"
  for i in $(seq 1 8); do printf -- '- s%d: `max(g%d)`\n' "$i" "$i"; done
  printf '\n## Panels\n'
  for i in $(seq 1 "$1"); do printf -- '- Panel %d: s%d, threshold %d0\n' "$i" "$i" "$i"; done
  printf '\n## Phase 1: Prepare\n- [ ] commander: look\n\n## Rollback\n### Phase 1\nNothing.\n'
}
runbook 8 >"$T/eight.md"
check "eight panels are a sound runbook" "$CUTOVER" check "$T/eight.md"

# all_panels: every panel's title and value now, against its threshold
all_panels() {
  local i
  for i in 1 2 3 4 5 6 7 8; do
    grep -qF "─ Panel $i ─" "$T/screen" || { echo "no Panel $i"; cat "$T/screen"; return 1; }
    grep -qE "(now )?$i.25 \((threshold|thr) ${i}0\)" "$T/screen" || { echo "no value of Panel $i"; cat "$T/screen"; return 1; }
  done
}
# two_rows: panels 1-4 side by side on one row, 5-8 on a row below it
row_of() { grep -nF "─ Panel $1 ─" "$T/screen" | head -1 | cut -d: -f1; }
two_rows() {
  local a b
  a=$(row_of 1) b=$(row_of 5)
  [ -n "$a" ] && [ -n "$b" ] && [ "$(row_of 4)" = "$a" ] && [ "$(row_of 8)" = "$b" ] && [ "$b" -gt "$a" ] ||
    { echo "rows: 1 at $a, 4 at $(row_of 4), 5 at $b, 8 at $(row_of 8)"; cat "$T/screen"; return 1; }
}
# charts N: N chart axes (a scale label at the threshold's side: "┤")
charts() {
  local n; n=$(grep -o "0┤" "$T/screen" | wc -l)
  [ "$n" -ge "$1" ] || { echo "$n axes"; cat "$T/screen"; return 1; }
}

tmux_start t 120 40 "$CUTOVER run $T/eight.md --journal $T/e.journal"
check "120×40: the last panel's value shows" wait_screen t "now 8.25 (threshold 80)" 20
check "  … every panel with its title and its value against its threshold" all_panels
check "  … in two rows of four" two_rows
check "  … each with its chart (a scale on its axis)" charts 8
check "  … and the criteria and the journal under them" \
  sh -c 'grep -q "─ Abort criteria" "$0" && grep -q "─ Journal" "$0"' "$T/screen"

tmux_resize t 80 24
check "80×24: every panel still shows its value" wait_screen t "─ Panel 8 ─" 10
check "  … all eight, with their thresholds" wait_for 10 sh -c 'tmux -S "$0" capture-pane -p -t t >"$1" && grep -qF "8.25 (thr 80)" "$1"' "$TMUX_SOCK" "$T/screen"
check "  … every one of them" all_panels
check "  … in two rows" two_rows
check "  … and the steps keep their place" grep -qF "Steps 0/1" "$T/screen"
tmux_keys t Tab
check "Tab: the steps' rows go to the charts" \
  wait_for 10 sh -c 'tmux -S "$0" capture-pane -p -t t >"$1" && ! grep -qF "Steps 0/1" "$1"' "$TMUX_SOCK" "$T/screen"
check "  … in two rows" two_rows
check "  … each with its axis" charts 8
check "  … every value still there" all_panels
tmux_keys t q
finish
