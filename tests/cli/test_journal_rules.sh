# test_journal_rules.sh — the journal's rules through the real binary: one
# driver (a second `run` is refused at once, naming who drives and since
# when; a dead driver's lease is taken over), acks decided inside the write
# transaction that records them (five at once: exactly one ack), anchors
# that make deleting samples fail verify, and run/join refusing a damaged
# journal unless --force, which journals the damage.
. tests/lib.sh
J="$T/orders.journal"
# Step 2.1 is acknowledged by hand here: the writer audit that completes it
# in orders.md (its `writers` action) has suites of its own.
sed 's/ is known `writers`$/ is known/' "$ROOT/runbooks/orders.md" >"$T/orders.md"
RB=$T/orders.md
person() { sed -n "s/^- $1: *//p" $RB | head -1; }
commander=$(person commander) dba=$(person dba)
start_headless() {  # start_headless OUT [ARGS]: $pid
  local out=$1; shift
  "$CUTOVER" run "$RB" --journal "$J" --headless "$@" >"$out" 2>&1 &
  pid=$!
  wait_for 10 grep -q console_open "$out"
}

# One driver.
check "a first run drives" start_headless "$T/one.out"
first=$pid
t0=$(now_ms)
"$CUTOVER" run "$RB" --journal "$J" --headless >"$T/two.out" 2>&1
rc=$?
ms=$(( $(now_ms) - t0 ))
check "a second run on the same journal is refused (exit 1)" test $rc -eq 1
check "… at once (${ms} ms)" test $ms -lt 3000
check "… naming who drives, from where and since when" \
  grep -qE "is driven by $commander/commander \(pid $first on [^,]+, console [0-9a-f-]+\) since [0-9:]+ UTC" "$T/two.out"
check "the lease row names the driver" \
  test "$(sql "$J" "select holder || ' ' || pid from lease")" = "$commander/commander $first"
timeout 10 "$CUTOVER" join "$J" --as "$dba" --role dba --headless >"$T/join.out" 2>&1 &
joined=$!
check "a joined console is still welcome" wait_for 5 grep -q "console_open.*$dba" "$T/join.out"
kill -TERM $joined; wait $joined
kill -TERM $first; wait $first
check "a clean stop releases the lease" test "$(sql "$J" "select count(*) from lease")" = 0
check "after a clean stop another run drives" start_headless "$T/three.out"
kill -9 $pid; wait $pid 2>/dev/null
check "after kill -9 the dead driver's lease is taken over at once" start_headless "$T/four.out"
kill -TERM $pid; wait $pid

# Five acks of one step at once: exactly one wins.
for i in 1 2 3 4 5; do
  ( "$CUTOVER" ack "$J" 2.1 --as "$dba" --role dba >"$T/ack$i.out" 2>&1; echo $? >"$T/ack$i.rc" ) &
done
wait
ok=0 refused=0
for i in 1 2 3 4 5; do
  case $(cat "$T/ack$i.rc") in 0) ok=$((ok + 1)) ;; 1) refused=$((refused + 1)) ;; esac
done
check "five concurrent acks: one exits 0 ($ok)" test $ok -eq 1
check "… four exit 1 ($refused)" test $refused -eq 4
check "… exactly one ack row" \
  test "$(sql "$J" "select count(*) from events where kind='ack' and json_extract(body,'\$.step')='2.1'")" = 1
check "… four refusals journaled as already acknowledged" \
  test "$(sql "$J" "select count(*) from events where kind='ack_refused' and json_extract(body,'\$.reason') like '%already acknowledged%'")" = 4

# Anchors: deleting every sample fails verify.
check "a run journals samples" start_headless "$T/five.out"
has_samples() { [ "$(sql "$J" "select count(*) from samples")" -gt 3 ]; }
wait_for 15 has_samples
kill -TERM $pid; wait $pid
check "the close anchors the samples chain" \
  test "$(sql "$J" "select json_extract(body,'\$.sample_seq') = (select max(seq) from samples) from events where kind='anchor' order by seq desc limit 1")" = 1
check "the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"
cp "$J" "$T/copy.journal"
sqlite3 "$T/copy.journal" "drop trigger samples_no_delete; delete from samples;"
check "with every sample deleted, verify fails" expect_exit 1 "$CUTOVER" verify "$T/copy.journal"
check "… saying samples were deleted" grep -q "samples.*deleted" "$T/.last"
cp "$J" "$T/tail.journal"
sqlite3 "$T/tail.journal" "drop trigger samples_no_delete; delete from samples where seq > 2;"
check "with the samples' tail cut off, verify fails" expect_exit 1 "$CUTOVER" verify "$T/tail.journal"

# A damaged journal: run and join refuse it unless --force.
sqlite3 "$J" "drop trigger events_no_update; update events set body = '{\"text\":\"edited\"}' where seq = 3;"
check "run refuses an edited journal" expect_exit 1 "$CUTOVER" run "$RB" --journal "$J" --headless
check "… naming the first bad sequence" grep -q "damaged: events seq 3" "$T/.last"
check "… and pointing at --force" grep -q -- "--force" "$T/.last"
check "join refuses it too" expect_exit 1 "$CUTOVER" join "$J" --as "$dba" --role dba --headless
check "… naming the first bad sequence" grep -q "damaged: events seq 3" "$T/.last"
n=$(sql "$J" "select count(*) from events")
check "nothing was appended to it" test "$(sql "$J" "select count(*) from events")" = "$n"
check "run --force opens it" start_headless "$T/forced.out" --force
kill -TERM $pid; wait $pid
check "… and journals the damage it opened over" \
  test "$(sql "$J" "select json_extract(body,'\$.first_bad_seq') || ' ' || json_extract(body,'\$.table') from events where kind='journal_damaged'")" = "3 events"

# A format-1 journal (before the lease) still opens, and is brought to format 3.
cp "$T/copy.journal" "$T/old.journal"
sqlite3 "$T/old.journal" "drop table lease; update meta set value='1' where key='format_version';"
check "verify reads a format-1 journal" sh -c '"$0" verify "$1"; test $? -le 1' "$CUTOVER" "$T/old.journal"
cp "$J" "$T/v1.journal"
sqlite3 "$T/v1.journal" "drop table lease; update meta set value='1' where key='format_version';"
timeout 10 "$CUTOVER" run "$RB" --journal "$T/v1.journal" --headless --force >"$T/v1.out" 2>&1 &
v1=$!
check "run opens a format-1 journal (with --force: this one is damaged)" wait_for 5 grep -q console_open "$T/v1.out"
kill -TERM $v1; wait $v1
check "… and brings it to format 3" test "$(sql "$T/v1.journal" "select value from meta where key='format_version'")" = 3
finish
