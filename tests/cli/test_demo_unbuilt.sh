#!/bin/bash
# test_demo_unbuilt.sh — `cutover demo` from a build that has no demo
# service (plain `make` builds only cutover; `make demo` builds the
# service too): the error must tell a newcomer the command that fixes it,
# and not point at a log the service never wrote.
. tests/lib.sh
mkdir -p "$T/bare"
cp "$CUTOVER" "$T/bare/cutover"
check "cutover demo without build/ordersim fails" expect_exit 1 "$T/bare/cutover" demo --headless
check "  … naming what is missing" contains "$T/.last" "$T/bare/build/ordersim is missing"
check "  … and the command that builds it" contains "$T/.last" "run \`make demo\`"
check "  … not a log that was never written" bash -c "! grep -q 'ordersim.log' '$T/.last'"
finish
