# lib.sh — helpers for the shell suites (sourced). Each `check` is one test;
# `finish` prints the suite's "N passed, N failed" and sets the exit code.
# Every suite works in its own temporary directory, removed at exit.
# Tests wait for conditions (wait_for, wait_port, wait_screen), never for a
# fixed time, and assert no wall-clock figure: those are in `make bench`.
# A deadline here only says when to give up; it is generous (ten times what
# an idle machine needs) so a loaded 2-core machine passes too.
CUTOVER=${CUTOVER:-$PWD/cutover}
ROOT=$PWD
T=$(mktemp -d /tmp/cutover-test.XXXXXX)
# Only the suite's own shell cleans up: a child of it killed between its
# fork and its exec (a `cmd &` told to stop at once) is a copy of this shell
# with this trap, and would remove $T from under the suite.
SUITE_PID=$$
trap '[ "$BASHPID" = "$SUITE_PID" ] && { cleanup_hook 2>/dev/null; rm -rf "$T"; }' EXIT
passed=0 failed=0
# sqlite3 waits for a lock in every suite, and in the shells they start
# (tests/bin/sqlite3 says why).
case ":$PATH:" in
  *":$ROOT/tests/bin:"*) ;;
  *) SUITE_SQLITE3=$(command -v sqlite3); export SUITE_SQLITE3; PATH=$ROOT/tests/bin:$PATH ;;
esac

# need [MAKE-ARGS] TARGET...: makes the programs a suite runs besides
# ./cutover. Under `make test`, whose prerequisites are all of them
# (SUITES_BUILT, set by its recipe), what is built already is not made
# again: each make is a parse of the Makefile and a run of deps.sh, a
# quarter of a second of CPU, some sixty of them in a run.
need() {
  if [ -n "${SUITES_BUILT:-}" ]; then
    local a built=1
    for a in "$@"; do
      case $a in
        -s) ;;
        build/*|cutover|"$ROOT"/build/*) [ -x "$a" ] || built=0 ;;
        *) built=0 ;;
      esac
    done
    [ $built = 1 ] && return 0
  fi
  make -s "$@"
}

# check DESCRIPTION COMMAND...: passes when the command exits 0.
check() {
  local what=$1; shift
  if "$@" >"$T/.out" 2>&1; then
    passed=$((passed + 1)); echo "ok   $what"
  else
    failed=$((failed + 1)); echo "FAIL $what"; sed 's/^/  | /' "$T/.out" | head -45
  fi
}

# expect_exit CODE COMMAND...: runs the command, true when it exits CODE.
# Its output is left in $T/.last.
expect_exit() {
  local want=$1; shift
  "$@" >"$T/.last" 2>&1
  local rc=$?
  [ "$rc" -eq "$want" ] || { echo "exit $rc, wanted $want"; cat "$T/.last"; return 1; }
}

# contains FILE TEXT: true when FILE has TEXT (fixed string).
contains() { grep -qF -- "$2" "$1" || { echo "missing: $2"; cat "$1"; return 1; }; }

# now_ms: the clock in milliseconds, for deadlines (bash's own clock: no
# process started; the decimal point may be a comma under some locales).
now_ms() { local us=${EPOCHREALTIME/[.,]/}; echo $(( us / 1000 )); }

# The waits below poll, and a poll that starts processes (sqlite3, tmux,
# date, sleep) 20 times a second in four suites at once was most of what
# `make test` spent its two cores on. So a wait reads the clock and pauses
# without starting a process, and polls every 50 ms for its first second
# (most conditions come true within it), then every 200 ms.
# poll_begin: marks a wait's start and deadline (POLL_T0, POLL_DEADLINE,
# in µs) for SECONDS; poll_over: true once the deadline passed;
# poll_pause: the pause before the next poll.
exec {POLL_FD}<> <(:)   # a pipe nobody writes to: `read -t` on it is a sleep
poll_begin() {
  POLL_T0=${EPOCHREALTIME/[.,]/}
  POLL_DEADLINE=$(( POLL_T0 + $1 * 1000000 ))
}
poll_over() { local us=${EPOCHREALTIME/[.,]/}; [ "$us" -ge "$POLL_DEADLINE" ]; }
poll_pause() {
  local us=${EPOCHREALTIME/[.,]/}
  if [ $(( us - POLL_T0 )) -lt 1000000 ]; then
    read -rt 0.05 -u "$POLL_FD"
  else
    read -rt 0.2 -u "$POLL_FD"
  fi
  return 0
}

# wait_for SECONDS COMMAND...: polls COMMAND (as poll_pause says) until it exits 0
# (true), or until SECONDS pass (false, printing the command and its last
# output). Its output goes to $T/.wait, so it may run inside `check`.
wait_for() {
  local secs=$1; shift
  local POLL_T0 POLL_DEADLINE
  poll_begin "$secs"
  until "$@" >"$T/.wait" 2>&1; do
    if poll_over; then
      echo "not true after ${secs}s: $*"; sed 's/^/  | /' "$T/.wait" | head -20
      return 1
    fi
    poll_pause
  done
}

# wait_port FILE [SECONDS]: waits for a "port N" line in FILE, as the test
# servers print it once they listen, and prints N.
wait_port() {
  wait_for "${2:-30}" grep -q '^port [0-9]' "$1" >&2 || return 1
  sed -n 's/^port \([0-9]*\).*/\1/p' "$1" | head -1
}

