# test_fold_references.sh — a crafted journal fed to the real binary: a ramp
# step that is not there (99, 100000000), a criterion index past the
# runbook's, a negative percentage, a body that is not JSON, a kind from a
# newer build. Each is reported as "journal event #N: …" by a joined
# console, none is acted on, and the driving console folds the whole
# history without undefined behaviour (on main, `run` died on a ramp step
# of 100000000: rb->ramp[] read out of bounds in ramp_decide).
. tests/lib.sh
J="$T/orders.journal"
RB=runbooks/orders.md
PUT=${JOURNAL_PUT:-$ROOT/build/tools/journal_put}
person() { sed -n "s/^- $1: *//p" $RB | head -1; }
commander=$(person commander) dba=$(person dba)

# start NAME CMD...: a headless console in the background; waits for its open.
start() {
  local name=$1; shift
  "$@" >"$T/$name.out" 2>&1 &
  eval "pid_$name=$!"
  for _ in $(seq 100); do grep -q "console_open" "$T/$name.out" 2>/dev/null && return 0; sleep 0.05; done
  echo "$name did not start"; cat "$T/$name.out"; return 1
}
wait_line() {  # wait_line NAME TEXT
  for _ in $(seq 40); do grep -qF -- "$2" "$T/$1.out" && return 0; sleep 0.05; done
  echo "no line within 2 s: $2"; cat "$T/$1.out"; return 1
}
put() { "$PUT" "$J" "$@"; }
stop() { kill -TERM "$1"; wait "$1"; }

check "a ceremony starts (headless run)" \
  start first "$CUTOVER" run "$RB" --journal "$J" --headless --as "$commander" --role commander
kill -TERM "$pid_first"; wait "$pid_first"

check "a joined console follows it" \
  start join "$CUTOVER" join "$J" --as "$dba" --role dba --headless

s1=$(put ramp_advance '{"step":99,"percent":5,"automatic":true}')
check "a step position that disagrees with its percentage is reported by sequence" \
  wait_line join "journal event #$s1: ramp_advance: 5% is step 1 of the ramp, not step 99"
s4=$(put criterion '{"index":42,"from":"ok","to":"firing","why":"crafted"}')
check "a criterion index past the runbook's is reported" \
  wait_line join "journal event #$s4: criterion: index 42 is past the runbook's"
s5=$(put criterion '{"criterion":"abort if nothing > 1","to":"firing"}')
check "a criterion the runbook does not have is reported" \
  wait_line join "journal event #$s5: criterion: \"abort if nothing > 1\" is not a criterion"
s6=$(put ramp_advance '{"step":0,"percent":-5}')
check "a negative percentage is reported" \
  wait_line join "journal event #$s6: ramp_advance: percent is -5, not a percentage from 0 to 100"
s7=$(put note 'this is not JSON')
check "a body that is not JSON is reported" \
  wait_line join "journal event #$s7: note: the body is not a JSON object"
s8=$(put ack '{"step":"9.9","name":"Bob","role":"dba"}')
check "an ack of a step the runbook does not have is reported" \
  wait_line join "journal event #$s8: ack: there is no step '9.9' in the runbook"
s9=$(put from_the_future '{"x":1}')
check "a kind from a newer build is kept and shown as unknown, not fatal" \
  wait_line join "engine from_the_future: unknown kind from_the_future"
s2=$(put ramp_advance '{"step":100000000,"percent":42,"automatic":true}')
check "a percentage that is no step of the ramp is reported" \
  wait_line join "journal event #$s2: ramp_advance: 42% is not a step of the ramp"
s3=$(put flag_read '{"percent":42,"purpose":"advance","ok":true}')
check "  … and the read-back of that 42% confirms no step" \
  wait_line join "engine flag_read: flag reads 42% (advance)"
s10=$(put note '{"text":"still here"}')
check "the console goes on folding after all of it" wait_line join "note: still here"
check "the joined console stops cleanly" stop "$pid_join"

check "the driving console folds the whole crafted history and runs" \
  start drive "$CUTOVER" run "$RB" --journal "$J" --headless --as "$commander" --role commander
sleep 1
check "  … and is still alive a second later" kill -0 "$pid_drive"
check "  … and stops cleanly (exit 0)" stop "$pid_drive"
check "the crafted journal verifies: its chain is intact" expect_exit 0 "$CUTOVER" verify "$J"
check "a fresh join folds it from scratch without a word to stderr" \
  sh -c "timeout 2 '$CUTOVER' join '$J' --as '$dba' --role dba --headless 2>'$T/err' >/dev/null; test ! -s '$T/err'"
finish
