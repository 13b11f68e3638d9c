#!/bin/sh
# deps.sh — installs the Debian packages cutover builds and tests with, when
# any is missing. `make` and `make test` call it; on a machine that has them
# all it only asks dpkg and exits. Usage: scripts/deps.sh [build|test|screenshots]
set -e
what=${1:-build}

build="pkg-config libncurses-dev libcurl4-openssl-dev libcjson-dev libpq-dev
       libsqlite3-dev libmd4c-dev libssl-dev"
test="$build libmicrohttpd-dev clang libclang-rt-14-dev cppcheck tmux sqlite3 procps time
      curl python3 nodejs prometheus prometheus-node-exporter postgresql-15
      iproute2 e2fsprogs util-linux"
screenshots="$test xvfb xterm imagemagick fonts-dejavu-core"

case "$what" in
  build) want=$build ;;
  test) want=$test ;;
  screenshots) want=$screenshots ;;
  *) echo "usage: $0 [build|test|screenshots]" >&2; exit 2 ;;
esac

missing=
for p in $want; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" != 0 ]; then
  echo "deps: not root; run: sudo apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
