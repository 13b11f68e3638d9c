#!/bin/sh
# ensure.sh — installs the npm test peers (flagd-core, unleash-server) from
# the committed lock file when node_modules is missing, partial, or from
# another lock file. A stamp with the lock file's hash marks a whole install.
# Suites call it concurrently (three at a time): one lock on the lock file
# makes them take turns, so only the first installs and the rest see its
# stamp — two `npm ci` in one directory remove each other's files.
set -e
cd "$(dirname "$0")"
exec 9<package-lock.json
flock 9
want=$(sha256sum package-lock.json | cut -d' ' -f1)
[ "$(cat node_modules/.cutover-stamp 2>/dev/null)" = "$want" ] && exit 0
# --ignore-scripts: the peers run without their packages' install scripts
# (node-gyp builds of optional native bindings, a telemetry ping); with them
# the install took 45 s of CPU against 38 s, on a fresh machine beside the build.
# A fresh machine's first download can fail on a registry hiccup: try three
# times, keeping npm's own words for the log.
for try in 1 2 3; do
  if npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null; then
    echo "$want" >node_modules/.cutover-stamp
    exit 0
  fi
  echo "ensure.sh: npm ci failed (try $try of 3)" >&2
  sleep $((try * ${ENSURE_RETRY_WAIT:-5}))
done
exit 1
