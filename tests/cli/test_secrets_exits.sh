#!/bin/bash
# test_secrets_exits.sh — issue 16's secret cases through the real binary:
# planted secrets (a literal password, a URL's user:password@, a password
# with a space that libpq echoes a word of, a bearer token an HTTP error
# body echoes, a webhook path a 404 echoes) must appear in no screen
# capture, no journal dump, no stdout or stderr; the host, the user and
# "***" still do.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
mkdir -p "$T/answers"
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() {
  tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
  kill "$fault" 2>/dev/null
  [ -n "$bg" ] && kill -9 "$bg" 2>/dev/null
}
P=$(wait_port "$T/fault.out") || exit 1
printf '# TYPE app_error_ratio gauge\napp_error_ratio 0\n' >"$T/answers/metrics"

export CUT_PW='hunter9 leakedWORD'          # libpq answers with "leakedWORD"
export CUT_TOKEN='tok-Xy7pQ2mNs'
export CUT_HOOK='T0SECRET/B0HOOK/xoxHookPath42'
SECRETS="hunter2 hunter9 leakedWORD pw-7Qz9Lk tok-Xy7pQ2mNs T0SECRET xoxHookPath42"

# leaks FILE...: fails naming each planted secret found in the files.
leaks() {
  local bad=0 s
  for s in $SECRETS; do
    if grep -aF -- "$s" "$@" >"$T/.leak"; then
      echo "secret '$s' leaked:"; head -5 "$T/.leak"; bad=1
    fi
  done
  return $bad
}
dump() { sqlite3 -cmd ".timeout 5000" "$1" .dump >"$2"; }

header() {  # TITLE
  printf '# %s\n\n## Roles\n- commander: Alice Ng\n\n## Systems\n' "$1"
}
footer() {  # SIGNAL: the criterion every ramp needs
  cat <<MD

## Abort criteria
- abort if $1 > 1000 for 10m

## Ramp
- 1% for 10m
- 100%

## Phase 1: Watch
- [ ] commander: look

## Rollback
### Phase 1
Nothing to roll back.
MD
}

# P: a PostgreSQL flag with a literal password (the ramp line), and a
# PostgreSQL source whose password has a space (libpq's error echoes the
# second word, in samples and in the flag's errors alike).
{ header "Secrets P"
  echo '- old: postgres `host=127.0.0.1 port=1 dbname=shop user=app password=${CUT_PW}`'
  echo '- flag: postgres `host=127.0.0.1 port=1 dbname=shop user=app password=hunter2` set `UPDATE f SET p = $1` read `SELECT p FROM f`'
  printf '\n## Signals\n- lag: old `SELECT 1` every 250ms\n'
  footer lag; } >"$T/p.md"
# H: an HTTP flag with user:password@ in its URL and a bearer token the
# service's 401 body echoes back.
{ header "Secrets H"
  echo "- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`"
  echo "- flag: http \`http://admin:pw-7Qz9Lk@127.0.0.1:$P/echo/401/flag\` body \`{\"p\": {{percent}}}\` path \`\$.p\` token_env \`CUT_TOKEN\`"
  printf '\n## Signals\n- error_ratio: `max(app_error_ratio)`\n'
  footer error_ratio; } >"$T/h.md"

# tui NAME RUNBOOK JOURNAL TEXT: the console in tmux until TEXT shows and
# the journal holds an error; the screen is left in $T/NAME.screen.
tui() {
  tmux_start "$1" 120 40 "CUT_PW='$CUT_PW' CUT_TOKEN=$CUT_TOKEN $CUTOVER run $2 --journal $3 2>$T/$1.err"
  wait_screen "$1" "$4" 30 || return 1
  wait_for 30 sh -c "sqlite3 -cmd '.timeout 5000' '$3' \"select count(*) from samples where status like 'error%'\" | grep -qv '^0$' ||
                     sqlite3 -cmd '.timeout 5000' '$3' \"select count(*) from events where body like '%error%'\" | grep -qv '^0$'" || return 1
  tmux_screen "$1" >"$T/$1.screen"
}
# headless NAME RUNBOOK JOURNAL: a headless run until its journal has an
# error, stdout and stderr kept.
headless() {
  "$CUTOVER" run "$2" --journal "$3" --headless >"$T/$1.out" 2>"$T/$1.err" &
  bg=$!
  wait_for 30 sh -c "sqlite3 -cmd '.timeout 5000' '$3' \"select count(*) from events where body like '%error%'\" | grep -qv '^0$'"
  local rc=$?
  kill -9 "$bg" 2>/dev/null; wait "$bg" 2>/dev/null; bg=
  return $rc
}