# free_port: a random high port nobody listens on now (bash's /dev/tcp).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# pg_start_port DATA LOG: starts the PostgreSQL cluster in DATA on a free
# port (appended to its postgresql.conf: the last `port =` wins) and prints
# the port; when another suite drew the same port meanwhile ("already in
# use"), tries another one.
pg_start_port() {
  local data=$1 log=$2 port i
  for i in 1 2 3 4 5; do
    port=$(free_port)
    echo "port = $port" >>"$data/postgresql.conf"
    if runuser -u postgres -- "${PGBIN:-/usr/lib/postgresql/15/bin}/pg_ctl" -D "$data" -l "$log" \
         -w -t 30 start >/dev/null; then
      echo "$port"
      return 0
    fi
    grep -q "already in use" "$log" || break
  done
  cat "$log" >&2
  return 1
}

# prom_start LOG PROMETHEUS-ARGS...: starts Prometheus on a free port with
# the given flags (--config.file, --storage.tsdb.path, …) and waits until it
# is ready (90 s on a busy machine); sets PROM_PORT and PROM_PID (the
# caller adds it to the pids it kills). When another suite drew the same
# port meanwhile ("address already in use"), tries another one. False, with
# the log shown, when it never became ready.
prom_start() {
  local log=$1 i t0; shift
  for i in 1 2 3 4 5; do
    PROM_PORT=$(free_port)
    prometheus "$@" --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$log" 2>&1 &
    PROM_PID=$!
    t0=$(now_ms)
    while kill -0 "$PROM_PID" 2>/dev/null && [ $(( $(now_ms) - t0 )) -lt 90000 ]; do
      curl -sf --max-time 2 "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null && return 0
      sleep 0.1
    done
    kill "$PROM_PID" 2>/dev/null
    grep -q "address already in use" "$log" || break
  done
  cat "$log" >&2
  return 1
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# --- tmux: drive the real binary on a private server -------------------------
TMUX_SOCK="$T/tmux.sock"
cleanup_hook() { tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; }

# tmux_start NAME COLS ROWS COMMAND: a detached session running COMMAND.
# Its window is named _NAME and never renamed: tmux finds `-t NAME` first
# among the current session's windows, by name prefix, so a window that
# tmux had named after its program (`tmux` for a moment while one exits)
# took the keys meant for session `t` (test_gates and test_writers_panel
# lost a `q` so, about once in twenty runs under load).
tmux_start() {
  tmux -S "$TMUX_SOCK" new-session -d -s "$1" -n "_$1" -x "$2" -y "$3" \
    "env TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $4; sleep 30" &&
    tmux -S "$TMUX_SOCK" set-window-option -t "=$1:" automatic-rename off >/dev/null
}
tmux_keys() { local s=$1; shift; tmux -S "$TMUX_SOCK" send-keys -t "$s" "$@"; }
tmux_screen() { tmux -S "$TMUX_SOCK" capture-pane -p -t "$1"; }
tmux_resize() { tmux -S "$TMUX_SOCK" resize-window -t "$1" -x "$2" -y "$3"; }

# wait_screen NAME TEXT [SECONDS]: true once TEXT is on NAME's screen
# (giving up after SECONDS, 10 unless told); leaves the last capture in
# $T/screen.
wait_screen() {
  local POLL_T0 POLL_DEADLINE
  poll_begin "${3:-10}"
  while :; do
    tmux_screen "$1" >"$T/screen" 2>/dev/null
    grep -qF -- "$2" "$T/screen" && return 0
    poll_over && break
    poll_pause
  done
  echo "not on screen after ${3:-10}s: $2"; cat "$T/screen"; return 1
}

# screen_gone NAME TEXT [SECONDS]: true once TEXT is off NAME's screen
# (giving up after SECONDS, 10 unless told, showing the screen).
screen_gone() {
  local POLL_T0 POLL_DEADLINE
  poll_begin "${3:-10}"
  while :; do
    tmux_screen "$1" >"$T/screen" 2>/dev/null
    grep -qF -- "$2" "$T/screen" || return 0
    poll_over && break
    poll_pause
  done
  echo "still on screen after ${3:-10}s: $2"; cat "$T/screen"; return 1
}

# demo_dir_of NAME: the folder of the `cutover demo` running in NAME's
# pane (the one whose demo.journal it holds open): suites that run at the
# same time each start a demo, so the newest /tmp/cutover-demo.* may be
# another suite's.
demo_dir_of() {
  local pane p f
  pane=$(tmux -S "$TMUX_SOCK" display-message -p -t "$1" '#{pane_pid}') || return 1
  for p in $(pgrep -P "$pane"); do
    for f in /proc/"$p"/fd/*; do
      f=$(readlink "$f" 2>/dev/null) || continue
      case $f in /tmp/cutover-demo.*/demo.journal) echo "${f%/demo.journal}"; return 0 ;; esac
    done
  done
  return 1
}

# sql JOURNAL QUERY: ask the journal with the sqlite3 shell.
sql() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$1" "$2"; }
