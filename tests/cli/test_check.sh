# test_check.sh — `cutover check` on the shipped runbooks and on bad input,
# through the real binary: exit codes and FILE:LINE messages.
. tests/lib.sh

# refused FILE TEXT: check exits 1 and its output has TEXT.
refused() {
  "$CUTOVER" check "$1" >"$T/o" 2>&1
  local rc=$?
  [ $rc -eq 1 ] && grep -qF -- "$2" "$T/o" || { echo "exit $rc"; cat "$T/o"; return 1; }
}
sound() { expect_exit 0 "$CUTOVER" check "$1" && contains "$T/.last" "$1: ok"; }

check "orders.md is sound (exit 0, one-line summary)" sound runbooks/orders.md
check "demo.md is sound" sound runbooks/demo.md
check "no argument is a usage error (exit 2)" expect_exit 2 "$CUTOVER" check
check "an unknown command is a usage error (exit 2)" expect_exit 2 "$CUTOVER" frobnicate
check "--help lists the commands (exit 0)" \
  sh -c '"$0" --help | grep -q "cutover verify"' "$CUTOVER"
check "a missing file names itself" refused /nonexistent.md "/nonexistent.md: "
check "a directory is refused" refused /tmp "directory"
head -c 4096 /dev/urandom >"$T/garbage.md"
check "binary garbage is refused" refused "$T/garbage.md" "binary"
truncate -s 50M "$T/big.md"
big_in_bounded_memory() {
  /usr/bin/time -f "%M" -o "$T/rss" "$CUTOVER" check "$T/big.md" >"$T/o" 2>&1
  local rc=$? rss; rss=$(tail -1 "$T/rss")
  echo "exit $rc, max RSS ${rss} KiB"; cat "$T/o"
  [ $rc -eq 1 ] && grep -q "at most" "$T/o" && [ "$rss" -lt 20000 ]
}
check "a 50 MB file is refused in bounded memory (< 20 MB RSS)" big_in_bounded_memory

# Every fixture tests/runbooks/bad-*.md is refused (exit 1) with
# FILE:LINE: message — or FILE: message for a problem of the whole file
# (no title, no phases, binary data before any line); test_runbook checks
# each one's exact line and words.
refused_with_place() {
  "$CUTOVER" check "$1" >"$T/o" 2>&1
  local rc=$?
  [ $rc -eq 1 ] && grep -qE "^$1:([0-9]+:)? " "$T/o" || { echo "exit $rc"; cat "$T/o"; return 1; }
}
for f in tests/runbooks/bad-*.md; do
  [ -f "$f" ] && check "$(basename "$f") is refused, naming the file and line" refused_with_place "$f"
done
finish