# --- P ---------------------------------------------------------------------
check "P: the runbook passes check" "$CUTOVER" check "$T/p.md"
check "H: the runbook passes check" "$CUTOVER" check "$T/h.md"
"$CUTOVER" preflight "$T/p.md" >"$T/p-preflight.out" 2>&1
check "P: preflight's answer to the spaced password leaks no word of it" leaks "$T/p-preflight.out"
check "P: the console starts and shows the flag" tui p "$T/p.md" "$T/p-tui.journal" "flag:"
check "P: the screen shows no secret (ramp line, flag error, signal errors)" leaks "$T/p.screen"
check "P: the ramp line keeps host and user" sh -c "grep -q 'host=127.0.0.1' '$T/p.screen' && grep -q 'user=app' '$T/p.screen'"
check "  … and, as the docs promise, only host, port, dbname and user: no password field" \
  sh -c "grep -q 'flag: postgres host=127.0.0.1 port=1 dbname=shop user=app' '$T/p.screen' && ! grep -q 'password=' '$T/p.screen'"
check "P: the TUI's stderr shows no secret" leaks "$T/p.err"
dump "$T/p-tui.journal" "$T/p-tui.dump"
check "P: libpq's error reached the journal's samples" \
  test "$(sqlite3 "$T/p-tui.journal" "select count(*) from samples where status like 'error:%'")" -gt 0
check "  … about the connection, not a second keyword: the spaced password stayed one value" \
  test "$(sqlite3 "$T/p-tui.journal" "select count(*) from samples where status like '%missing \"=\"%' or status like '%invalid connection option%'")" = 0
check "P: the journal holds no secret" leaks "$T/p-tui.dump"
check "P: a headless run journals an error" headless ph "$T/p.md" "$T/p-headless.journal"
dump "$T/p-headless.journal" "$T/p-headless.dump"
check "P: headless stdout, stderr and journal hold no secret" leaks "$T/ph.out" "$T/ph.err" "$T/p-headless.dump"

# --- H ---------------------------------------------------------------------
check "H: the console shows the flag's 401" tui h "$T/h.md" "$T/h-tui.journal" "401"
check "H: the screen shows no secret (URL password, echoed token)" leaks "$T/h.screen"
check "H: the ramp line keeps the host and shows ***@" grep -qF "http://***@127.0.0.1:$P" "$T/h.screen"
check "H: the TUI's stderr shows no secret" leaks "$T/h.err"
dump "$T/h-tui.journal" "$T/h-tui.dump"
check "H: the 401 was journaled, with the token masked" grep -qF 'bad token: Bearer ***' "$T/h-tui.dump"
check "H: the journal holds no secret" leaks "$T/h-tui.dump"
check "H: a headless run journals an error" headless hh "$T/h.md" "$T/h-headless.journal"
dump "$T/h-headless.journal" "$T/h-headless.dump"
check "H: headless stdout, stderr and journal hold no secret" leaks "$T/hh.out" "$T/hh.err" "$T/h-headless.dump"

# --- N: a webhook whose 404 echoes its secret path ---------------------------
cat >"$T/n.md" <<MD
# Secrets N

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$T/n-flags.json\` flag \`orders-read-new\`
- notify: slack \`http://127.0.0.1:$P/echo/404/services/\${CUT_HOOK}\`

## Signals
- error_ratio: \`max(app_error_ratio)\`

## Abort criteria
- abort if error_ratio > 1% for 1s

## Ramp
- 1% for 2s
- 100%

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp reads \`ramp\`

## Rollback
### Phase 4
Flip \`orders-read-new\` back to 0%.
MD
CUTOVER_TIME_SCALE=20 timeout 60 "$CUTOVER" run "$T/n.md" --journal "$T/n.journal" --headless >"$T/n.out" 2>"$T/n.err" &
bg=$!
check "N: the webhook's 404 is journaled" wait_for 30 sh -c \
  "sqlite3 -cmd '.timeout 5000' '$T/n.journal' \"select count(*) from events where kind='notify_failed'\" | grep -qv '^0$'"
wait "$bg"; bg=
dump "$T/n.journal" "$T/n.dump"
check "N: the 404's echo is journaled, path masked" grep -qF 'HTTP 404: no such path: ' "$T/n.dump"
check "N: stdout, stderr and the journal hold no webhook path" leaks "$T/n.out" "$T/n.err" "$T/n.dump"
finish
