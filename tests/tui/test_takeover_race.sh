# test_takeover_race.sh — issue 20, take-over: the driver dies and two
# consoles that may take over (the commander and a `Deputy:`) press T and
# give their reasons at the same moment. The journal's lease lets one
# drive: one `takeover` is journaled, one console drives; the other
# stays a joined console — its person is not left at a shell prompt — and
# says in words who took over first: whether it lost the lease itself
# (then it starts again as the joined console) or saw the winner's lease
# alive when its Enter came (then it never left). Both consoles show NO ENGINE within
# 3 s of the driver's death, not only one.
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
driver_and_consoles "c=Alice Ng|commander" "e=Dee Ray|comms"
killed=$(now_ms)
kill -9 $run; wait $run 2>/dev/null
check "the commander's console says NO ENGINE" wait_screen c "NO ENGINE" 5
check "the deputy's console says NO ENGINE" wait_screen e "NO ENGINE" 5
seen=$(( $(now_ms) - killed ))
check "… both within 3 s of the driver's death (${seen} ms)" test "$seen" -le 3000
tmux_keys c T
tmux_keys e T
check "T asks the commander for a reason" wait_screen c "take over driving — the reason" 5
check "T asks the deputy for a reason" wait_screen e "take over driving — the reason" 5
tmux_keys c -l "commander takes it"
tmux_keys e -l "deputy takes it"
tmux_keys c Enter; tmux_keys e Enter
check "one take-over is journaled" wait_until 20 journal_has "$J" "kind='takeover'"
check "… one console opens as the driver" wait_until 20 journal_has "$J" "kind='console_open' and json_extract(body,'\$.mode')='run'"
winner=$(sql "$J" "select actor from events where kind='takeover'")
case $winner in "Alice Ng/"*) won=c lost=e ;; *) won=e lost=c ;; esac
check "… the loser's console says who took over first" wait_screen $lost "not taken over" 15
check "  … naming the winner ($winner) on its status line" sh -c "tail -n 1 '$T/screen' | grep -qF '$winner'"
check "  … and it is still a console on the ceremony (its steps, its journal)" wait_screen $lost "Brake test" 10
case $lost in c) lost_name="Alice Ng" ;; *) lost_name="Dee Ray" ;; esac
# a process of the loser's console, named cutover for ps and pgrep (an
# exec of /proc/self/exe would be named "exe")
console_runs() {
  local p
  for p in $(pgrep -f "join $J --as $lost_name"); do
    [ "$(cat /proc/$p/comm 2>/dev/null)" = cutover ] && return 0
  done
  return 1
}
check "  … its console still runs (not a shell prompt), named cutover" console_runs
check "only one take-over in all" test "$(journal_count "$J" "kind='takeover'")" = 1
check "the winner drives: HOLDING 1%" wait_screen $won "HOLDING 1%" 10
tmux_keys $lost q
finish
