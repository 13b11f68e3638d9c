# test_journal_cut.sh — the journal panel fills upwards from the newest
# event, so its top row may be the end of a tall event whose beginning is
# above the panel. That row says when the event was and that it is cut:
# "HH:MM:SS…" — on main it read like an event of its own starting
# mid-sentence ("08:23:09 te > 1% for 10s" no data …). Checked at 80×24
# in a replay (the live panel is the same code) and after the newest
# event, the last row: whole.
. tests/lib.sh
. tests/wait.sh
. tests/acked_lib.sh
J=$T/c.journal
acked_journal "Cut lines" "$T/rb.md" "$J"
long="the bridge is open and everyone is here; $(printf 'word%d ' $(seq 200))the end of the long note"
check "a long note is journaled" expect_exit 0 "$PUT" "$J" note "{\"text\":\"$long\"}"
check "then a short one" expect_exit 0 "$PUT" "$J" note '{"text":"the last word"}'

tmux_start r 80 24 "$CUTOVER replay $J"
wait_screen r "replay" 10 >/dev/null
tmux_keys r End
check "End: the newest note is on screen" wait_screen r "the last word" 10
# the journal panel's rows: from its title down to its bottom corner
python3 - "$T/screen" >"$T/panel" <<'PY'
import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
top = next(i for i, r in enumerate(rows) if "─ Journal" in r)
for r in rows[top + 1:]:
    if r.lstrip().startswith("└"):
        break
    print(r)
PY
check "the panel's top row is the long note's end, marked cut: HH:MM:SS…" \
  sh -c 'head -1 "$0" | grep -qE "[0-9]{2}:[0-9]{2}:[0-9]{2}…"' "$T/panel"
check "  … and no row starts a fragment as if it were an event" \
  sh -c '! grep -E "[0-9]{2}:[0-9]{2}:[0-9]{2} word" "$0"' "$T/panel"
check "the newest note's row has its time and a space, whole" grep -qE "[0-9]{2}:[0-9]{2}:[0-9]{2} note: the last word|[0-9]{2}:[0-9]{2}:[0-9]{2} .*the last word" "$T/panel"
tmux_keys r q
finish
