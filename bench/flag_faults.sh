#!/bin/bash
# flag_faults.sh — how long an abort's flag set takes to fail when the HTTP
# flag service is down (goal <= 1 s: at once), hangs (goal <= 3 s: the 2 s
# timeout), or answers 500 (goal <= 1 s), against the same set on a healthy
# service (tests/peers/http_flag_service.mjs), all on loopback through
# tests/tools/flagctl. tests/integration/test_flags_faults.sh asserts what
# each failure says, within bounds ten times these goals.
cd "$(dirname "$0")/.." || exit 1
make -s build/tools/flagctl build/tools/fault_server >/dev/null || exit 1
tests/peers/ensure.sh >/dev/null || exit 1
T=$(mktemp -d)
fault= svc=
trap 'kill $fault $svc 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/answers"
build/tools/fault_server "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
node tests/peers/http_flag_service.mjs >"$T/svc.out" 2>/dev/null &
svc=$!
for _ in $(seq 300); do grep -q '^port ' "$T/fault.out" && grep -q '^port ' "$T/svc.out" && break; sleep 0.1; done
U="http://127.0.0.1:$(sed -n 's/^port //p' "$T/fault.out")"
S="http://127.0.0.1:$(sed -n 's/^port //p' "$T/svc.out")"

cat >"$T/rb.md" <<EOF
# Flag faults bench

## Roles
- commander: Alice Ng

## Systems
- flag: http \`$S/flags/orders\` body \`{"rollout": {{percent}}}\` path \`\$.rollout\`
- down: http \`http://127.0.0.1:1/flags/orders\` body \`{"rollout": {{percent}}}\` path \`\$.rollout\`
- hang: http \`$U/hang/flags/orders\` body \`{"rollout": {{percent}}}\` path \`\$.rollout\`
- s500: http \`$U/status500/flags/orders\` body \`{"rollout": {{percent}}}\` path \`\$.rollout\`

## Phase 1: Ramp
- [ ] commander: set the flag

## Rollback
### Phase 1
Set it back to 0 %.
EOF

us() { echo "${EPOCHREALTIME/./}"; }

# median_ms SYSTEM N WANT-EXIT: the median time of N sets of 0 on SYSTEM,
# each of which must exit WANT-EXIT (0 healthy, 1 failed).
median_ms() {
  local i t0 rc ms=()
  for i in $(seq "$2"); do
    t0=$(us)
    build/tools/flagctl -s "$1" "$T/rb.md" set 0 >/dev/null 2>&1; rc=$?
    [ $rc -eq "$3" ] || { echo "flag_faults: set on $1 exited $rc, wanted $3" >&2; exit 1; }
    ms+=("$(( ($(us) - t0) / 1000 ))")
  done
  printf '%s\n' "${ms[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

base=$(median_ms flag 11 0) || exit 1
down=$(median_ms down 11 1) || exit 1
s500=$(median_ms s500 11 1) || exit 1
hang=$(median_ms hang 3 1) || exit 1
line() {  # line WHAT MS GOAL-MS
  awk -v w="$1" -v m="$2" -v g="$3" -v b="$base" 'BEGIN {
    printf "flag faults: %-40s %6d ms (goal <= %d ms) %-6s ratio %6.1f\n", w, m, g,
      (m <= g ? "MET" : "MISSED"), (b > 0 ? m / b : 0) }'
}
line "set fails, service down" "$down" 1000
line "set fails, service answers 500" "$s500" 1000
line "set fails, service hangs (2 s timeout)" "$hang" 3000
printf "flag faults: %-40s %6d ms (median; each a new flagctl process)\n" "baseline, a set on a healthy service" "$base"
