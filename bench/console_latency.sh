#!/bin/bash
# console_latency.sh — how soon the consoles answer, the figures the shell
# suites used to assert and now only bound (ten times these goals):
#   1. a key's answer on screen in tmux while a signal's endpoint hangs
#      (goal < 100 ms; tests/integration/test_signal_faults.sh), against the
#      same keys on a cockpit with no signals at all;
#   2. an ack made by another process shown on a tmux console (goal < 1 s;
#      tests/tui/test_consoles.sh) and printed by a headless console (goal
#      < 1 s; tests/cli/test_ceremony.sh), against the `cutover ack` that
#      makes it, timed alone.
# Times from bash's $EPOCHREALTIME (no fork); the screen is polled with
# tmux capture-pane, whose own cost is in the key baseline too.
cd "$(dirname "$0")/.." || exit 1
make -s cutover build/tools/fault_server >/dev/null || exit 1
T=$(mktemp -d)
SOCK=$T/tmux.sock
fault=
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; [ -n "$fault" ] && kill $fault 2>/dev/null; rm -rf "$T"' EXIT

us() { echo "${EPOCHREALTIME/./}"; }
screen() { tmux -S "$SOCK" capture-pane -p -t "$1"; }

# wait_text SESSION TEXT: polls the screen every 2 ms, 5 s at most.
wait_text() {
  local end=$(( $(us) + 5000000 ))
  until screen "$1" | grep -qF -- "$2"; do
    [ "$(us)" -ge $end ] && return 1
    sleep 0.002
  done
}

# stats NAME MS...: "p50 X ms  max Y ms" of the figures, into $T/NAME.
stats() {
  local name=$1; shift
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "p50 %7.1f ms  max %7.1f ms", v[int((NR + 1) / 2)], v[NR] }' >"$T/$name"
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' >"$T/$name.p50"
}

ratio() { awk -v a="$(cat "$T/$1.p50")" -v b="$(cat "$T/$2.p50")" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

runbook() {  # runbook FILE [SIGNALS-SECTION]: nine steps for the dba
  {
    printf '# Latency bench\n\n## Roles\n- commander: Alice Ng\n- dba: Rui Costa\n\n'
    [ -n "$2" ] && printf '%s\n' "$2"
    printf '## Phase 1: Steps\n'
    for i in 1 2 3 4 5 6 7 8 9; do printf -- '- [ ] dba: step %d\n' "$i"; done
    printf '\n## Rollback\n### Phase 1\nNothing.\n'
  } >"$1"
}

# keys SESSION: ten j/k presses, each timed until the cursor's line shows.
keys() {
  local s=$1 ms=() i key want t0 d
  for i in 1 2 3 4 5 6 7 8 9 10; do
    key=j want="1.2 —"; [ $((i % 2)) -eq 0 ] && key=k want="1.1 —"
    t0=$(us); tmux -S "$SOCK" send-keys -t "$s" $key
    wait_text "$s" "$want" || { echo "console_latency: no answer to $key" >&2; exit 1; }
    d=$(( $(us) - t0 ))
    ms+=("$((d / 1000)).$((d / 100 % 10))")
  done
  stats "$s" "${ms[@]}"
}

start() {  # start SESSION RUNBOOK JOURNAL: a console in tmux, on its steps
  tmux -S "$SOCK" new-session -d -s "$1" -x 120 -y 40 \
    "env TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 ./cutover run $2 --journal $3; sleep 30"
  wait_text "$1" "1.1 —" || { echo "console_latency: $1 did not start" >&2; screen "$1" >&2; exit 1; }
}

# --- 1. keys while an endpoint hangs ----------------------------------------
mkdir -p "$T/answers"
build/tools/fault_server "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
for _ in $(seq 300); do grep -q '^port ' "$T/fault.out" && break; sleep 0.1; done
P=$(sed -n 's/^port //p' "$T/fault.out")
runbook "$T/hang.md" "## Systems
- metrics: prometheus \`http://127.0.0.1:$P/hang\`

## Signals
- hanging: \`x\`
"
runbook "$T/none.md"
start hang "$T/hang.md" "$T/hang.journal"
start none "$T/none.md" "$T/none.journal"
keys hang
keys none
echo "console: a key's answer on screen, an endpoint hanging: $(cat "$T/hang") (goal < 100 ms)"
echo "console: baseline, the same keys with no signals:      $(cat "$T/none")  ratio $(ratio hang none)"

# --- 2. an ack from another process, on a tmux console and a headless one ---
J=$T/acks.journal
tmux -S "$SOCK" kill-session -t none
start screen "$T/none.md" "$J"
./cutover join "$J" --as "Alice Ng" --role commander --headless >"$T/headless.out" 2>&1 &
headless=$!
for _ in $(seq 300); do grep -q console_open "$T/headless.out" && break; sleep 0.1; done
cmd=() scr=() hl=()
for i in 1 2 3 4 5 6 7 8 9; do
  t0=$(us)
  ./cutover ack "$J" "1.$i" --as "Rui Costa" --role dba >/dev/null || exit 1
  t1=$(us) t2= t3=
  # both consoles polled in one loop: each time is when it was first seen
  while [ -z "$t2" ] || [ -z "$t3" ]; do
    [ -z "$t2" ] && screen screen | grep -qE "\[x\] 1\.$i " && t2=$(us)
    [ -z "$t3" ] && grep -qF "step 1.$i acknowledged" "$T/headless.out" && t3=$(us)
    [ $(( $(us) - t0 )) -gt 10000000 ] && { echo "console_latency: ack 1.$i not seen in 10 s" >&2; exit 1; }
    sleep 0.002
  done
  cmd+=("$(( (t1 - t0) / 1000 ))") scr+=("$(( (t2 - t0) / 1000 ))") hl+=("$(( (t3 - t0) / 1000 ))")
done
kill -TERM $headless 2>/dev/null; wait $headless 2>/dev/null
stats cmd "${cmd[@]}"; stats scr "${scr[@]}"; stats hl "${hl[@]}"
echo "console: an ack by another process on a tmux console: $(cat "$T/scr") (goal < 1 s)  ratio $(ratio scr cmd)"
echo "console: the same ack printed by a headless console:  $(cat "$T/hl") (goal < 1 s)  ratio $(ratio hl cmd)"
echo "console: baseline, the \`cutover ack\` alone:           $(cat "$T/cmd")"
