# demo_steps.sh — the steps of runbooks/demo.md before its ramp step, taken
# from scripts as their owners would (sourced after lib.sh). Most are
# acknowledged; the `backfill` and `compare` steps complete themselves when
# `cutover backfill` / `cutover compare` finish (issue 17), which the
# driving console runs at their turn (issue 18); these suites do not wait
# for the copy, so the commander completes them by override with a
# written reason.
. tests/wait.sh

# step_role RUNBOOK STEP: the role that owns step P.N of RUNBOOK (its Nth
# `- [ ]` item under `## Phase P:`), as the runbook writes it.
step_role() {
  awk -v p="${2%.*}" -v n="${2#*.}" '
    /^## Phase [0-9]+:/ { ph = $3; sub(":", "", ph); i = 0; next }
    /^## / { ph = "" }
    ph == p && /^- \[ \] [a-z]+:/ { if (++i == n) { r = $4; sub(":", "", r); print r; exit } }' "$1"
}

# take_step COMMAND...: runs the ack COMMAND (its words kept in
# $T/demo_steps.log); true when it took the step or the step was taken
# already (an ack that timed out on a loaded machine may have been written;
# a driving console completes `compare` itself when its compare finds no
# divergence). wait_until tries it again while it is false.
take_step() {
  "$@" >"$T/.step" 2>&1
  local rc=$?
  cat "$T/.step" >>"$T/demo_steps.log"
  [ $rc -eq 0 ] || grep -qE "is already done|was already acknowledged" "$T/.step"
}

# demo_steps_before_ramp JOURNAL RUNBOOK: every step before the ramp's
# (2.1 … 4.2), each acknowledged by its owner as RUNBOOK's ## Roles names
# them, once (each ack is a process that folds the journal).
demo_steps_before_ramp() {
  local j=$1 rb=$2 s role
  for s in 2.1 backfill 2.3 3.1 compare 3.3 4.1 4.2; do
    case $s in
      backfill|compare)
        wait_until 30 take_step "$CUTOVER" ack "$j" "$s" \
          --as "$(sed -n 's/^- commander: *//p' "$rb")" --role commander \
          --override --reason "the demo runs no $s here"
        continue ;;
    esac
    role=$(step_role "$rb" "$s")
    wait_until 30 take_step "$CUTOVER" ack "$j" "$s" \
      --as "$(sed -n "s/^- $role: *//p" "$rb")" --role "$role"
  done
}
