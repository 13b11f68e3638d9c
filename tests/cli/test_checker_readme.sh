# test_checker_readme.sh — every runbook example in README.md and
# runbooks/README.md passes `cutover check` with no warning: the whole
# runbook of runbooks/README.md, and each system written in an example
# block (notify, every flag kind, the stores), put into a small runbook.
. tests/lib.sh

# blocks FILE: the lines of FILE's ```markdown blocks; block N with N.
blocks() { awk -v want="${2:-0}" '/^```markdown/ { n++; inb = 1; next } /^```/ { inb = 0; next }
                                  inb && (want == 0 || n == want)' "$1"; }

clean() {
  "$CUTOVER" check "$1" >"$T/o" 2>&1 && ! grep -q "warning" "$T/o" || { cat "$1" "$T/o"; return 1; }
}

blocks runbooks/README.md 1 >"$T/whole.md"
check "runbooks/README.md's whole runbook passes check with no warning" clean "$T/whole.md"

# Systems lines: `- NAME: KIND `…`` where KIND is not a system (those are
# signals reading from old, new or metrics).
{ blocks README.md; blocks runbooks/README.md; } |
  grep -E '^- [a-z_-]+: [a-z]+ +`' | grep -vE '^- [a-z_]+: (old|new|metrics) ' >"$T/systems"
check "the examples hold systems to check (notify among them)" grep -q '^- notify: slack' "$T/systems"
n=0
while IFS= read -r line; do
  n=$((n + 1))
  {
    printf '# Example %d\n\n## Roles\n- commander: Alice Ng\n- dba: Bob Ruiz\n\n' "$n"
    printf '## Phase 1: Only {readonly}\n- [ ] dba: look\n\n## Systems\n'
    printf -- '- src: prometheus `http://127.0.0.1:9090`\n%s\n' "$line"
    printf '\n## Signals\n- error_rate: src `x`\n'
  } >"$T/sys$n.md"
  check "example system passes check with no warning: ${line%%\`*}" \
    env SLACK_WEBHOOK_PATH=x CUTOVER_DEMO_DIR=/tmp CUTOVER_DEMO_PORT=1 PGPASSWORD=x FLAGS_TOKEN=x \
    sh -c 'cd "$1" && "$2" check "$3" >o 2>&1 && ! grep -q warning o || { cat o; exit 1; }' sh "$T" "$CUTOVER" "sys$n.md"
done <"$T/systems"
finish
