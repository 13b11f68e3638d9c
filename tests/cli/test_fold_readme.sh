# test_fold_readme.sh — README.md's event table is the one generated from
# core/events.def: a kind or field added to the table without the README
# (or the reverse) fails here, naming the command that brings them together.
. tests/lib.sh
TOOL=$ROOT/build/tools/events_table
check "the generator prints a table with every kind" \
  sh -c "'$TOOL' | grep -q '^| \`ramp_advance\` |'"
check "README.md's event table is the generated one" "$TOOL" --check README.md
cp README.md "$T/README.md"
sed -i 's/^| `note` |.*/| `note` | a note | `text` |/' "$T/README.md"
check "an edited table is caught" expect_exit 1 "$TOOL" --check "$T/README.md"
check "  … and --write puts it right" "$TOOL" --write "$T/README.md"
check "  … after which it checks" "$TOOL" --check "$T/README.md"
check "  … and the rest of README is untouched" cmp README.md "$T/README.md"
finish
