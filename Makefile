# Makefile — builds ./cutover, and runs its tests, fuzzers and benchmarks.
#   make             build ./cutover (installs missing Debian packages first)
#   make demo        open the cockpit on runbooks/demo.md with a fresh journal
#   make test        unit tests, the same under ASan+UBSan, fuzzers briefly,
#                    cppcheck, command-line and tmux tests; one summary line
#   make check       the quick loop: unit and command-line tests
#   make bench       the figures the issues ask for, as ratios to baselines
#   make screenshots real screens to PNG in screenshots/
#   make deps        install the Debian packages every goal needs
#   make clean
# Each goal installs what it needs (scripts/deps.sh build|demo|test|
# screenshots) in a rule, before it compiles: never while make reads this
# file, so `make -n`, `make clean` and `make help` install nothing.
# Warnings are errors under `make test` and `make check` (and so in CI);
# a plain `make` only shows them.
.DEFAULT_GOAL := all
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)

PKGS      := ncursesw libcurl libcjson libpq sqlite3 md4c libcrypto
TOOL_PKGS := libmicrohttpd

CC      ?= cc
CSTD    := -std=c11 -D_GNU_SOURCE
WERROR  ?=
WARN     = -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-format-truncation  # snprintf cutting a message short is intended
# pkg-config is asked once, when the first recipe needs it: by then the
# deps rule has run, so a fresh machine has the modules.
once     = $(eval $(1) := $(2))$($(1))
PKG_CFLAGS = $(call once,PKG_CFLAGS,$(shell pkg-config --cflags $(PKGS)))
PKG_LIBS   = $(call once,PKG_LIBS,$(shell pkg-config --libs $(PKGS)) -lpthread -lm)
TOOL_CFLAGS = $(call once,TOOL_CFLAGS,$(shell pkg-config --cflags $(TOOL_PKGS)))
TOOL_LIBS   = $(call once,TOOL_LIBS,$(shell pkg-config --libs $(TOOL_PKGS)))
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -I. -MMD -MP

