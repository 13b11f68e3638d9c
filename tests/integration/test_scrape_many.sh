#!/bin/bash
# test_scrape_many.sh — every signal is answered, however many: 20 scrape
# systems on different URLs × 60 signals each (1,200), one system with 300
# signals, and 40 Prometheus API signals whose answers arrive while the
# scrapes' outcomes fill the loop's turn. No fixed limit may drop work silently; run twice, since the
# loss this guards against was intermittent.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
for k in $(seq 20); do
  { echo "# TYPE g gauge"; for i in $(seq 60); do echo "g{i=\"$i\"} $((k * 1000 + i))"; done; } >"$T/answers/t$k"
done
{ echo "# TYPE h gauge"; for i in $(seq 300); do echo "h{i=\"$i\"} $i"; done; } >"$T/answers/wide"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill "$fault" 2>/dev/null; }
for _ in $(seq 100); do grep -q port "$T/fault.out" && break; sleep 0.05; done
P=$(sed -n 's/^port //p' "$T/fault.out")

{
  printf '# Many signals\n\n## Roles\n- commander: Alice Ng\n\n## Systems\n'
  echo "- metrics: scrape \`http://127.0.0.1:$P/file/wide\`"
  for k in $(seq 20); do echo "- s$k: scrape \`http://127.0.0.1:$P/file/t$k\`"; done
  echo "- api: prometheus \`http://127.0.0.1:$P/scalar/7\`"
  printf '\n## Signals\n'
  for k in $(seq 20); do for i in $(seq 60); do echo "- s${k}_$i: s$k \`sum(g{i=\"$i\"})\`"; done; done
  for i in $(seq 300); do echo "- w_$i: \`sum(h{i=\"$i\"})\`"; done
  for i in $(seq 40); do echo "- p_$i: api \`x$i\`"; done
  printf '\n## Abort criteria\n- abort if w_1 > 1000\n\n## Phase 1: Watch\n- [ ] commander: look\n\n'
  printf '## Rollback\n### Phase 1\nNothing to roll back.\n'
} >"$T/many.md"
check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/many.md"

# answered J: every one of the 1,540 signals has a sample with its own value
answered() {
  local want=1540 got end=$((SECONDS + 60))
  while [ $SECONDS -lt $end ]; do
    got=$(sql "$1" "select count(distinct signal) from samples where status = 'ok' and value =
      case when signal like 'p\_%' escape '\\' then 7
           when signal like 'w\_%' escape '\\' then cast(substr(signal, 3) as integer)
           else cast(substr(signal, 2, instr(signal, '_') - 2) as integer) * 1000
                + cast(substr(signal, instr(signal, '_') + 1) as integer) end" 2>/dev/null)
    [ "$got" = $want ] && return 0
    sleep 0.2
  done
  echo "answered $got of $want"; return 1
}
for round in 1 2; do
  J="$T/many$round.journal"
  "$CUTOVER" run "$T/many.md" --journal "$J" --headless >"$T/run$round.out" 2>&1 &
  pid=$!
  check "round $round: all 1,540 signals answered with their own values" answered "$J"
  kill -TERM $pid; wait $pid
done
finish
