# test_cut_text.sh — text that does not fit is shown as cut, never as a
# shorter whole: at 80×24 the demo's criterion "… > 1% for 10s" must not
# read "for 1" or "for 10" (a different duration), and a step's title cut
# at the panel's edge ends in "…". At 120×40, where it fits, it is whole.
. tests/lib.sh
. tests/wait.sh
cd "$T" || exit 1
tmux_start d 80 24 "$CUTOVER demo"
check "the demo opens at 80×24" wait_screen d "Abort criteria" 15
row() { grep -E -- "^│.*$1" "$T/screen" | head -1; }
crit=$(row "abort if new_read_error_rate")
# the criterion reads "for 10s" whole, or is visibly cut
check "a cut criterion is marked as cut: $crit" \
  grep -qE 'for 10s|abort if new_read_error_rate[^│]*…' <<<"$crit"
check "no criterion reads as a shorter duration" \
  bash -c '! grep -qE "for 10? *│" <<<"$1"' _ "$crit"
check "never two ellipses in a row" bash -c '! grep -qF "……" "$1"' _ "$T/screen"
step=$(row "2\.3 ")
check "a step title cut at the edge ends in …: $step" grep -qF '…' <<<"$step"
# the journal's first row, even when its line is cut at the top, has a time
journal_top() {
  python3 -c 'import sys,re
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
for r, line in enumerate(rows):
    c = line.find("┌─ Journal")
    if c >= 0:
        print(rows[r + 1][c + 1:c + 9]); break' "$T/screen"
}
top=$(journal_top)
check "the journal's first row shown starts with its time: $top" \
  bash -c '[[ $1 =~ ^[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]]' _ "$top"
tmux_resize d 120 40
check "at 120×40 the criterion is whole" wait_screen d "new_read_error_rate > 1% for 10s" 10
crit=$(row "abort if new_read_error_rate")
check "and not marked as cut" bash -c '! grep -qF "…" <<<"$1"' _ "$crit"
tmux_keys d q
finish
