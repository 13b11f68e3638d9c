# demo_steps.sh — the steps of runbooks/demo.md before its ramp step, taken
# from scripts as their owners would (sourced after lib.sh). Most are
# acknowledged; the `backfill` and `compare` steps complete themselves when
# `cutover backfill` / `cutover compare` finish (issue 17), which the
# driving console runs at their turn (issue 18); these suites do not wait
# for the copy, so the commander completes them by override with a
# written reason.

# step_role RUNBOOK STEP: the role that owns step P.N of RUNBOOK (its Nth
# `- [ ]` item under `## Phase P:`), as the runbook writes it.
step_role() {
  awk -v p="${2%.*}" -v n="${2#*.}" '
    /^## Phase [0-9]+:/ { ph = $3; sub(":", "", ph); i = 0; next }
    /^## / { ph = "" }
    ph == p && /^- \[ \] [a-z]+:/ { if (++i == n) { r = $4; sub(":", "", r); print r; exit } }' "$1"
}

# demo_steps_before_ramp JOURNAL RUNBOOK: every step before the ramp's
# (2.1 … 4.2), each acknowledged once, by its owner as RUNBOOK's ## Roles
# names them (one request each: every ack waits for the driver's answer).
demo_steps_before_ramp() {
  local j=$1 rb=$2 s role
  for s in 2.1 backfill 2.3 3.1 compare 3.3 4.1 4.2; do
    case $s in
      backfill|compare)
        "$CUTOVER" ack "$j" "$s" --as "$(sed -n 's/^- commander: *//p' "$rb")" --role commander \
          --override --reason "the demo runs no $s here" >/dev/null 2>&1
        continue ;;
    esac
    role=$(step_role "$rb" "$s")
    "$CUTOVER" ack "$j" "$s" --as "$(sed -n "s/^- $role: *//p" "$rb")" --role "$role" >/dev/null 2>&1
  done
}
