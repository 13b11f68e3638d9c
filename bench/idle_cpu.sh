#!/bin/bash
# idle_cpu.sh — CPU of a cockpit polling 8 scrape signals at 1 s (goal
# <= 1 % of a core), against the same cockpit with no signals at all, run
# headless for 20 s each against tests/tools/test_exporter; then the same
# 8 signals on the screen (tmux, 200×50): 8 charts in two rows of 4,
# redrawn every second.
cd "$(dirname "$0")/.." || exit 1
make -s cutover build/tools/test_exporter >/dev/null || exit 1
T=$(mktemp -d)
trap 'kill $exp 2>/dev/null; tmux -S "$T/tmux" kill-server 2>/dev/null; rm -rf "$T"' EXIT
build/tools/test_exporter 0 >"$T/exp.out" 2>&1 &
exp=$!
for _ in $(seq 50); do grep -q port "$T/exp.out" && break; sleep 0.1; done
port=$(sed -n 's/^port //p' "$T/exp.out")

runbook() {  # runbook FILE N-SIGNALS
  {
    printf '# Idle bench\n\n## Roles\n- commander: A\n\n## Systems\n'
    printf -- '- metrics: scrape `http://127.0.0.1:%s/metrics`\n\n## Signals\n' "$port"
    for i in $(seq 1 "$2"); do
      case $((i % 4)) in
        0) e='sum(rate(migration_dual_write_failures_total[1m])) / sum(rate(migration_dual_write_total[1m]))' ;;
        1) e='histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend="new"}[1m]))) / histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend="old"}[1m])))' ;;
        2) e='sum(rate(shadow_reads_total{result="diverged"}[1m])) / sum(rate(shadow_reads_total[1m]))' ;;
        3) e='max(migration_dual_write_lag_seconds)' ;;
      esac
      printf -- '- s%d: `%s`\n' "$i" "$e"
    done
    printf '\n## Phase 1: P\n- [ ] commander: x\n\n## Rollback\n### Phase 1\nx\n'
  } >"$1"
}

cpu_percent() {  # cpu_percent RUNBOOK SECONDS [screen]
  local pid tick; tick=$(getconf CLK_TCK)
  if [ -n "$3" ]; then
    tmux -S "$T/tmux" new-session -d -s b -x 200 -y 50 \
      "env TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 ./cutover run $1 --journal $T/screen.journal"
    sleep 1
    pid=$(pgrep -f "^\./cutover run $1 --journal")   # not the shell tmux started it with
  else
    ./cutover run "$1" --journal "$T/$(basename "$1").journal" --headless >/dev/null 2>&1 &
    pid=$!
  fi
  sleep 2   # start-up is not idling
  local a; a=$(awk '{print $14 + $15}' /proc/$pid/stat)
  sleep "$2"
  local b; b=$(awk '{print $14 + $15}' /proc/$pid/stat)
  [ -n "$3" ] && tmux -S "$T/tmux" capture-pane -p -t b >"$T/screen.txt"
  kill -TERM $pid; wait $pid 2>/dev/null
  while kill -0 $pid 2>/dev/null; do sleep 0.1; done   # the screen's is not our child
  awk -v d=$((b - a)) -v t="$tick" -v s="$2" 'BEGIN { printf "%.2f", 100 * d / t / s }'
}

runbook "$T/eight.md" 8
runbook "$T/none.md" 0
sed -i '/^## Signals$/d' "$T/none.md"
base=$(cpu_percent "$T/none.md" 20)
eight=$(cpu_percent "$T/eight.md" 20)
samples=$(sqlite3 "$T/eight.md.journal" "select count(*) from samples")
cp "$T/eight.md" "$T/screen.md"
{ printf '\n## Panels\n'; for i in $(seq 1 8); do printf -- '- P%d: s%d, no threshold\n' "$i" "$i"; done; } >>"$T/screen.md"
screen=$(cpu_percent "$T/screen.md" 20 screen)
charts=$(sqlite3 "$T/screen.journal" "select count(*) from samples")
echo "idle: cockpit with 8 scrape signals at 1 s: ${eight}% of a core (goal <= 1%) ($samples samples journaled)"
echo "idle: baseline, the same cockpit with no signals: ${base}% of a core"
axes=$(grep -o "┤" "$T/screen.txt" | wc -l); [ -n "$BENCH_SHOW" ] && cat "$T/screen.txt"
drawn=$(grep -oE "─ P[1-8] ─" "$T/screen.txt" | wc -l)   # the charts the screen showed
echo "idle: on screen at 200×50, 8 charts at 1 s: ${screen}% of a core (goal <= 1%) ($drawn charts drawn, $charts samples, $axes scale labels on screen)"
