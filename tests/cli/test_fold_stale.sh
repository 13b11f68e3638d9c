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

# failures_line: the dual-write panel's meter line on screen now (other
# meters go stale too: the headless run journaled their failed polls)
failures_line() { tmux_screen dba | grep -o 'failures [^│|]*' | head -1; }
# wait_stale SECONDS: true once that line says STALE
wait_stale() {
  for _ in $(seq $(($1 * 20))); do
    case "$(failures_line)" in *STALE*) return 0;; esac
    sleep 0.05
  done
  echo "meter line: $(failures_line)"; return 1
}
tmux_start dba 110 34 "$CUTOVER join $J --as '$dba' --role dba"
check "the joined console opens" wait_screen dba "Phase 2"
"$PUT" "$J" --sample dual_write_failure_rate 0.0042
check "a fresh sample shows its value" wait_screen dba "0.42%" 3
check "  … not as stale" sh -c 'case "$1" in *0.42%*) ;; *) echo "$1"; false;; esac' _ "$(failures_line)"
check "three poll intervals later the same sample is STALE" wait_stale 6
check "  … with its age, and no value" \
  sh -c 'case "$1" in *"STALE no sample for "*) ! echo "$1" | grep -q "0.42%";; *) echo "$1"; false;; esac' \
  _ "$(failures_line)"
"$PUT" "$J" --sample dual_write_failure_rate 0.0051
check "a new sample brings the value back" wait_screen dba "0.51%" 3
finish
