# test_help_whole.sh — `?` lists every key whole: at 120×40 and at 80×24
# the live console's help shows each key's line uncut (no line ends in …
# inside the overlay), the last keys (w, ?, q) and the closing line are not
# cut off by the bottom, and the way to join stays above them; replay's
# help likewise at 80×24.
. tests/lib.sh
RB=$ROOT/runbooks/orders.md

# The overlay's rows: those between its top corner "┌─ Keys" and the
# bottom corner below it, at the overlay's own columns.
overlay() {  # overlay SCREEN_FILE: prints the help overlay's inner text
  python3 - "$1" <<'EOF'
import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
top = next(i for i, r in enumerate(rows) if "┌─ Keys" in r)
left = rows[top].index("┌─ Keys")
right = rows[top].index("┐", left)
for r in rows[top + 1:]:
    cell = r[left:right + 1]
    if cell.startswith("└"):
        break
    print(cell[1:-1])
EOF
}
uncut() {  # uncut SCREEN_FILE: no line of the overlay is cut with …
  overlay "$1" >"$T/overlay"
  ! grep -q "…" "$T/overlay" || { cat "$T/overlay"; return 1; }
}

for size in "120 40" "80 24"; do
  set -- $size
  J="$T/orders-$1.journal"
  tmux_start "h$1" "$1" "$2" "$CUTOVER run $RB --journal $J"
  wait_screen "h$1" "/commander" 10 >/dev/null
  tmux_keys "h$1" '?'
  check "$1×$2: ? shows the keys" wait_screen "h$1" "acknowledge the selected step" 5
  check "$1×$2: … the way to join first" grep -qF "Another operator joins this ceremony with:" "$T/screen"
  check "$1×$2: … no key's line is cut" uncut "$T/screen"
  for line in "T         take over driving when NO ENGINE shows (commander or Deputy)" \
              "f A       after a restart" "p w       presence" \
              "? q       this help (any key closes it)" "every change is journaled"; do
    check "$1×$2: … has '$line'" grep -qF "$line" "$T/overlay"
  done
  tmux_keys "h$1" x
  check "$1×$2: any key closes it" wait_for 5 sh -c '! tmux -S "$0" capture-pane -p -t "$1" | grep -q "┌─ Keys"' "$TMUX_SOCK" "h$1"
  tmux_keys "h$1" q
done

tmux_start r 80 24 "$CUTOVER replay $T/orders-120.journal"
wait_screen r "replay" 10 >/dev/null
tmux_keys r '?'
check "80×24 replay: ? shows replay's keys" wait_screen r "play / pause" 5
check "80×24 replay: … no line is cut" uncut "$T/screen"
check "80×24 replay: … down to the last" grep -qF "nothing here writes to it" "$T/overlay"
tmux_keys r x q
finish
