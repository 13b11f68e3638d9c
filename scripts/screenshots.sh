#!/bin/bash
# screenshots.sh — renders the real cockpit in a real terminal (xterm under
# Xvfb) and captures it with ImageMagick into screenshots/*.png.
# Run by `make screenshots`, which installs xvfb, xterm and imagemagick.
set -eu
cd "$(dirname "$0")/.."
out=screenshots
mkdir -p "$out"
tmp=$(mktemp -d /tmp/cutover-shots.XXXXXX)
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1

# shoot NAME COMMAND: runs COMMAND in a 120×40 xterm, waits, captures.
shoot() {
  DISPLAY=$display xterm -geometry 120x40+0+0 -fa 'DejaVu Sans Mono' -fs 10 \
    -bg '#101418' -fg '#d0d4d8' -xrm 'XTerm*colorMode: true' \
    -e env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 bash -c "$2" &
  local term=$!
  sleep "${3:-2}"
  DISPLAY=$display /usr/bin/import -window root "$tmp/raw.png"
  /usr/bin/convert "$tmp/raw.png" -crop 1400x900+0+0 -trim +repage "$out/$1.png"
  kill "$term" 2>/dev/null || true
  wait "$term" 2>/dev/null || true
  echo "screenshots/$1.png"
}

rb=runbooks/orders.md
j=$tmp/orders.journal
person() { sed -n "s/^- $1: *//p" $rb | head -1; }
./cutover run $rb --journal "$j" --headless >/dev/null & pid=$!
sleep 0.5
./cutover ack "$j" 2.1 --as "$(person dba)" --role dba >/dev/null
./cutover ack "$j" 2.2 --as "$(person dba)" --role dba >/dev/null 2>&1 || true
kill -TERM $pid; wait $pid || true

shoot ceremony "./cutover run $rb --journal $j"
shoot second-console "./cutover join $j --as '$(person flags)' --role flags"
