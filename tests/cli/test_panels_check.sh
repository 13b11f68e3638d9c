# test_panels_check.sh — issue 17, "any signal can have a panel", through
# `cutover check`: a runbook whose own signal names leave a default panel
# empty is accepted with one warning naming the panel and the signal and
# pointing at ## Panels; a runbook that declares its panels gets none; a
# wrong ## Panels item is an error at its line.
. tests/lib.sh

# the demo runbook with its dual-write signal renamed, as a team with its own names writes it
sed 's/dual_write_failure_rate/ledger_write_failure_rate/g' runbooks/demo.md >"$T/ledger.md"
check "a runbook with its own names is accepted (exit 0)" expect_exit 0 "$CUTOVER" check "$T/ledger.md"
check "  … with a warning naming the panel and its missing signal" \
  contains "$T/.last" "$T/ledger.md: warning: the default panel \`Dual-write\` (dual_write_failure_rate) shows a signal this runbook does not have"
check "  … that points at ## Panels" contains "$T/.last" "say which signals to draw under ## Panels"
check "  … and only that panel: the others' signals are there" \
  sh -c '! grep -q "Latency p99\|Shadow reads" "$0"' "$T/.last"
check "the demo runbook has every default panel's signal: no warning" \
  sh -c '"$0" check runbooks/demo.md >"$1" && ! grep -q warning "$1"' "$CUTOVER" "$T/demo.out"

{ cat "$T/ledger.md"; printf '\n## Panels\n- Ledger writes: ledger_write_failure_rate, threshold 1%%\n'; } >"$T/declared.md"
check "with ## Panels the warning goes" \
  sh -c '"$0" check "$1" >"$2" && ! grep -q warning "$2"' "$CUTOVER" "$T/declared.md" "$T/declared.out"

# errors at FILE:LINE
{ sed '/^## Phase 2/,$d' "$T/ledger.md"
  printf '## Panels\n- Ledger: ledger_write_failur_rate\n- Lag: p99_ratio, threshold fast\n- Odd: p99_ratio, colour red\n- just words\n- P99: p99_ratio, also nope\n\n'
  sed -n '/^## Phase 2/,$p' "$T/ledger.md"; } >"$T/bad.md"
line() { grep -n -F -- "$1" "$T/bad.md" | head -1 | cut -d: -f1; }
check "a wrong ## Panels is refused (exit 1)" expect_exit 1 "$CUTOVER" check "$T/bad.md"
check "  … an unknown signal, at its line" \
  contains "$T/.last" "$T/bad.md:$(line '- Ledger:'): panel \`Ledger\`: no signal \`ledger_write_failur_rate\` under ## Signals"
check "  … a threshold that is not a number" \
  contains "$T/.last" "$T/bad.md:$(line '- Lag:'): panel \`Lag\`: threshold \`fast\` is not a number"
check "  … a clause it does not know" \
  contains "$T/.last" "$T/bad.md:$(line '- Odd:'): panel \`Odd\`: \`colour red\` not understood"
check "  … an item that is not TITLE: SIGNAL" \
  contains "$T/.last" "$T/bad.md:$(line '- just words'): expected a panel \`- TITLE: SIGNAL"
check "  … an unknown signal under a panel" \
  contains "$T/.last" "$T/bad.md:$(line '- P99:'): panel \`P99\`: no signal \`nope\` under ## Signals"
check "  … five errors in all" contains "$T/.last" "$T/bad.md: 5 errors"

{ sed '/^## Phase 2/,$d' "$T/ledger.md"
  printf '## Panels\n'; for p in A B C D E F G H I; do printf -- '- %s: p99_ratio\n' $p; done; echo
  sed -n '/^## Phase 2/,$p' "$T/ledger.md"; } >"$T/many.md"
check "more panels than the two rows hold is an error at the one too many" \
  sh -c '"$0" check "$1" | grep -qF "$1:$(grep -n "^- I:" "$1" | cut -d: -f1): panel \`I\`: at most 8 panels"' "$CUTOVER" "$T/many.md"
finish
