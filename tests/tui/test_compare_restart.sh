# test_compare_restart.sh — the driving console is killed (-9) while its
# compare runs; the compare finishes on its own and journals that it
# diverged. Before, the next `cutover run` saw only the data_job still
# "started", its pid gone, and ran the whole comparison again (the README:
# a diverged compare "is not run again by itself"). Now the console that
# finds the job ended reads the compare's own result: it journals the end
# once (data_job diverged), starts nothing, and leaves the step open.
. tests/lib.sh
. tests/wait.sh
. tests/data/fixture.sh
. tests/data/jobs.sh
data_fixture 300000 c.journal
check "the copy is made by hand first" expect_exit 0 "$CUTOVER" backfill "$RB" --journal "$J"
sql "$T/new.db" "UPDATE orders SET customer = 'someone else' WHERE id = 5; DELETE FROM orders WHERE id = 11"
# compares WHERE: the compare job's data_job events that match
compares() { events data_job "json_extract(body, '\$.job') = 'compare' AND $1"; }
tmux_start c 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the console starts the compare" wait_until 30 has data_job "json_extract(body, '\$.job') = 'compare' AND json_extract(body, '\$.state') = 'started'"
job=$(child compare)
kill -9 "$(console_pid c)"
check "the console killed, the compare finishes on its own, diverged" wait_until 60 journal_has "$J" \
  "kind = 'compare' AND json_extract(body, '\$.diverged') = 1"
check "  … its job is gone" wait_for 10 gone "$job"
tmux_start d 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "the next console journals the job's end, as its result says" wait_until 20 journal_has "$J" \
  "kind = 'data_job' AND json_extract(body, '\$.job') = 'compare' AND json_extract(body, '\$.state') = 'diverged' AND json_extract(body, '\$.pid') = $job"
check "  … shows the step DIVERGED" wait_screen d "DIVERGED" 15
check "  … and ran no second comparison" test "$(compares "json_extract(body, '\$.state') = 'started'")" = 1
check "  … nor journaled the end twice" test "$(compares "json_extract(body, '\$.state') != 'started'")" = 1
tmux_keys d q
tmux_start e 120 40 "$CUTOVER run $RB --journal $J --as Ana --role commander"
check "a third console finds it diverged too" wait_screen e "DIVERGED" 15
tmux_keys e q
check "  … and quits, having started nothing" wait_screen e "journal: $J" 15
check "  … still one comparison run" test "$(compares "json_extract(body, '\$.state') = 'started'")" = 1
check "  … its end journaled once" test "$(compares "json_extract(body, '\$.state') != 'started'")" = 1
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
finish
