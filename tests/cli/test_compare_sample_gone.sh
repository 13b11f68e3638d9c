#!/bin/bash
# test_compare_sample_gone.sh — a sample's keys are drawn from old first,
# then looked up one by one on both sides; on PostgreSQL each lookup sees
# what is committed by then. A key the application deleted from old in
# between is no row of old any more, but it was counted in the sample
# (and its row in new, if still there, counted as new's), which made the
# divergence rate look lower than it is. Such a key is now left out of
# the sample. SQLite reads one snapshot for the whole sample, so it never
# sees the deletion and needs no test here.
. tests/lib.sh
. tests/data/pg.sh
pg_shop A
p() { pgq "$A_PORT" shop "$1"; }
PG="postgres \`host=127.0.0.1 port=$A_PORT dbname=shop user=postgres\`"
p "CREATE TABLE o (k bigint PRIMARY KEY, v text); CREATE TABLE n (k bigint PRIMARY KEY, v text);
   INSERT INTO o SELECT g, 'v' || g FROM generate_series(1, 4000) g;
   INSERT INTO n SELECT * FROM o" >/dev/null
key_runbook "$T/rb.md" "Sample" "$PG table \`o\`" "$PG table \`n\`"
"$CUTOVER" compare "$T/rb.md" --sample 400 --rate 100 --format json >"$T/out" 2>"$T/err" &
pid=$!
# the keys are drawn, and the lookups have begun: old's key index used
# a score of times (the statistics' counters, flushed about once a second)
looking() { [ "$(p "SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'o'")" -ge 20 ]; }
check "a paced sample of 400 keys looks them up" wait_for 30 looking
p "DELETE FROM o WHERE k > 2000" >/dev/null
wait $pid
sampled=$(sed -n 's/.*"sample":\([0-9]*\).*/\1/p' "$T/out")
check "keys deleted from old before their turn are left out of the sample ($sampled of 400)" \
  test "${sampled:-400}" -lt 400
check "  … each key counted is a row of old" grep -q "\"rows_old\":${sampled:-x}," "$T/out"
finish
