#!/bin/bash
# abort_latency.sh — runs bench_abort on a flagd file and on an HTTP flag
# service on loopback (tests/peers/http_flag_service.mjs).
cd "$(dirname "$0")/.." || exit 1
make -s build/bench/bench_abort >/dev/null || exit 1
build/bench/bench_abort flagd || exit 1
tests/peers/ensure.sh || exit 1
T=$(mktemp -d)
node tests/peers/http_flag_service.mjs >"$T/svc.out" 2>/dev/null &
svc=$!
trap 'kill $svc 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do grep -q port "$T/svc.out" && break; sleep 0.05; done
build/bench/bench_abort http "http://127.0.0.1:$(sed -n 's/^port //p' "$T/svc.out")/flags/orders"
