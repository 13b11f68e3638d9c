# test_writers.sh — `cutover writers RUNBOOK --code DIR` through the real
# binary on the seven-language tree of tests/writers/code: every write of
# the old table is attributed to a declared writer (## Writers, by its
# code path) or listed as unknown, one per file, with exit 3; declaring
# them all gives exit 0; JSON lines for tools; a writer clause that is not
# understood is a FILE:LINE in `check`; a runbook with no old table, or a
# tree that is not there, is a clear error; so is an old system whose
# statistics cannot be read (SQLite) without --code.
. tests/lib.sh
CODE=$ROOT/tests/writers/code
runbook() {  # runbook FILE WRITER-LINES…
  local f=$1; shift
  { printf '# Writers\n\n## Roles\n- commander: A\n- dba: B\n\n## Systems\n'
    printf -- '- old: sqlite `old.db` table `orders_legacy` key `id`\n'
    printf -- '- new: sqlite `new.db` table `orders` key `id`\n\n## Writers\n'
    for w in "$@"; do printf -- '- %s\n' "$w"; done
    printf '\n## Phase 1: Prepare {readonly}\n- [ ] dba: every writer is known `writers`\n'
  } >"$f"
}
runbook "$T/some.md" 'checkout api: app `checkout-api` model `LegacyOrder` code `go/` dual-writes' \
                      'refunds batch: code `js/batch.js` code `sql/` old only'
check "a runbook with a ## Writers section checks" expect_exit 0 "$CUTOVER" check "$T/some.md"
"$CUTOVER" writers "$T/some.md" --code "$CODE" >"$T/some.out" 2>&1
check "unknown writers exit 3" test $? -eq 3
check "  … each named by its file, with the line that writes" \
  sh -c 'grep -q "^code: py/models.py .* NO .*py/models.py:16" "$0" && grep -q "^code: rb/archive.rb .*rb/archive.rb:7" "$0" &&
         grep -q "^code: java/LegacyOrderEntity.java .*java/LegacyOrderEntity.java:11" "$0" && grep -q "^code: c/legacy.c .*c/legacy.c:3" "$0"' "$T/some.out"
check "  … a declared writer's sites are its own (a directory claims what is under it)" \
  sh -c 'grep -q "^refunds batch .* no .* yes .*js/batch.js:5 sql/monthly_batch.sql:2" "$0" && grep -q "^checkout api .*go/orders.go:15" "$0"' "$T/some.out"
check "  … the summary counts them, and lists the names learnt from the code" \
  sh -c 'grep -q "6 writers of .orders_legacy., 4 unknown" "$0" && grep -q "names searched:.* LegacyOrderEntity .*ORDERS_TABLE .*Archive" "$0"' "$T/some.out"
check "  … a name built from pieces is a possible write, said so at its site" \
  grep -q "^checkout api .*go/orders.go:15 go/orders.go:27 (possible)" "$T/some.out"
check "  … a write through a constant the code declares (.env's ORDERS_TABLE) is found" \
  grep -q "^refunds batch .*js/batch.js:5" "$T/some.out"
check "  … and one through a model only (LegacyOrder, no table name on the line)" \
  grep -q "^checkout api .*go/orders.go:15" "$T/some.out"
check "  … documentation is not a writer" sh -c '! grep -q "docs/" "$0"' "$T/some.out"

runbook "$T/all.md" 'checkout api: app `checkout-api` code `go/` dual-writes' \
                     'refunds batch: code `js/batch.js` code `sql/`' \
                     'legacy ruby and python: code `rb/` code `py/`' \
                     'java archive: code `java/`' 'c tool: role `tool` code `c/legacy.c`'
check "every writer declared: exit 0" expect_exit 0 "$CUTOVER" writers "$T/all.md" --code "$CODE"

"$CUTOVER" writers "$T/some.md" --code "$CODE" --format json >"$T/some.json"
check "--format json: one JSON object per line, exit 3 too" test $? -eq 3
check "  … every line parses, the last is the summary with 4 unknown" \
  python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows[-1]["summary"]["unknown"] == 4, rows[-1]
w = {r["writer"]: r for r in rows[:-1]}
assert w["code: py/models.py"]["declared"] is False and w["code: py/models.py"]["code"] == ["py/models.py:16"]
assert w["checkout api"]["application_name"] == "checkout-api" and w["checkout api"]["dual_writes"] is True
assert w["refunds batch"]["sources"] == ["code"] and w["refunds batch"]["ops"] == ["write"]
assert w["checkout api"]["possible_code"] == ["go/orders.go:27"], w["checkout api"]
assert w["refunds batch"]["possible_code"] == []
' "$T/some.json"

runbook "$T/bad.md" 'checkout: team `payments` code `go/`' 'nothing to go by: dual-writes'
check "check names a clause it does not understand at its line" \
  sh -c '"$0" check "$1"; test $? -eq 1 && "$0" check "$1" | grep -q "bad.md:12: unknown writer clause .team."' "$CUTOVER" "$T/bad.md"
check "  … and a writer with nothing to recognise it by" \
  sh -c '"$0" check "$1" | grep -q "bad.md:13: writer .nothing to go by. says nothing to recognise it by"' "$CUTOVER" "$T/bad.md"
check "writers refuses that runbook (exit 1)" expect_exit 1 "$CUTOVER" writers "$T/bad.md" --code "$CODE"
sed '/^- old:/d' "$T/all.md" >"$T/noold.md"
"$CUTOVER" writers "$T/noold.md" --code "$CODE" 2>"$T/noold.err"
check "a runbook with no old table is an error (exit 1)" test $? -eq 1
check "  … that says how to name it" grep -q "names no table for the .old. system" "$T/noold.err"
check "a tree that is not there is an error (exit 1)" expect_exit 1 "$CUTOVER" writers "$T/all.md" --code "$T/nope"
check "without --code, an old system that is not PostgreSQL is refused (exit 1)" \
  sh -c '"$0" writers "$1" 2>&1 | grep -q "old system is sqlite: its statistics cannot be read; give --code DIR"' \
  "$CUTOVER" "$T/all.md"
check "  … exit 1" expect_exit 1 "$CUTOVER" writers "$T/all.md"
check "--capture on an old system that is not PostgreSQL is refused (exit 1)" \
  expect_exit 1 "$CUTOVER" writers "$T/all.md" --code "$CODE" --capture 5s
finish
