#!/bin/bash
# screenshots.sh — pictures of the real screens: the demo ceremony is run
# in tmux and driven with send-keys, and for each picture a real terminal
# (xterm under Xvfb) attaches to that tmux session read-only and is
# captured with ImageMagick into screenshots/*.png.
# Run by `make screenshots`, which installs xvfb, xterm and imagemagick.
set -eu
cd "$(dirname "$0")/.."
out=screenshots
mkdir -p "$out"
tmp=$(mktemp -d /tmp/cutover-shots.XXXXXX)
sock=$tmp/tmux.sock
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xvfb=$!
trap 'tmux -S "$sock" kill-server 2>/dev/null; kill $xvfb 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1

tmux_new() {
  tmux -S "$sock" new-session -d -s "$1" -x 120 -y 40 "env TERM=tmux-256color LANG=C.UTF-8 $2; sleep 60"
  tmux -S "$sock" set-option -t "$1" status off >/dev/null
}
keys() { local s=$1; shift; tmux -S "$sock" send-keys -t "$s" "$@"; }
wait_for() {  # wait_for SESSION TEXT [SECONDS]
  for _ in $(seq $((${3:-10} * 10))); do
    tmux -S "$sock" capture-pane -p -t "$1" | grep -qF -- "$2" && return 0; sleep 0.1; done
  echo "screenshots: '$2' never showed on $1" >&2; return 1
}

# shoot NAME SESSION: a real xterm shows the tmux session; capture it.
shoot() {
  DISPLAY=$display xterm -geometry 120x40+0+0 -fa 'DejaVu Sans Mono' -fs 10 \
    -bg '#101418' -fg '#d0d4d8' -xrm 'XTerm*colorMode: true' \
    -e env TERM=xterm-256color tmux -S "$sock" attach -r -t "$2" &
  local term=$!
  sleep 1.5
  DISPLAY=$display /usr/bin/import -window root "$tmp/raw.png"
  /usr/bin/convert "$tmp/raw.png" -crop 1400x900+0+0 -trim +repage "$out/$1.png"
  kill "$term" 2>/dev/null || true
  wait "$term" 2>/dev/null || true
  echo "screenshots/$1.png"
}

tmux_new d "./cutover demo"
wait_for d "RAMP" 15
dir=$(ls -td /tmp/cutover-demo.* | head -1)
j=$dir/demo.journal
person() { sed -n "s/^- $1: *//p" runbooks/demo.md | head -1; }
for s in 2.1 backfill 2.3 3.1 compare 3.3 4.1 4.2; do
  case $s in   # these complete when cutover backfill/compare finish: not run here
    backfill|compare)
      ./cutover ack "$j" "$s" --as "$(person commander)" --role commander --override \
        --reason "the demo runs no $s here" >/dev/null 2>&1
      continue ;;
  esac
  for role in dba flags commander comms; do
    ./cutover ack "$j" "$s" --as "$(person $role)" --role $role >/dev/null 2>&1 && break
  done
done
wait_for d "press +" 15
keys d + 1 Enter
wait_for d "HOLDING 1%"
keys d j j j j j j j j j
sleep 3
shoot ceremony d

tmux_new f "./cutover join $j --as '$(person flags)' --role flags"
wait_for f "RAMP"
keys f j j j j j j j j
sleep 1
shoot second-console f

keys d F 1 Enter
wait_for d "flag back at 0%" 40
shoot abort d
keys d F 0 Enter q
sleep 2

# The same ceremony replayed from its journal, stopped on the abort.
tmux_new r "./cutover replay $j"
wait_for r "REPLAY" 15
keys r a
sleep 1
shoot replay r

# The post-mortem of the ceremony just shot, rendered by headless Chromium.
./cutover report "$j" --format html >"$tmp/report.html" || true
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,1400 \
  --screenshot="$out/report.png" "file://$tmp/report.html" >/dev/null 2>&1
echo "screenshots/report.png"
