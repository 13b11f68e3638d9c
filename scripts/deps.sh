#!/bin/sh
# deps.sh — what each make goal needs from Debian, and installing what is
# missing. Each requirement is checked the way the build meets it (a
# pkg-config module, a command, a file), not by asking dpkg, so a package
# list one entry short shows up as a missing requirement, and the test
# tests/cli/test_deps.sh holds this table against the Makefiles.
#
#   scripts/deps.sh GOAL             install what GOAL is missing (apt-get)
#   scripts/deps.sh --dry-run GOAL   print the packages GOAL is missing
#   scripts/deps.sh --list GOAL      print GOAL's requirements: KIND NAME PACKAGE
#
# GOAL: build (./cutover), demo (build + the demo service), test (demo +
# every suite), screenshots (demo + Xvfb, xterm, ImageMagick).
set -e

# goal  kind  name                       package
# kind: pc = a pkg-config module, tool = a command on PATH, file = a path
# (a shell glob). A goal includes the goals above it in its chain.
table='
build pc   ncursesw                    libncurses-dev
build pc   libcurl                     libcurl4-openssl-dev
build pc   libcjson                    libcjson-dev
build pc   libpq                       libpq-dev
build pc   sqlite3                     libsqlite3-dev
build pc   md4c                        libmd4c-dev
build pc   libcrypto                   libssl-dev
build tool pkg-config                  pkgconf
build tool cc                          gcc
build tool ar                          binutils
demo  pc   libmicrohttpd               libmicrohttpd-dev
test  tool clang                       clang
test  file /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
test  tool cppcheck                    cppcheck
test  tool tmux                        tmux
test  tool sqlite3                     sqlite3
test  tool pgrep                       procps
test  file /usr/bin/time               time
test  tool curl                        curl
test  tool python3                     python3
test  tool node                        nodejs
test  tool npm                         npm
test  tool prometheus                  prometheus
test  tool promtool                    prometheus
test  tool prometheus-node-exporter    prometheus-node-exporter
test  file /usr/lib/postgresql/15/bin/initdb postgresql-15
test  tool psql                        postgresql-client-common
test  tool pgcopydb                    pgcopydb
test  tool ss                          iproute2
test  tool chattr                      e2fsprogs
test  tool runuser                     util-linux
test  tool flock                       util-linux
test  tool timeout                     coreutils
test  tool chromium                    chromium
shots tool Xvfb                        xvfb
shots tool xterm                       xterm
shots file /usr/bin/import             imagemagick
shots file /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf fonts-dejavu-core
shots tool chromium                    chromium
'

mode=install
case "$1" in
  --dry-run) mode=dry; shift ;;
  --list) mode=list; shift ;;
esac
goal=${1:-build}
case "$goal" in
  build) chain="build" ;;
  demo) chain="build demo" ;;
  test) chain="build demo test" ;;
  screenshots) chain="build demo shots" ;;
  *) echo "usage: $0 [--dry-run|--list] build|demo|test|screenshots" >&2; exit 2 ;;
esac

# met KIND NAME: is this requirement met on this machine now?
met() {
  case "$1" in
    pc) pkg-config --exists "$2" 2>/dev/null ;;
    tool) command -v "$2" >/dev/null 2>&1 ;;
    file) for f in $2; do [ -e "$f" ] && return 0; done; return 1 ;;
  esac
}

missing=
reqs=$(printf '%s\n' "$table" | while read -r g kind name pkg; do
  case " $chain " in *" $g "*) echo "$kind $name $pkg" ;; esac
done)
if [ "$mode" = list ]; then printf '%s\n' "$reqs"; exit 0; fi
# (a here-document, not a pipe: the loop must set `missing` in this shell)
while read -r kind name pkg; do
  [ -n "$kind" ] || continue
  met "$kind" "$name" && continue
  case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
done <<EOF
$reqs
EOF
missing=${missing# }

if [ "$mode" = dry ]; then
  [ -n "$missing" ] && echo "$missing"
  exit 0
fi
[ -z "$missing" ] && exit 0

echo "deps: $goal needs: $missing" >&2
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: cannot install here (not root, or no apt-get); install them with: sudo apt-get install -y $missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt (a second make, the machine's own updates) may hold dpkg's
# lock: wait for it rather than fail a newcomer's first command.
lock_wait="-o DPkg::Lock::Timeout=300"
# apt-get update does not wait for the lists' lock (that timeout is
# dpkg's): while another apt-get updates it fails at once, and is tried
# again each second, for as long.
update() {
  tries=0
  while :; do
    # shellcheck disable=SC2086
    if out=$(apt-get $lock_wait update -qq 2>&1); then
      [ -z "$out" ] || echo "$out" >&2
      return 0
    fi
    tries=$((tries + 1))
    case $out in
    *"Could not get lock"*) [ $tries -lt 300 ] || { echo "$out" >&2; return 1; } ;;
    *) echo "$out" >&2; return 1 ;;
    esac
    [ $tries -gt 1 ] || echo "deps: another apt-get holds the package lists' lock; waiting for it" >&2
    sleep 1
  done
}
# shellcheck disable=SC2086
if ! { update && apt-get $lock_wait install -y -qq --no-install-recommends $missing >&2; }; then
  echo "deps: apt-get could not install them (no registry?); install them with: apt-get install -y $missing" >&2
  exit 1
fi
