#!/bin/bash
# test_deps.sh — scripts/deps.sh cannot drift from what the build uses:
# every pkg-config module the Makefiles name is a requirement of the goal
# that builds with it, every requirement is provided by the package it
# names (asked of dpkg), every command the suites run comes from a package
# the test goal installs (or from Debian's base), and a machine missing any
# one module is told to install exactly its package.
. tests/lib.sh
DEPS=$ROOT/scripts/deps.sh

# The goal a Makefile variable's modules belong to.
makefile_modules() {  # VAR FILE: the words of `VAR := ...` in FILE
  sed -n "s/^$1 *:= *//p" "$2" | head -1
}
list() { sh "$DEPS" --list "$1" | awk -v k="$2" '$1 == k {print $2}'; }
package_of() { sh "$DEPS" --list "$1" | awk -v n="$2" '$2 == n {print $3}'; }

# --- every module the Makefiles use is a requirement of its goal -------------
declared_in() {  # GOAL MODULE
  list "$1" pc | grep -qx -- "$2" || { echo "$2 is used by the $1 build but not in deps.sh's $1 list"; return 1; }
}
for m in $(makefile_modules PKGS Makefile); do check "build needs pc $m" declared_in build "$m"; done
for m in $(makefile_modules DEMO_PKGS demo/Makefile.inc); do check "demo needs pc $m" declared_in demo "$m"; done
for m in $(makefile_modules TOOL_PKGS Makefile); do check "test needs pc $m" declared_in test "$m"; done
# No module named outside those variables: a literal `pkg-config … NAME` in
# a recipe would escape the check above.
literal_modules() {
  local out
  out=$(grep -hv '^[[:space:]]*#' Makefile demo/Makefile.inc | grep -oE 'pkg-config[^)]*' | tr ' ' '\n' \
        | grep -vE '^(pkg-config|--.*|\$.*|2>.*|)$' | sort -u)
  [ -z "$out" ] || { echo "pkg-config modules named literally (put them in PKGS, DEMO_PKGS or TOOL_PKGS): $out"; return 1; }
}
check "the Makefiles name pkg-config modules only through PKGS, DEMO_PKGS, TOOL_PKGS" literal_modules

# --- one module hidden at a time: deps.sh names its package ------------------
mkdir -p "$T/hide"
hide_module() {  # GOAL MODULE PACKAGE
  cat >"$T/hide/pkg-config" <<EOF
#!/bin/sh
for a in "\$@"; do [ "\$a" = "$2" ] && exit 1; done
exec /usr/bin/pkg-config "\$@"
EOF
  chmod +x "$T/hide/pkg-config"
  local out
  out=$(PATH="$T/hide:$PATH" sh "$DEPS" --dry-run "$1") || return 1
  echo " $out " | grep -q " $3 " || { echo "hiding $2: deps.sh --dry-run $1 said '$out', wanted $3"; return 1; }
}
for goal in build demo; do
  for m in $(list $goal pc); do
    check "$goal: without $m, deps.sh asks for $(package_of $goal $m)" \
      hide_module $goal "$m" "$(package_of $goal "$m")"
  done
done
check "a goal's list includes the goals below it" \
  bash -c "sh '$DEPS' --list test | grep -q '^pc ncursesw ' && sh '$DEPS' --list test | grep -q '^pc libmicrohttpd '"
check "nothing is missing for the test goal on this machine (make test installed it)" \
  bash -c "[ -z \"\$(sh '$DEPS' --dry-run test)\" ]"

# --- not root: one clear line naming the packages ----------------------------
not_root_line() {
  cp "$DEPS" "$T/deps.sh"; chmod 755 "$T" "$T/deps.sh" "$T/hide" "$T/hide/pkg-config"
  cat >"$T/hide/pkg-config" <<'EOF'
#!/bin/sh
for a in "$@"; do [ "$a" = libmicrohttpd ] && exit 1; done
exec /usr/bin/pkg-config "$@"
EOF
  local out rc
  out=$(runuser -u nobody -- env PATH="$T/hide:$PATH" sh "$T/deps.sh" demo 2>&1); rc=$?
  [ $rc -eq 1 ] || { echo "exit $rc, wanted 1: $out"; return 1; }
  echo "$out" | grep -q 'install them with: sudo apt-get install -y libmicrohttpd-dev$' \
    || { echo "no clear line: $out"; return 1; }
}
check "not root: exit 1 and the apt-get line to run" not_root_line

