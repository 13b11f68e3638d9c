#!/bin/sh
# run-one.sh FUZZER — runs one libFuzzer target for a bounded time on a copy
# of its seed corpus (tests/fuzz/corpus/NAME/). FUZZ_SECONDS overrides the
# time (default 6 s). Exit 0 when no crash, leak or timeout was found.
set -e
bin=$1 name=$(basename "$1")
seeds=tests/fuzz/corpus/$name
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
mkdir -p build/fuzz/crashes
"$bin" -max_total_time="${FUZZ_SECONDS:-6}" -timeout=5 -rss_limit_mb=1024 \
  -artifact_prefix=build/fuzz/crashes/"$name"- \
  -max_len=65536 -print_final_stats=1 "$work"
