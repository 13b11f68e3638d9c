# test_hangup.sh — a console whose terminal goes away (the ssh session
# drops, the tmux server is killed) without a SIGHUP reaching it must not
# go on alone: it quits as on SIGHUP, journaling its close, instead of
# spinning on a dead terminal (full test runs left such orphans burning a
# fifth of a core each for twenty minutes). Whether the kernel sends a
# SIGHUP depends on who leads the terminal's session; `setsid` makes sure
# none comes. Both the driving console (`cutover demo`) and `cutover
# replay` are tried.
. tests/lib.sh
. tests/wait.sh
cd "$T" || exit 1
# the console's pid: the child of the pane's shell
console_pid() { pgrep -P "$(tmux -S "$TMUX_SOCK" display-message -p -t "$1" '#{pane_pid}')" -x cutover; }
gone() { ! kill -0 "$1" 2>/dev/null; }
# kill -9 the tmux server: the pane's terminal closes, no signal is sent
kill_tmux() { kill -9 "$(tmux -S "$TMUX_SOCK" display-message -p '#{pid}')"; }

tmux_start d 100 30 "setsid -w $CUTOVER demo"
check "the demo opens" wait_screen d "RAMP" 15
pid=$(console_pid d)
dir=$(demo_dir_of d)
check "its console process is found ($pid, $dir)" test -n "$pid" -a -n "$dir"
kill_tmux
check "with its terminal gone, the driving console quits within 10 s" wait_until 10 gone "$pid"
check "  … and journals its close" \
  test "$(sql "$dir/demo.journal" "select count(*) from events where kind='console_close'")" -ge 1
service_gone() {  # DIR: no ordersim serving the demo in DIR is left
  local p
  for p in $(pgrep -x ordersim); do grep -qF "$1" "/proc/$p/cmdline" 2>/dev/null && return 1; done
  return 0
}
check "  … its demo service stopped with it" wait_until 10 service_gone "$dir"

sqlite3 "$dir/demo.journal" ".backup '$T/r.journal'"   # a copy whatever the console does
tmux_start r 100 30 "setsid -w $CUTOVER replay $T/r.journal"
check "replay opens" wait_screen r "REPLAY" 15
pid=$(console_pid r)
check "its process is found ($pid)" test -n "$pid"
kill_tmux
check "with its terminal gone, replay quits within 10 s" wait_until 10 gone "$pid"
finish
