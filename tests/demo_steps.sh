# demo_steps.sh — the steps of runbooks/demo.md before its ramp step, taken
# from scripts as their owners would (sourced after lib.sh). Most are
# acknowledged; the `backfill` and `compare` steps complete themselves when
# `cutover backfill` / `cutover compare` finish (issue 17), which the
# driving console runs at their turn (issue 18); these suites do not wait
# for the copy, so the commander completes them by override with a
# written reason.

# demo_steps_before_ramp JOURNAL RUNBOOK: every step before the ramp's
# (2.1 … 4.2), the people taken from RUNBOOK's ## Roles.
demo_steps_before_ramp() {
  local j=$1 rb=$2 s role who
  for s in 2.1 backfill 2.3 3.1 compare 3.3 4.1 4.2; do
    case $s in
      backfill|compare)
        "$CUTOVER" ack "$j" "$s" --as "$(sed -n 's/^- commander: *//p' "$rb")" --role commander \
          --override --reason "the demo runs no $s here" >/dev/null 2>&1
        continue ;;
    esac
    for role in dba flags commander comms; do
      who=$(sed -n "s/^- $role: *//p" "$rb")
      "$CUTOVER" ack "$j" "$s" --as "$who" --role $role >/dev/null 2>&1 && break
    done
  done
}