# --- another apt-get holding the lists' lock is waited for ---------------------
# apt-get update fails at once while another apt-get updates (a second
# make on a fresh machine, the machine's own timer): deps.sh tries again.
# A stand-in apt-get refuses update once as the real one does, then works.
lists_lock_waited() {
  mkdir -p "$T/apt"
  cat >"$T/apt/pkg-config" <<'EOF2'
#!/bin/sh
for a in "$@"; do [ "$a" = libmicrohttpd ] && exit 1; done
exec /usr/bin/pkg-config "$@"
EOF2
  cat >"$T/apt/apt-get" <<EOF2
#!/bin/sh
case " \$* " in
*" update "*)
  n=\$(cat "$T/apt/updates" 2>/dev/null || echo 0); echo \$((n + 1)) >"$T/apt/updates"
  if [ "\$n" -lt 1 ]; then
    echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1980 (apt-get)" >&2
    exit 100
  fi ;;
*" install "*) echo "\$*" >"$T/apt/installed" ;;
esac
exit 0
EOF2
  chmod +x "$T/apt/pkg-config" "$T/apt/apt-get"
  local out rc
  out=$(PATH="$T/apt:$PATH" sh "$DEPS" demo 2>&1); rc=$?
  [ $rc -eq 0 ] || { echo "exit $rc, wanted 0: $out"; return 1; }
  grep -q libmicrohttpd-dev "$T/apt/installed" || { echo "nothing installed: $out"; return 1; }
  echo "$out" | grep -q "waiting for it" || { echo "the wait is not said: $out"; return 1; }
}
check "apt-get update refused for another's lock: deps.sh waits and installs" lists_lock_waited

