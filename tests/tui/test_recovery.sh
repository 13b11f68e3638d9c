# test_recovery.sh — the screen after a crash, without colours, and with
# names that are not ASCII: kill -9 of a console in tmux, then `cutover run`
# on the same journal shows exactly the acknowledgements from before.
. tests/lib.sh
J="$T/utf8.journal"
cat >"$T/utf8.md" <<'EOF2'
# Zoë's cutover: naïve → 新しい

## Roles
- commander: Zoë Ångström
- dba: 渡辺 健

## Phase 1: Prépare
- [ ] dba: vérifier les écrivains
- [ ] dba: démarrer le backfill
- [ ] commander: go / no-go

## Rollback
### Phase 1
Revenir en arrière : rien à restaurer.
EOF2

tmux_start a 100 30 "$CUTOVER run $T/utf8.md --journal $J"
check "a title and names in UTF-8 are drawn" wait_screen a "Zoë's cutover: naïve → 新しい"
check "the commander's name in the header" wait_screen a "Zoë Ångström/commander"
"$CUTOVER" ack "$J" 1.1 --as "渡辺 健" --role dba >/dev/null
"$CUTOVER" ack "$J" 1.2 --as "渡辺 健" --role dba >/dev/null
check "acks from a script appear" wait_screen a "[x] 1.2"
check "a wide name keeps the columns (the owner's name is drawn)" wait_screen a "渡辺 健"
pid=$(pgrep -f "cutover run $T/utf8.md" | head -1)
kill -9 "$pid"
# kill -9, not the end of tmux, must be what stops it: wait until it is gone
check "the console is killed" wait_for 10 sh -c '! kill -0 "$0"' "$pid"
tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
check "after kill -9 the journal verifies" expect_exit 0 "$CUTOVER" verify "$J"

tmux_start b 100 30 "NO_COLOR=1 $CUTOVER run $T/utf8.md --journal $J"
check "a new console on the same journal shows step 1.1 acknowledged" wait_screen b "[x] 1.1"
check "… and 1.2" wait_screen b "[x] 1.2"
check "… and 1.3 still open" wait_screen b "[ ] 1.3"
check "… and the phase at 2/3" wait_screen b "2/3 current"
check "without colours (NO_COLOR) the screen still says everything" \
  sh -c '! tmux -S "$0" capture-pane -e -p -t b | grep -q "\[3[0-7]m"' "$TMUX_SOCK"
tmux_keys b q
check "quit" wait_screen b "journal: $J"
finish
