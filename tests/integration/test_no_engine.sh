# test_no_engine.sh — issue 17: when no console drives (the driver died),
# every joined console says NO ENGINE — nobody is watching the criteria,
# with the flag's last known value, and its criteria rows stop saying OK;
# when a driver comes back, the banner goes. The joined console reads the
# journal's lease once a second (a dead pid on this host counts at once).
. tests/lib.sh
. tests/wait.sh
. tests/brake_lib.sh
brake_runbook "$T/rb.md"
J=$T/rb.journal
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run.out" 2>&1 &
run=$!
check "the driving console holds at 1%" wait_until 30 advanced "$J"
tmux_start j 160 45 "$CUTOVER join $J --as 'Bob Li' --role dba"
check "a joined console shows the criterion OK" wait_screen j " OK " 20
check "… and no NO ENGINE banner while the driver lives" sh -c "! grep -q 'NO ENGINE' '$T/screen'"
kill -9 $run; wait $run 2>/dev/null
check "the driver killed: NO ENGINE within three seconds" wait_screen j "NO ENGINE — nobody is watching the criteria" 3
check "… with the flag's last known value" wait_screen j "the flag last read 1%" 1
check "… and its criteria rows stop saying OK" sh -c "! grep -q ' OK ' '$T/screen' && grep -q 'NOT WATCHED' '$T/screen'"
"$CUTOVER" run "$T/rb.md" --journal "$J" --headless >"$T/run2.out" 2>&1 &
run=$!
gone() { tmux_screen j >"$T/screen"; ! grep -q "NO ENGINE" "$T/screen"; }
check "a driver back: the banner goes" wait_until 20 gone
check "… and the criterion is OK again" wait_screen j " OK " 10
kill $run; wait $run 2>/dev/null
finish
