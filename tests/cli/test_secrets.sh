#!/bin/bash
# test_secrets.sh — secrets stay out of what the cockpit writes: `check`
# warns about a password written in a runbook (whose text is copied into
# the journal), and accepts one taken from the environment.
. tests/lib.sh
runbook() {  # FILE CONN
  cat >"$1" <<MD
# Secrets

## Roles
- commander: Alice Ng

## Systems
- metrics: prometheus \`http://127.0.0.1:9090\`
- old: postgres \`$2\`

## Phase 1: Watch
- [ ] commander: look

## Rollback
### Phase 1
Nothing to roll back.
MD
}
warns() {  # CONN: check exits 0 and warns on the system's line
  runbook "$T/r.md" "$1"
  "$CUTOVER" check "$T/r.md" >"$T/o" 2>&1; local rc=$?
  [ $rc -eq 0 ] && grep -qF "$T/r.md:8: warning: system \`old\`: a password is written in the runbook" "$T/o" \
    || { echo "exit $rc"; cat "$T/o"; return 1; }
  ! grep -q 'hunter2' "$T/o" || { echo "the warning repeats the password"; cat "$T/o"; return 1; }
}
quiet() {  # CONN: check exits 0 without that warning
  runbook "$T/r.md" "$1"
  "$CUTOVER" check "$T/r.md" >"$T/o" 2>&1; local rc=$?
  [ $rc -eq 0 ] && ! grep -q "password is written" "$T/o" || { echo "exit $rc"; cat "$T/o"; return 1; }
}
check "password=literal warns" warns "host=db user=app password=hunter2"
check "password = 'quoted literal' warns" warns "host=db password = 'hunter2 x'"
check "a URL's user:literal@ warns" warns "postgresql://app:hunter2@db/shop"
check "password=\${PGPASSWORD} is fine" quiet "host=db user=app password=\${PGPASSWORD}"
check "a URL's user:\${PW}@ is fine" quiet "postgresql://app:\${PW}@db/shop"
check "no password at all is fine" quiet "host=db dbname=shop"
check "a word that merely contains 'password' is fine" quiet "host=db application_name=nopassword_app"
finish
