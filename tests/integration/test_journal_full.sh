# test_journal_full.sh — the journal on a full filesystem (a small tmpfs):
# the cockpit keeps answering, a breach still rolls the flag back at once,
# the banner says the journal is not written, and once there is room again
# every sample and event is written in order with its true time and the
# journal verifies. Needs root (mount); skipped, counted as passed, without.
. tests/lib.sh
need build/tools/fault_server >/dev/null || exit 1
D=$T/disk
mkdir -p "$D" "$T/answers"
if ! mount -t tmpfs -o size=6m tmpfs "$D" 2>/dev/null; then
  echo "skip: cannot mount a tmpfs (not root?)"; check "skipped without root" true; finish; exit
fi
metrics() { printf '# TYPE app_error_ratio gauge\napp_error_ratio %s\n' "$1" >"$T/answers/m.tmp"; mv "$T/answers/m.tmp" "$T/answers/metrics"; }
metrics 0
"$ROOT/build/tools/fault_server" "$T/answers" >"$T/fault.out" 2>&1 &
fault=$!
cleanup_hook() { kill $fault 2>/dev/null; tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; sleep 0.2; umount -l "$D" 2>/dev/null; }
for _ in $(seq 100); do grep -q port "$T/fault.out" && break; sleep 0.05; done
P=$(sed -n 's/^port //p' "$T/fault.out")
F=$T/flags.json          # the flag lives elsewhere: only the journal's disk is full
J=$D/rb.journal
flag_is() { grep -q "\"on\",[[:space:]]*$1\b" "$F"; }
cat >"$T/rb.md" <<EOF2
# Full

## Roles
- commander: Alice Ng

## Systems
- metrics: scrape \`http://127.0.0.1:$P/file/metrics\`
- flag: flagd \`$F\` flag \`orders-read-new\`

## Signals
- error_ratio: \`max(app_error_ratio)\` every 250ms

## Abort criteria
- abort if error_ratio > 1%

## Ramp
- 1% for 1h
- 100%

Mode: automatic

## Phase 4: Cutover
- [ ] commander: ramp \`ramp\`

## Rollback
### Phase 4
Set the flag back to 0%.
EOF2

tmux_start c 120 40 "$CUTOVER run $T/rb.md --journal $J"
check "the ramp holds at 1%" wait_screen c "HOLDING 1%" 15 || { finish; exit 1; }
wait_for 10 flag_is 1
# Fill the disk: the journal's WAL cannot grow (the spool's blocks were
# taken when the console started).
dd if=/dev/zero of="$D/fill" bs=64k >/dev/null 2>&1
full_from=$(now_ms)
check "the disk is full" sh -c '! dd if=/dev/zero of="$0/more" bs=64k count=1 2>/dev/null' "$D"
check "a red banner says the journal is not written" wait_screen c "JOURNAL NOT WRITTEN" 20
t0=$(now_ms); tmux_keys c '?'
check "keys answer within 1 s on a full disk" wait_screen c "Keys" 1
echo "key answered in $(( $(now_ms) - t0 )) ms"
tmux_keys c Escape
t0=$(now_ms)
metrics 0.05
check "a breach rolls the flag back at once on a full disk" wait_for 5 flag_is 0
echo "breach → flag file at 0%: $(( $(now_ms) - t0 )) ms"
check "the screen says ABORTED" wait_screen c "ABORTED" 5
spooled() { [ "$(grep -c '"t":"s"' "$J.spool" 2>/dev/null)" -ge 8 ]; }
check "the stall's samples are kept in the spool (its blocks were taken beforehand)" wait_for 10 spooled
rm -f "$D/fill" "$D/more"
full_to=$(now_ms)
has_rollback() { [ "$(sql "$J" "select count(*) from events where kind='rollback_confirmed'")" = 1 ]; }
check "with room again, the abort and the rollback are written" wait_for 15 has_rollback
banner_gone() { tmux_screen c >"$T/screen"; ! grep -q "JOURNAL NOT" "$T/screen"; }
check "the banner goes" wait_for 10 banner_gone
abort_ts=$(sql "$J" "select ts_ms from events where kind='abort'")
check "the abort carries its true time, while the disk was full" \
  test "$abort_ts" -gt "$full_from" -a "$abort_ts" -lt "$full_to"
gap=$(sql "$J" "select max(b.ts_ms - a.ts_ms) from samples a join samples b on b.seq = a.seq + 1 where a.ts_ms between $full_from and $full_to")
n=$(sql "$J" "select count(*) from samples where ts_ms between $full_from and $full_to")
echo "samples while full: $n, largest gap ${gap} ms"
check "every sample of the full disk is written ($n, largest gap ${gap} ms)" test "$n" -ge 8 -a "${gap:-9999}" -lt 1000
tmux_keys c q
check "the journal verifies" wait_for 10 "$CUTOVER" verify "$J"
finish
