#!/bin/sh
# ensure.sh — installs the npm test peers (flagd-core, unleash-server) from
# the committed lock file when node_modules is missing, partial, or from
# another lock file. A stamp with the lock file's hash marks a whole install.
set -e
cd "$(dirname "$0")"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
[ "$(cat node_modules/.cutover-stamp 2>/dev/null)" = "$want" ] && exit 0
npm ci --no-audit --no-fund --loglevel=error >/dev/null
echo "$want" >node_modules/.cutover-stamp
