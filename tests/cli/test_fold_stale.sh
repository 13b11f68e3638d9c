# test_fold_stale.sh — a signal's staleness on screen comes from the view
# (panels/view.c derives it from the folded samples and the time), not from
# the engine: on a joined console, which polls nothing, a fresh journaled
# sample shows its value, and the same sample three poll intervals later
# shows STALE with its age.
. tests/lib.sh
J="$T/orders.journal"
RB=runbooks/orders.md
PUT=$ROOT/build/tools/journal_put
person() { sed -n "s/^- $1: *//p" $RB | head -1; }
commander=$(person commander) dba=$(person dba)

"$CUTOVER" run "$RB" --journal "$J" --headless >"$T/run.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q console_open "$T/run.out" && break; sleep 0.05; done
kill -TERM "$pid"; wait "$pid"

tmux_start dba 110 34 "$CUTOVER join $J --as '$dba' --role dba"
check "the joined console opens" wait_screen dba "Phase 2"
"$PUT" "$J" --sample dual_write_failure_rate 0.0042
check "a fresh sample shows its value" wait_screen dba "0.42%" 3
check "  … not as stale" sh -c "! grep -q 'STALE' '$T/screen'"
check "three poll intervals later the same sample is STALE" wait_screen dba "STALE" 6
check "  … with its age" wait_screen dba "no sample for"
check "  … and no value" sh -c "! grep -q '0.42%' '$T/screen'"
"$PUT" "$J" --sample dual_write_failure_rate 0.0051
check "a new sample brings the value back" wait_screen dba "0.51%" 3
finish
