# fixture.sh — the data engine suites' stores (sourced after lib.sh): an
# old SQLite table of N orders and an empty new one with renamed, cast,
# defaulted and excluded columns, and the runbook that maps one onto the
# other. Old's values follow from the id, so a test knows every row:
#   customer_name 'cust ' || id % 997     total_cents id * 7
#   note NULL when id % 3 = 0, else 'note ' || id
#   created 'YYYY-MM-DD HH:MM:SS' at 1700000000 + id * 60 s (UTC)
#   meta '{"a":' || id % 5 || ',"b":"x"}'   updated_at '2024-01-01 00:00:00'

# make_stores DIR N: DIR/old.db with N rows, DIR/new.db empty, DIR/rb.md.
make_stores() {
  local d=$1 n=$2
  rm -f "$d"/old.db* "$d"/new.db*
  sqlite3 "$d/old.db" "PRAGMA journal_mode=WAL;
    CREATE TABLE orders_legacy (id INTEGER PRIMARY KEY, customer_name TEXT, total_cents INTEGER,
      note TEXT, created TEXT, meta TEXT, updated_at TEXT, legacy_flag INTEGER);
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
    INSERT INTO orders_legacy SELECT i, 'cust ' || (i % 997), i * 7,
      CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END,
      strftime('%Y-%m-%d %H:%M:%S', 1700000000 + i * 60, 'unixepoch'),
      '{\"a\":' || (i % 5) || ',\"b\":\"x\"}', '2024-01-01 00:00:00', i % 2 FROM s;" >/dev/null
  sqlite3 "$d/new.db" "PRAGMA journal_mode=WAL;
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, total NUMERIC, note TEXT,
      created TEXT, meta TEXT, updated_at TEXT, currency TEXT, legacy_flag INTEGER);" >/dev/null
  cat >"$d/rb.md" <<MD
# Orders data

## Roles
- commander: Ana
- dba: Bo

## Systems
- old: sqlite \`$d/old.db\` table \`orders_legacy\`
- new: sqlite \`$d/new.db\` table \`orders\`

## Mapping
- key \`id\`
- version \`updated_at\`
- \`customer\` from \`customer_name\`
- \`total\` from \`total_cents / 100.0\`
- \`currency\` default \`'EUR'\`
- exclude \`legacy_flag\`

## Phase 2: Backfill {readonly}
- [ ] dba: copy the history \`backfill\`
- [ ] dba: compare \`compare\`
MD
}

# ckpt: rows the backfill's checkpoint in $T/new.db says are copied.
ckpt() { sql "$T/new.db" "SELECT coalesce(max(rows), 0) FROM cutover_backfill"; }
# at_least N: the checkpoint has reached N rows (for wait_for).
at_least() { [ "$(ckpt)" -ge "$1" ]; }

# data_fixture N JOURNAL [ATTRS]: the stores (N rows) in $T; RB their
# runbook and J=$T/JOURNAL for the suite; ATTRS go on the backfill step.
data_fixture() {
  make_stores "$T" "$1"
  RB=$T/rb.md J=$T/$2
  [ -z "${3:-}" ] || backfill_step "$3"
}
# backfill_step ATTRS: {ATTRS} (`rate=2000 batch=500`) on $RB's backfill
# step, which a console then passes to the copy it starts.
backfill_step() {
  sed -i "s/^- \[ \] dba: copy the history \`backfill\`\$/- [ ] dba: copy the history \`backfill\` {$1}/" "$RB"
}
