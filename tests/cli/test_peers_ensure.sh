#!/bin/bash
# test_peers_ensure.sh — tests/peers/ensure.sh, which suites call three at a
# time on a fresh machine: concurrent calls install once (a second `npm ci`
# in the same directory removes the first one's files), later calls see the
# stamp and install nothing, and a failing npm is retried, then reported.
# A fake npm stands in for the registry: it fails if another is running.
. tests/lib.sh
P=$T/peers; mkdir -p "$P" "$T/bin"
cp tests/peers/ensure.sh tests/peers/package-lock.json "$P/"
cat >"$T/bin/npm" <<'S'
#!/bin/bash
echo call >>"$FAKE_NPM_LOG"
[ -n "$FAKE_NPM_FAIL" ] && { echo "npm error network" >&2; exit 1; }
mkdir "$FAKE_NPM_BUSY" 2>/dev/null || { echo "npm error ENOTEMPTY: another npm ci" >&2; exit 1; }
rm -rf node_modules; mkdir node_modules
# long enough that unserialised callers overlap
for i in $(seq 50); do : >"node_modules/f$i"; done; sleep 0.5
rmdir "$FAKE_NPM_BUSY"
S
chmod +x "$T/bin/npm"
export PATH="$T/bin:$PATH" FAKE_NPM_LOG=$T/npm.log FAKE_NPM_BUSY=$T/busy

for i in 1 2 3; do ( "$P/ensure.sh" 2>"$T/err$i"; echo $? >"$T/rc$i" ) & done
wait
check "three concurrent calls all succeed" bash -c "cat '$T'/rc1 '$T'/rc2 '$T'/rc3 | grep -qvx 0 && exit 1 || exit 0"
check "… and npm ran once" bash -c "[ \$(wc -l <'$T/npm.log') -eq 1 ]"
check "… leaving a stamp of the lock file" bash -c "[ \"\$(cat '$P/node_modules/.cutover-stamp')\" = \"\$(sha256sum <'$P/package-lock.json' | cut -d' ' -f1)\" ]"
: >"$T/npm.log"
check "a later call installs nothing" "$P/ensure.sh"
check "… npm was not called" bash -c "[ ! -s '$T/npm.log' ]"
rm -rf "$P/node_modules"
export FAKE_NPM_FAIL=1 ENSURE_RETRY_WAIT=0
check "a registry that keeps failing: exit 1" expect_exit 1 "$P/ensure.sh"
check "… after three tries" bash -c "[ \$(wc -l <'$T/npm.log') -eq 3 ]"
check "… saying so, with npm's own words" bash -c "grep -q 'try 3 of 3' '$T/.last' && grep -q 'npm error network' '$T/.last'"
finish
