#!/bin/bash
# journal_lock.sh — the console while another process holds the journal's
# write lock: how fast keys answer (a step selected, seen on the screen in
# tmux; goal p99 < 100 ms) and how fast SIGTERM ends it with the spool on
# disk (goal < 1 s), against the same console with the journal free.
cd "$(dirname "$0")/.." || exit 1
make -s cutover build/tools/hold_lock >/dev/null || exit 1
T=$(mktemp -d)
S=$T/tmux.sock
trap 'kill $lock 2>/dev/null; tmux -S "$S" kill-server 2>/dev/null; rm -rf "$T"' EXIT
cat >"$T/rb.md" <<'EOF2'
# Lock bench

## Roles
- commander: A

## Phase 1: P
- [ ] commander: first
- [ ] commander: second

## Rollback
### Phase 1
back
EOF2
now_us() { echo $(( $(date +%s%N) / 1000 )); }
seen() {  # seen TEXT [SECONDS]: polls the screen until TEXT shows
  local deadline=$(( $(now_us) + ${2:-5} * 1000000 ))
  while ! tmux -S "$S" capture-pane -p -t "$sess" | grep -qF -- "$1"; do
    [ "$(now_us)" -ge $deadline ] && return 1
  done
  return 0
}
# keys NAME JOURNAL: 40 presses of j and k, each timed until its answer shows.
keys() {
  local lat=() what=$1 key want
  for i in $(seq 20); do
    for k in "j:1.2 —" "k:1.1 —"; do
      key=${k%%:*} want=${k#*:}
      local t0; t0=$(now_us)
      tmux -S "$S" send-keys -t "$sess" "$key"
      seen "$want" || { echo "no answer to $key"; return 1; }
      lat+=($(( $(now_us) - t0 )))
    done
  done
  printf '%s\n' "${lat[@]}" | sort -n | awk -v what="$what" '{v[NR]=$1} END {
    printf "journal lock: keys, %-28s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms (n=%d)\n",
      what, v[int(NR/2)]/1000, v[int(NR*0.99)]/1000, v[NR]/1000, NR }'
}
run_console() {  # run_console SESSION JOURNAL
  sess=$1; shift
  tmux -S "$S" new-session -d -s "$sess" -x 120 -y 40 \
    "env TERM=tmux-256color LANG=C.UTF-8 sh -c 'echo \$\$ >$T/pid; exec ./cutover run $T/rb.md --journal $1'; sleep 30"
  seen "1.1 —" 20 || { echo "the console did not start"; exit 1; }
}
sigterm() {  # the time from SIGTERM to the process gone
  local pid; pid=$(cat "$T/pid"); local t0; t0=$(now_us)
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do :; done
  echo $(( ($(now_us) - t0) / 1000 ))
}

run_console free "$T/free.journal"
keys "journal free (baseline):"
free_term=$(sigterm)

run_console locked "$T/locked.journal"
build/tools/hold_lock "$T/locked.journal" 120 >"$T/lock.out" 2>&1 &
lock=$!
while ! grep -q locked "$T/lock.out"; do sleep 0.05; done
tmux -S "$S" send-keys -t "$sess" n; seen "note:"   # something to write: a note
tmux -S "$S" send-keys -t "$sess" "written during the lock" Enter
seen "JOURNAL NOT WRITTEN" 20 || { echo "no banner"; exit 1; }
keys "journal locked:"
locked_term=$(sigterm)
spool=$( [ -s "$T/locked.journal.spool" ] && echo "on disk, $(($(wc -l <"$T/locked.journal.spool") - 1)) rows" || echo "MISSING")
printf 'journal lock: SIGTERM -> exit, journal free %d ms, locked %d ms (goal < 1000 ms: %s); spool %s\n' \
  "$free_term" "$locked_term" "$([ "$locked_term" -lt 1000 ] && echo met || echo NOT met)" "$spool"
