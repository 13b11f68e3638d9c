# jobs.sh — what the suites share in which a console runs the data jobs
# (sourced after lib.sh; J is the journal, RB the runbook): the journal's
# events counted, the pid of the job a console started, and the console's
# own process, to stop or kill it.

# events KIND [WHERE]: how many KIND events in $J match the SQL condition
# (0 before the console made the journal: sqlite3 would make an empty file,
# which the console then refuses as "not a cutover journal").
events() {
  [ -s "$J" ] || { echo 0; return; }
  sql "$J" "SELECT count(*) FROM events WHERE kind = '$1' AND ${2:-1}"
}
# has KIND [WHERE]: at least one such event is journaled (for wait_for).
has() { [ "$(events "$@")" -ge 1 ]; }
# child [JOB]: the pid of the last data job (JOB, or any) journaled started.
child() {
  [ -s "$J" ] || return 0
  sql "$J" "SELECT json_extract(body, '\$.pid') FROM events WHERE kind = 'data_job'
    ${1:+AND json_extract(body, '\$.job') = '$1'} AND json_extract(body, '\$.state') = 'started'
    ORDER BY seq DESC LIMIT 1"
}
# gone PID: no process PID any more (an unreaped child of this shell's is
# still there).
gone() { ! kill -0 "$1" 2>/dev/null; }
# console_pid SESSION: the `cutover run $RB` in tmux SESSION (its pane's
# shell's child; the `sleep` after it is not it).
console_pid() { pgrep -P "$(tmux -S "$TMUX_SOCK" display -p -t "$1" '#{pane_pid}')" -f " run $RB"; }