CORE_SRC   := $(wildcard core/*.c)
PANEL_SRC  := $(wildcard panels/*.c)
TUI_SRC    := $(wildcard tui/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC  := $(wildcard bench/bench_*.c)
TOOL_SRC   := $(wildcard tests/tools/*.c)

B := build
CORE_OBJ   := $(CORE_SRC:%.c=$(B)/obj/%.o)
APP_OBJ    := $(PANEL_SRC:%.c=$(B)/obj/%.o) $(TUI_SRC:%.c=$(B)/obj/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
ASAN_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/asan/%)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
TOOL_BIN   := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)

include demo/Makefile.inc

.PHONY: all test check unit asan fuzz demo bench screenshots deps clean cppcheck help \
        deps-build deps-demo deps-test deps-screenshots peers
all: cutover

# What each goal needs from Debian, checked (and installed) on every run: a
# requirement is a pkg-config module or a command, so asking costs ~50 ms.
deps-build deps-demo deps-test deps-screenshots:
	@scripts/deps.sh $(@:deps-%=%)

cutover: $(APP_OBJ) $(B)/obj/demo_runbook.o $(B)/libcore.a
	$(CC) $(CFLAGS) -o $@ $(APP_OBJ) $(B)/obj/demo_runbook.o $(B)/libcore.a $(PKG_LIBS)

# runbooks/demo.md, built into the binary for `cutover demo`.
$(B)/gen/demo_runbook.c: runbooks/demo.md
	@mkdir -p $(@D)
	@{ echo '/* generated from runbooks/demo.md */'; echo 'const char demo_runbook[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0x00};'; } >$@
$(B)/obj/demo_runbook.o: $(B)/gen/demo_runbook.c
	@mkdir -p $(@D)
	$(CC) -c -o $@ $<

$(B)/obj/%.o: %.c | deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libcore.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Unit tests: each tests/unit/test_X.c is one program against libcore.
$(B)/unit/%: tests/unit/%.c $(B)/libcore.a | deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libcore.a $(PKG_LIBS)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer, and
# the libFuzzer targets: one build of core serves both (clang, with the
# fuzzer's coverage hooks, which a program without libFuzzer never calls),
# so `make test` compiles core twice, not three times. Line tables are
# enough for the sanitizers' stack traces (file:line) and cheaper to make.
SAN_FLAGS  := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
              -fno-omit-frame-pointer -O1 -gline-tables-only
CLANG_WARN  = $(filter-out -Wno-format-truncation,$(WARN))   # gcc's own warning
SAN_CORE_OBJ := $(CORE_SRC:%.c=$(B)/san/obj/%.o)
$(B)/san/obj/%.o: %.c | deps-test
	@mkdir -p $(@D)
	clang $(CSTD) $(CLANG_WARN) $(SAN_FLAGS) $(PKG_CFLAGS) -I. -MMD -MP -c -o $@ $<
$(B)/san/libcore.a: $(SAN_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(B)/asan/%: tests/unit/%.c $(B)/san/libcore.a | deps-test
	@mkdir -p $(@D)
	clang $(CSTD) $(CLANG_WARN) $(SAN_FLAGS) $(PKG_CFLAGS) -I. -MMD -MP -o $@ $< $(B)/san/libcore.a $(PKG_LIBS)
$(B)/fuzz/%: tests/fuzz/%.c $(B)/san/libcore.a | deps-test
	@mkdir -p $(@D)
	clang $(CSTD) -fsanitize=fuzzer,address,undefined -O1 -gline-tables-only $(PKG_CFLAGS) -I. \
	  -o $@ $< $(B)/san/libcore.a $(PKG_LIBS)

$(B)/bench/%: bench/%.c $(B)/libcore.a | deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libcore.a $(PKG_LIBS)

# Small programs the shell suites drive (e.g. parse a real exposition).
# They may serve HTTP with libmicrohttpd (a test's exporter, fault server).
$(B)/tools/%: tests/tools/%.c $(B)/libcore.a | deps-test
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOL_CFLAGS) -o $@ $< $(B)/libcore.a $(PKG_LIBS) $(TOOL_LIBS)

unit: $(UNIT_BIN)
asan: $(ASAN_BIN)
fuzz: $(FUZZ_BIN)

# The test goals build with warnings as errors (a target's variables reach
# everything it builds); the peers' npm packages come from the lock file.
test check: WERROR := -Werror
# The npm install is the first prerequisite, so that make starts it at once
# beside the compiler (it waits on the network, not the CPU) instead of after
# the whole build.
# The unit tests run once, under the sanitizers (asan); `make check` runs
# them plain. SUITES_BUILT: every program a suite runs is among the
# prerequisites, so the suites' own makes of them (tests/lib.sh's need)
# are skipped.
test: peers cutover $(B)/ordersim $(ASAN_BIN) $(FUZZ_BIN) $(TOOL_BIN) | deps-test
	@SUITES_BUILT=1 tests/run.sh asan fuzz cppcheck cli integration tui
peers: | deps-test
	@tests/peers/ensure.sh

# Under 90 s: the edit-test loop.
check: cutover $(UNIT_BIN) $(TOOL_BIN) | deps-build
	@tests/run.sh unit cli

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --std=c11 --inline-suppr --suppress=missingIncludeSystem -I. core panels tui demo

demo: cutover $(B)/ordersim | deps-demo
	@./cutover demo

# bench_abort takes its flag service as an argument: abort_latency.sh runs it
bench: $(BENCH_BIN) cutover
	@for b in $(filter-out %/bench_abort,$(BENCH_BIN)); do $$b || exit 1; done
	@for b in bench/*.sh; do bash $$b || exit 1; done

screenshots: cutover $(B)/ordersim | deps-screenshots
	@scripts/screenshots.sh

deps: deps-test deps-screenshots

help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' Makefile

clean:
	rm -rf $(B) cutover

-include $(shell find $(B) -name '*.d' 2>/dev/null)
