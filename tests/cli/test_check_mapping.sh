#!/bin/bash
# test_check_mapping.sh — `cutover check` validates the ## Mapping against
# both stores' tables when it can reach them, and `cutover preflight`
# always does (issue 18). Before, both said a runbook was sound while its
# mapping named columns neither table has: check "ok", preflight
# "everything answered", and only the backfill, at its step, found four
# problems. Now each is a FILE:LINE problem; a store that cannot be
# reached leaves the mapping unjudged in words (check still passes: its
# other checks need no store), and neither command writes to a store: an
# SQLite file in rollback-journal mode stays so, a missing one is not made.
. tests/lib.sh
. tests/data/fixture.sh
make_stores "$T" 100
sql "$T/old.db" "PRAGMA journal_mode=DELETE" >/dev/null
sed -e 's/^- key `id`$/- key `idd`/' -e 's/`customer_name`/`customer_nam`/' \
    -e 's/^- exclude `legacy_flag`$/- exclude `nothere`/' "$T/rb.md" >"$T/bad.md"
check "check of a sound mapping against reachable stores: ok" expect_exit 0 "$CUTOVER" check "$T/rb.md"
check "check of a mapping naming columns the tables lack: exit 1" expect_exit 1 "$CUTOVER" check "$T/bad.md"
line() { grep -n "$1" "$T/bad.md" | cut -d: -f1; }
check "  … the unknown column, at its line" contains "$T/.last" "$T/bad.md:$(line customer_nam): mapping: \`customer_nam\` is not a column of old"
check "  … the excluded column, at its line" contains "$T/.last" "$T/bad.md:$(line nothere): mapping: exclude \`nothere\`: not a column of old"
check "  … the key, at its line" contains "$T/.last" "$T/bad.md:$(line '^- key'): mapping: key column \`idd\`"
check "  … counted" contains "$T/.last" "$T/bad.md: 3 errors"
check "  … old.db left in its journal mode (read, never written)" \
  test "$(sql "$T/old.db" "PRAGMA journal_mode")" = delete
sed "s|$T/old.db|$T/nowhere/old.db|" "$T/bad.md" >"$T/away.md"
check "a store out of reach: check passes" expect_exit 0 "$CUTOVER" check "$T/away.md"
check "  … saying the mapping was not checked against the tables, and why" \
  contains "$T/.last" "the mapping was not checked against the tables: system \`old\`"
check "  … and makes no file where the store should be" test ! -e "$T/nowhere/old.db"
check "preflight of the bad mapping fails" expect_exit 1 "$CUTOVER" preflight "$T/bad.md"
check "  … with a mapping row naming each problem's line" contains "$T/.last" "line $(line customer_nam): \`customer_nam\` is not a column of old"
check "preflight of the sound one passes, the mapping checked" expect_exit 0 "$CUTOVER" preflight "$T/rb.md"
check "  … its row says so" grep -qE "^mapping .*OK" "$T/.last"
finish
