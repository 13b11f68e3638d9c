# test_presence_live.sh — issue 20, presence from the consoles' heartbeat,
# in tmux with three consoles on one journal: the commander drives, the
# dba and comms join. Each console's writer thread touches its row in the
# journal's `consoles` table (outside the hash chain) every 2 s; the comms
# console killed with -9 shows GONE on the commander's presence panel (p)
# within 10 s, and its role NOBODY PRESENT; the idle dba console stays
# present for 30 s with a fresh "last seen" (its heartbeat, not its last
# event), while the history holds nothing of it but its console_open; a
# console that quits leaves the table at once.
. tests/lib.sh
. tests/wait.sh
cat >"$T/rb.md" <<'MD'
# Presence

## Roles
- commander: Alice Ng
- dba: Bob Li
- comms: Dee Ray

## Phase 1: Prepare {readonly}
- [ ] dba: check the writers {#writers-checked}
- [ ] comms: announce the window {#announce}
MD
check "the runbook is sound" "$CUTOVER" check "$T/rb.md"
J=$T/rb.journal
tmux_start drv 140 40 "$CUTOVER run $T/rb.md --journal $J"
check "the commander's console is up" wait_screen drv "Alice Ng/commander" 20
tmux_start dba 140 40 "$CUTOVER join $J --as 'Bob Li' --role dba"
tmux_start com 140 40 "$CUTOVER join $J --as 'Dee Ray' --role comms"
check "the dba's console is up" wait_screen dba "Bob Li/dba" 20
check "the comms console is up" wait_screen com "Dee Ray/comms" 20
dba_opened=$(sql "$J" "select ts_ms from events where kind='console_open' and actor='Bob Li/dba'")

# screen_has REGEX: on the last capture, or the capture is shown
screen_has() { grep -qE -- "$1" "$T/screen" || { echo "missing: $1"; cat "$T/screen"; return 1; }; }
row_count() { sql "$J" "select count(*) from consoles where $1"; }
check "each console has its heartbeat row in the consoles table" \
  wait_until 10 test "$(row_count "role in ('commander','dba','comms')")" = 3
tmux_keys drv p
check "p shows the comms console present" wait_screen drv "Dee Ray" 5
check "  … joined, not gone" screen_has "comms +Dee Ray +join "

# the comms console's process: the child of its tmux pane's shell
pane=$(tmux -S "$TMUX_SOCK" display-message -p -t com '#{pane_pid}')
pid=$(pgrep -P "$pane" -x cutover)
check "the comms console's process is found" test -n "$pid"
check "  … and its heartbeat row names it" \
  test "$(sql "$J" "select pid from consoles where role='comms'")" = "$pid"
killed=$(now_ms)
kill -9 "$pid"
check "the comms console killed with -9 shows GONE within 10 s" \
  wait_screen drv "NOBODY PRESENT (Dee Ray)" 10
shown_ms=$(( $(now_ms) - killed ))
grep -qF "NOBODY PRESENT (Dee Ray)" "$T/screen" &&
  echo "figure: a console killed with -9 shown gone after ${shown_ms} ms (goal: under 10000)"
check "  … its row says GONE: no heartbeat" screen_has "comms +Dee Ray +GONE +[a-z]+ +no heartbeat for [0-9]+s"
check "  … and nothing was journaled for it (no console_close)" \
  test "$(sql "$J" "select count(*) from events where kind='console_close' and actor='Dee Ray/comms'")" = 0

# the dba's console stays idle for 30 s: present throughout, seen lately
idle_30s() { [ $(( $(now_ms) - dba_opened )) -ge 30000 ]; }
while ! idle_30s; do
  tmux_screen drv >"$T/screen"
  grep -qE "dba +Bob Li +join " "$T/screen" || { echo "the idle dba left the panel"; cat "$T/screen"; break; }
  sleep 1
done
check "the idle dba console is present after 30 s" wait_screen drv "Bob Li" 2
check "  … joined, last seen within 3 s (its heartbeat)" screen_has "dba +Bob Li +join .*last seen [0-3]s ago"
check "  … while the history holds only its console_open (the heartbeat journals nothing)" \
  test "$(sql "$J" "select count(*) from events where actor='Bob Li/dba'")" = 1

tmux_keys dba q
check "a console that quits leaves the consoles table" wait_until 10 test "$(row_count "role='dba'")" = 0
check "  … and is journaled leaving (console_close)" \
  wait_until 10 journal_has "$J" "kind='console_close' and actor='Bob Li/dba'"
check "  … the presence panel says left" wait_screen drv "NOBODY PRESENT (Bob Li)" 5
tmux_keys drv Escape
finish