# --- each requirement comes from the package it names ------------------------
# dpkg -S is slow (~0.3 s a call, and worse with many paths), so the file
# lists dpkg keeps (/var/lib/dpkg/info/PKG.list) are read once with awk for
# every path asked: owner_map[PATH] = the packages that own it.
declare -A owner_map
# aliases PATH: PATH, its /bin or /sbin twin under usrmerge, and the file a
# symlink resolves to — dpkg knows a file by one of them.
aliases() {
  echo "$1"; echo "${1/#\/usr\/bin/\/bin}"; echo "${1/#\/usr\/sbin/\/sbin}"; readlink -f "$1"
}
ask_dpkg() {  # PATH...: fills owner_map for them
  local pkg path
  while read -r pkg path; do
    owner_map[$path]="${owner_map[$path]} $pkg"
  done < <(for p in "$@"; do aliases "$p"; done | sort -u | awk '
    NR == FNR { want[$0] = 1; next }
    FNR == 1 { pkg = FILENAME; sub(/.*\//, "", pkg); sub(/\.list$/, "", pkg); sub(/:.*/, "", pkg) }
    $0 in want { print pkg, $0 }' - /var/lib/dpkg/info/*.list)
}
owners() {  # PATH: the packages that own it (words; one fork)
  local r; r=$(readlink -f "$1")
  echo ${owner_map[$1]} ${owner_map[${1/#\/usr\/bin/\/bin}]} ${owner_map[${1/#\/usr\/sbin/\/sbin}]} ${owner_map[$r]}
}
# depends_of PKG: the packages PKG depends on, installed or not (from
# deps_map, filled for every declared package by two calls: dpkg's status
# for the installed ones, apt's lists for the rest).
declare -A deps_map
ask_depends() {  # PKG...
  local line pkg=
  while IFS= read -r line; do
    case $line in
      "Package: "*) pkg=${line#Package: } ;;
      "Depends: "*|"Pre-Depends: "*)
        deps_map[$pkg]="${deps_map[$pkg]}, ${line#*: }" ;;
    esac
  done < <(dpkg-query -W -f='Package: ${Package}\nPre-Depends: ${Pre-Depends}\nDepends: ${Depends}\n' "$@" 2>/dev/null
           apt-cache show "$@" 2>/dev/null)
}
depends_of() {
  echo "${deps_map[$1]}" | tr ',|' '\n\n' | sed 's/^ *//; s/[ :].*//' | grep -v '^$' | sort -u
}
# provided_by PKG PATH: PATH is owned by PKG or by a package PKG depends on.
provided_by() {
  local pkg=$1 path=$2 deps o
  deps=$(depends_of "$pkg")
  for o in $(owners "$path"); do
    [ "$o" = "$pkg" ] && return 0
    echo "$deps" | grep -qx -- "$o" && return 0
  done
  echo "$path is owned by '$(owners "$path")', not by $pkg or its dependencies"; return 1
}
pc_path() { echo "$(pkg-config --variable=pcfiledir "$1")/$1.pc"; }
req_path() {  # KIND NAME: where this machine meets the requirement
  case $1 in
    pc) pkg-config --exists "$2" && pc_path "$2" ;;
    tool) PATH=/usr/bin:/usr/sbin:/bin:/sbin command -v "$2" ;;
    file) ls -d $2 2>/dev/null | head -1 ;;
  esac
}
reqs=$(sh "$DEPS" --list test; sh "$DEPS" --list screenshots | grep -vxFf <(sh "$DEPS" --list test))
paths=()
while read -r kind name pkg; do p=$(req_path "$kind" "$name") && paths+=("$p"); done <<<"$reqs"

# --- every command the suites and Makefiles run is installed by deps.sh ------
# Words of the scripts (comments dropped) that are commands in Debian's
# directories; each must come from an essential or required package, or
# from a package the test goal names (or its dependencies). `make` runs
# before deps.sh can, so it is the one command a newcomer brings.
# Common English words and HTTP methods that happen to be commands in prose
# and messages (libwww-perl installs GET and POST, xdg-utils open):
not_commands='column file look halt red route dir idle w watch write as scalar pc less more open GET POST HEAD java go ruby'
words=$(cat Makefile demo/Makefile.inc tests/*.sh tests/*/*.sh scripts/*.sh bench/*.sh \
             tests/fuzz/run-one.sh tests/peers/ensure.sh .ci/run 2>/dev/null \
        | grep -v '^[[:space:]]*#' | grep -oE '[A-Za-z][A-Za-z0-9_.+-]*' | sort -u)
# every command in Debian's directories, by name (one listing, no forks)
declare -A exe
for d in /usr/lib/postgresql/15/bin /sbin /bin /usr/sbin /usr/bin; do
  for f in "$d"/*; do [ -x "$f" ] && exe[${f##*/}]=$f; done
done
cmd_words=() cmd_paths=()
for w in $words; do
  case " $not_commands make " in *" $w "*) continue ;; esac
  [ -n "${exe[$w]}" ] && { cmd_words+=("$w"); cmd_paths+=("${exe[$w]}"); }
done
ask_dpkg "${paths[@]}" "${cmd_paths[@]}"
ask_depends $(awk '{print $3}' <<<"$reqs" | sort -u)

while read -r kind name pkg; do
  path=$(req_path "$kind" "$name")
  if [ -z "$path" ]; then
    # only the screenshots' extras may be absent: make test does not install them
    sh "$DEPS" --list test | grep -q "^$kind $name " && check "$kind $name is on this machine" false
    continue
  fi
  check "$kind $name comes from $pkg" provided_by "$pkg" "$path"
done <<<"$reqs"

# the packages every Debian system has: essential or of required priority
declare -A base
while read -r pkg ess pri; do
  [ "$ess" = yes ] || [ "$pri" = required ] && base[$pkg]=1
done < <(dpkg-query -W -f='${Package} ${Essential} ${Priority}\n')
declare -A declared
for p in $(awk '{print $3}' <<<"$reqs" | sort -u); do
  declared[$p]=1; for d in $(depends_of "$p"); do declared[$d]=1; done
done
uncovered=
for i in "${!cmd_words[@]}"; do
  ok=
  for o in $(owners "${cmd_paths[$i]}"); do
    [ -n "${base[$o]}${declared[$o]}" ] && ok=1
  done
  [ -n "$ok" ] || uncovered="$uncovered ${cmd_words[$i]}($(owners "${cmd_paths[$i]}"))"
done
check "every command the suites use comes from base or a package deps.sh installs" \
  bash -c "[ -z '$uncovered' ] || { echo 'not installed by deps.sh:$uncovered'; exit 1; }"

finish
