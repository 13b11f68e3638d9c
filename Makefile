# Makefile — builds ./cutover, and runs its tests, fuzzers and benchmarks.
#   make             build ./cutover (installs missing Debian packages first)
#   make test        unit tests, the same under ASan+UBSan, fuzzers briefly,
#                    cppcheck, command-line and tmux tests; one summary line
#   make demo        open the cockpit on runbooks/demo.md with a fresh journal
#   make bench       the figures the issues ask for, as ratios to baselines
#   make screenshots real screens to PNG in screenshots/
#   make deps        install the Debian packages (apt-get) that are missing
#   make clean

PKGS    := ncursesw libcurl libcjson libpq sqlite3 md4c libcrypto
MAKECMDGOALS ?=

# On a fresh machine, install what is missing before asking pkg-config.
ifeq ($(filter clean deps,$(MAKECMDGOALS)),)
  ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo ok),ok)
    $(info deps: some libraries are missing; installing them)
    DEPS_RC := $(shell scripts/deps.sh build >&2; echo $$?)
    ifneq ($(DEPS_RC),0)
      $(error scripts/deps.sh failed; see above)
    endif
  endif
endif

CC      ?= cc
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-format-truncation  # snprintf cutting a message short is intended
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
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
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g

include demo/Makefile.inc

.PHONY: all test unit asan fuzz demo bench screenshots deps clean cppcheck
all: cutover $(B)/ordersim

cutover: $(APP_OBJ) $(B)/obj/demo_runbook.o $(B)/libcore.a
	$(CC) $(CFLAGS) -o $@ $(APP_OBJ) $(B)/obj/demo_runbook.o $(B)/libcore.a $(PKG_LIBS)

# runbooks/demo.md, built into the binary for `cutover demo`.
$(B)/gen/demo_runbook.c: runbooks/demo.md
	@mkdir -p $(@D)
	@{ echo '/* generated from runbooks/demo.md */'; echo 'const char demo_runbook[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0x00};'; } >$@
$(B)/obj/demo_runbook.o: $(B)/gen/demo_runbook.c
	$(CC) -c -o $@ $<

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libcore.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Unit tests: each tests/unit/test_X.c is one program against libcore.
$(B)/unit/%: tests/unit/%.c $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libcore.a $(PKG_LIBS)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
ASAN_CORE_OBJ := $(CORE_SRC:%.c=$(B)/asan/obj/%.o)
$(B)/asan/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(ASAN_FLAGS) $(PKG_CFLAGS) -I. -MMD -MP -c -o $@ $<
$(B)/asan/libcore.a: $(ASAN_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(B)/asan/%: tests/unit/%.c $(B)/asan/libcore.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(ASAN_FLAGS) $(PKG_CFLAGS) -I. -o $@ $< $(B)/asan/libcore.a $(PKG_LIBS)

# libFuzzer targets (clang): core built with coverage instrumentation.
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -g -O1
FUZZ_CORE_OBJ := $(CORE_SRC:%.c=$(B)/fuzz/obj/%.o)
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(CSTD) $(FUZZ_FLAGS) $(PKG_CFLAGS) -I. -c -o $@ $<
$(B)/fuzz/libcore.a: $(FUZZ_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(B)/fuzz/%: tests/fuzz/%.c $(B)/fuzz/libcore.a
	@mkdir -p $(@D)
	clang $(CSTD) -fsanitize=fuzzer,address,undefined -g -O1 $(PKG_CFLAGS) -I. -o $@ $< $(B)/fuzz/libcore.a $(PKG_LIBS)

$(B)/bench/%: bench/%.c $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libcore.a $(PKG_LIBS)

# Small programs the shell suites drive (e.g. parse a real exposition).
# They may serve HTTP with libmicrohttpd (a test's exporter, fault server).
$(B)/tools/%: tests/tools/%.c $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags libmicrohttpd) -o $@ $< $(B)/libcore.a \
	  $(PKG_LIBS) $(shell pkg-config --libs libmicrohttpd)

unit: $(UNIT_BIN)
asan: $(ASAN_BIN)
fuzz: $(FUZZ_BIN)

test: deps-test cutover $(B)/ordersim $(UNIT_BIN) $(ASAN_BIN) $(FUZZ_BIN) $(TOOL_BIN)
	@tests/run.sh

deps-test:
	@scripts/deps.sh test

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --std=c11 --inline-suppr --suppress=missingIncludeSystem -I. core panels tui demo

demo: cutover $(B)/ordersim
	@./cutover demo

# bench_abort takes its flag service as an argument: abort_latency.sh runs it
bench: $(BENCH_BIN) cutover
	@for b in $(filter-out %/bench_abort,$(BENCH_BIN)); do $$b || exit 1; done
	@for b in bench/*.sh; do bash $$b || exit 1; done

screenshots: cutover
	@scripts/deps.sh screenshots
	@scripts/screenshots.sh

deps:
	@scripts/deps.sh test

clean:
	rm -rf $(B) cutover

-include $(shell find $(B) -name '*.d' 2>/dev/null)
