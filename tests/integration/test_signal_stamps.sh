#!/bin/bash
# test_signal_stamps.sh — a Prometheus API answer stamped far from now is no
# data, whatever its value: one from 1970 (a server with a broken clock, an
# endpoint that replays), one from 2100, and one a minute old are never
# judged ok; an answer stamped now reads its value.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
now=$(date +%s)
printf '{"status":"success","data":{"resultType":"scalar","result":[1,"0.5"]}}' >"$T/answers/epoch"
printf '{"status":"success","data":{"resultType":"scalar","result":[4102444800,"0.5"]}}' >"$T/answers/future"
printf '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%d,"0.5"]}]}}' \
  $((now - 60)) >"$T/answers/minute"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill "$fault" 2>/dev/null; }
for _ in $(seq 100); do grep -q port "$T/fault.out" && break; sleep 0.05; done
P=$(sed -n 's/^port //p' "$T/fault.out")
U="http://127.0.0.1:$P"
cat >"$T/stamps.md" <<MD
# Stamps

## Roles
- commander: Alice Ng

## Systems
- metrics: prometheus \`$U/scalar/0.5\`
- epoch: prometheus \`$U/file/epoch\`
- future: prometheus \`$U/file/future\`
- minute: prometheus \`$U/file/minute\`

## Signals
- fresh: \`x\`
- from_1970: epoch \`x\`
- from_2100: future \`x\`
- a_minute_old: minute \`x\`

## Abort criteria
- abort if fresh > 1
- abort if from_1970 > 1
- abort if from_2100 > 1
- abort if a_minute_old > 1

## Phase 1: Watch
- [ ] commander: look

## Rollback
### Phase 1
Nothing to roll back.
MD
check "the runbook is sound" expect_exit 0 "$CUTOVER" check "$T/stamps.md"
"$CUTOVER" preflight "$T/stamps.md" >"$T/pre.out" 2>&1
row() { grep -E "^$1 " "$T/pre.out" | grep -qF -- "$2" || { echo "row $1 lacks: $2"; cat "$T/pre.out"; return 1; }; }
check "an answer stamped now reads its value" row fresh "OK"
check "stamped 1970: no data, saying when" row from_1970 "no data: the answer is stamped 1970-01-01 00:00:01 UTC"
check "stamped 2100: no data, in the future" row from_2100 "in the future"
check "a minute old: no data, stale" row a_minute_old "stale after 3.0 s"
check "no stale answer reads OK" sh -c '! grep -E "^(from_1970|from_2100|a_minute_old) .* OK$" "$0"' "$T/pre.out"
finish
