# meaculpa - plain Makefile.  `make demo` builds and scores a sample,
# `make check` runs every test; both install missing Debian packages
# first when run as root.  BUILD=dir builds out of tree.

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
STD      = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -pedantic
PKGS     = libpcre2-8 libutf8proc jansson
# The command alone also needs cmark (Markdown) and inih (.meaculpa.ini).
CLI_PKGS = libcmark inih
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(CLI_PKGS))
# -pthread: rules.c compiles on first use under a lock (threads share rules)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -pthread
CLI_LIBS   = $(shell pkg-config --libs $(CLI_PKGS)) -pthread
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)
CPPFLAGS_ALL = -Iinclude -Isrc -I$(BUILD) $(PKG_CFLAGS) $(CPPFLAGS)
SAN      =

LIB_SRC  = src/normalize.c src/lang.c src/rules.c src/prefilter.c \
           src/match.c src/score.c src/report.c
LIB_CORE = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/default_rules.o
LIB_OBJ  = $(LIB_CORE) $(BUILD)/obj/default_prefilter.o
CLI_SRC  = src/cli.c src/cli_walk.c src/cli_config.c src/cli_kinds.c \
           src/cli_markdown.c src/cli_zendesk.c src/cli_jobs.c src/cli_output.c
CLI_OBJ  = $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
RULES    = $(sort $(wildcard rules/*.rules))
TESTS    = $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))
TEST_BIN = $(TESTS:%=$(BUILD)/tests/%)
# Fuzzing (tests/fuzz): one libFuzzer harness per entry point; under
# `make test` a plain main() replays their seed corpora with $(CC).
FUZZERS  = normalize rules score jsonl config
FUZZ_REPLAY = $(FUZZERS:%=$(BUILD)/fuzz-replay/fuzz_%)
FUZZ_SECONDS ?= 60
FUZZ_CI_SECONDS ?= 20
ASAN_SAN = -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=all
# The shared dev sets, then our own labeled texts (tests/corpus/).
CORPUS  ?= ../shared/corpus/dev.jsonl ../shared/corpus/dev-traps.jsonl \
           ../shared/corpus/real-macros.jsonl $(sort $(wildcard tests/corpus/*.jsonl)) \
           $(sort $(wildcard tests/corpus/blind/*.jsonl))

.PHONY: all demo deps check test rules-check eval asan valgrind install \
        valgrind-cli fuzz fuzz-ci fuzz-build fuzz-bins \
        uninstall clean help bench no-limits
all: $(BUILD)/meaculpa $(BUILD)/libmeaculpa.a $(BUILD)/libmeaculpa.so \
     $(BUILD)/mc-eval

help:
	@echo "make demo      build and score the sample texts"
	@echo "make check     unit tests, rules self-test, CLI tests, fuzz corpora;"
	@echo "               again under ASan + UBSan; the CLI under valgrind"
	@echo "make eval      accuracy on CORPUS (default: the dev sets and tests/corpus)"
	@echo "make asan      make test under AddressSanitizer + UBSan"
	@echo "make valgrind  unit tests and the CLI under valgrind memcheck"
	@echo "make fuzz      each libFuzzer harness FUZZ_SECONDS=$(FUZZ_SECONDS) s (clang)"
	@echo "make fuzz-ci   the same, FUZZ_CI_SECONDS=$(FUZZ_CI_SECONDS) s each"
	@echo "make install   PREFIX=$(PREFIX) DESTDIR=..."
	@echo "make bench     time a generated corpus against pcre2grep and rg -P"
	@echo "make no-limits score 10,000 generated macros: no rule may hit a match limit"

deps:
	@sh src/tools/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@for f in tests/samples/*.txt; do \
	  $(BUILD)/meaculpa "$$f"; rc=$$?; [ $$rc -le 1 ] || exit $$rc; done

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj
	$(CC) $(STD) $(CFLAGS) $(SAN) -fPIC -fvisibility=hidden $(CPPFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/obj/default_rules.o: $(BUILD)/default_rules.c
	$(CC) $(STD) $(CFLAGS) $(SAN) -fPIC -fvisibility=hidden -c $< -o $@

$(BUILD)/default_rules.c: $(BUILD)/embed $(RULES)
	$(BUILD)/embed $@ $(RULES)

$(BUILD)/embed: src/tools/embed.c | $(BUILD)/obj
	$(CC) $(STD) -O1 $< -o $@

# The prefilters of the built-in rules, made now rather than at first use
# (src/tools/pfsnap.c runs the library with an empty snapshot).
$(BUILD)/obj/default_prefilter.o: $(BUILD)/default_prefilter.c
	$(CC) $(STD) $(CFLAGS) $(SAN) -fPIC -fvisibility=hidden $(CPPFLAGS_ALL) -c $< -o $@

$(BUILD)/default_prefilter.c: $(BUILD)/pfsnap
	$(BUILD)/pfsnap $@

$(BUILD)/pfsnap: $(BUILD)/obj/tools/pfsnap.o $(BUILD)/obj/tools/pfsnap_none.o \
                 $(LIB_CORE)
	$(CC) $(SAN) $^ $(PKG_LIBS) $(LDFLAGS) -o $@

$(BUILD)/libmeaculpa.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libmeaculpa.so: $(LIB_OBJ)
	$(CC) -shared $(SAN) $^ $(PKG_LIBS) $(LDFLAGS) -o $@

$(BUILD)/meaculpa: $(CLI_OBJ) $(BUILD)/libmeaculpa.a
	$(CC) $(SAN) $^ $(PKG_LIBS) $(CLI_LIBS) $(LDFLAGS) -o $@

$(BUILD)/mc-eval: $(BUILD)/obj/tools/eval.o $(BUILD)/libmeaculpa.a
	$(CC) $(SAN) $^ $(PKG_LIBS) $(LDFLAGS) -o $@

$(BUILD)/obj/tools/%.o: src/tools/%.c | $(BUILD)/obj
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(SAN) $(CPPFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libmeaculpa.a | $(BUILD)/obj
	@mkdir -p $(BUILD)/tests
	$(CC) $(STD) $(CFLAGS) $(SAN) $(CPPFLAGS_ALL) $< $(BUILD)/libmeaculpa.a \
	  $(PKG_LIBS) $(CMOCKA_LIBS) $(TEST_LIBS) $(LDFLAGS) -o $@

# test_lint parses the JUnit output back with expat.
$(BUILD)/tests/test_lint: TEST_LIBS = $(shell pkg-config --libs expat)

$(BUILD)/obj:
	@mkdir -p $@

$(BUILD)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c \
                             tests/fuzz/fuzz.h $(BUILD)/libmeaculpa.a
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(SAN) $(CPPFLAGS_ALL) $< tests/fuzz/replay.c \
	  $(BUILD)/libmeaculpa.a $(PKG_LIBS) $(LDFLAGS) -o $@

# The config loader lives in the command: its harness links the CLI's
# objects but main().
FUZZ_CLI_OBJ = $(filter-out $(BUILD)/obj/cli.o,$(CLI_OBJ))
$(BUILD)/fuzz-replay/fuzz_config: tests/fuzz/fuzz_config.c tests/fuzz/replay.c \
                  tests/fuzz/fuzz.h $(FUZZ_CLI_OBJ) $(BUILD)/libmeaculpa.a
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(SAN) $(CPPFLAGS_ALL) $< tests/fuzz/replay.c \
	  $(FUZZ_CLI_OBJ) $(BUILD)/libmeaculpa.a $(PKG_LIBS) $(CLI_LIBS) \
	  $(LDFLAGS) -o $@

# The tests, the generated macros (no limit hit), then the tests once more
# under ASan + UBSan, then the command under
# valgrind as the CLI tests run it (`make valgrind` adds the unit tests:
# minutes more, and ASan covers them).
check: deps
	@sh src/tools/deps.sh valgrind
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory no-limits
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory valgrind-cli

test: all $(TEST_BIN) $(FUZZ_REPLAY)
	@set -e; for t in $(TEST_BIN); do \
	  echo "== $$t"; MC_BIN=$(BUILD)/meaculpa $$t; done
	@set -e; for f in $(FUZZERS); do echo "== fuzz corpus $$f"; \
	  $(BUILD)/fuzz-replay/fuzz_$$f tests/fuzz/corpus/$$f; done
	@echo "== rules self-test"; $(BUILD)/meaculpa --check-rules rules
	@echo "== all tests passed"

# The 10,000 generated macros of the benchmark score with no rule left out
# at a match limit (exit 0, nothing on stderr): a rule that backtracks too
# much on an ordinary long e-mail is a bug, found here and not by a user.
no-limits: $(BUILD)/meaculpa
	@mkdir -p $(BUILD)/no-limits
	@$(CC) $(STD) -O2 bench/gen.c -o $(BUILD)/no-limits/gen
	@rm -rf $(BUILD)/no-limits/corpus
	@$(BUILD)/no-limits/gen -n 10000 $(BUILD)/no-limits/corpus
	@echo "== 10,000 generated macros (a directory of text, Markdown and HTML), no limit hit"
	@$(BUILD)/meaculpa --no-config -j 2 --format jsonl \
	  $(BUILD)/no-limits/corpus/dir >/dev/null \
	  2>$(BUILD)/no-limits/stderr || { cat $(BUILD)/no-limits/stderr; exit 1; }
	@if [ -s $(BUILD)/no-limits/stderr ]; then \
	  cat $(BUILD)/no-limits/stderr; exit 1; fi

eval: $(BUILD)/mc-eval
	@$(BUILD)/mc-eval $(EVAL_FLAGS) $(CORPUS)

# Reports go to $(BUILD)/asan/logs as well (a CLI run's stderr is
# captured by test_cli, and an exit code the test expects could hide
# one): any file there fails the target.
ASAN_LOGS = $(abspath $(BUILD))/asan/logs
asan:
	@rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	@ASAN_OPTIONS="log_path=$(ASAN_LOGS)/asan:exitcode=86:detect_leaks=1" \
	  UBSAN_OPTIONS="log_path=$(ASAN_LOGS)/ubsan:print_stacktrace=1" \
	  $(MAKE) --no-print-directory test BUILD=$(BUILD)/asan CFLAGS="-O1 -g" \
	  SAN="$(ASAN_SAN)"
	@if ls $(ASAN_LOGS)/* >/dev/null 2>&1; then cat $(ASAN_LOGS)/*; exit 1; fi
	@echo "== asan + ubsan clean"

# Every test binary under memcheck; then the tests that run the command
# ($$MC_BIN) once more with MC_BIN a wrapper that runs each meaculpa they
# start under memcheck too.  Any error or leak fails (exit 99; the log is
# printed).  The interpreter is used (MEACULPA_NO_JIT=1): memcheck cannot
# follow PCRE2's JIT code and reports false errors in it.
VG      = MEACULPA_NO_JIT=1 valgrind -q --error-exitcode=99 --leak-check=full \
          --errors-for-leak-kinds=definite,indirect,possible
VG_DIR  = $(BUILD)/valgrind
CLI_TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,\
              $(shell grep -l MC_BIN tests/test_*.c))
valgrind: all $(TEST_BIN)
	@rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)
	@set -e; for t in $(TEST_BIN); do echo "== valgrind $$t"; \
	  MC_BIN=$(BUILD)/meaculpa $(VG) $$t >$(VG_DIR)/out.txt 2>&1 || \
	  { cat $(VG_DIR)/out.txt; exit 1; }; done
	@$(MAKE) --no-print-directory valgrind-cli
	@echo "== valgrind clean"

valgrind-cli: all $(CLI_TESTS)
	@mkdir -p $(VG_DIR)/logs && rm -f $(VG_DIR)/logs/*
	@printf '#!/bin/sh\nexec env %s --log-file=%s/logs/%%p.log %s "$$@"\n' \
	  "$(VG)" "$(abspath $(VG_DIR))" "$(abspath $(BUILD)/meaculpa)" \
	  >$(VG_DIR)/meaculpa && chmod +x $(VG_DIR)/meaculpa
	@set -e; for t in $(CLI_TESTS); do \
	  echo "== valgrind: $$t, meaculpa under memcheck"; \
	  MC_BIN=$(VG_DIR)/meaculpa $$t >$(VG_DIR)/out.txt 2>&1 || \
	  { cat $(VG_DIR)/out.txt; cat $(VG_DIR)/logs/*; exit 1; }; done
	@if [ -n "$$(cat $(VG_DIR)/logs/* 2>/dev/null)" ]; then \
	  cat $(VG_DIR)/logs/*; exit 1; fi
	@echo "== valgrind: $$(ls $(VG_DIR)/logs | wc -l) meaculpa runs clean"

# libFuzzer (clang): the library built once more with the fuzzer hooks and
# ASan + UBSan under $(BUILD)/fuzz; new inputs go to $(BUILD)/fuzz/corpus,
# crashes to $(BUILD)/fuzz/crashes.  A crash fails the target.
FUZZ_BUILD = $(BUILD)/fuzz
FUZZ_FLAGS = -timeout=30 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1
fuzz-build:
	@sh src/tools/deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory fuzz-bins BUILD=$(FUZZ_BUILD) CC=clang \
	  CFLAGS="-O1 -g" SAN="-fsanitize=fuzzer-no-link $(ASAN_SAN)"

fuzz-bins: $(FUZZERS:%=$(BUILD)/fuzzers/fuzz_%)

$(BUILD)/fuzzers/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h \
                         $(BUILD)/libmeaculpa.a
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(SAN) -fsanitize=fuzzer $(CPPFLAGS_ALL) $< \
	  $(BUILD)/libmeaculpa.a $(PKG_LIBS) $(LDFLAGS) -o $@

$(BUILD)/fuzzers/fuzz_config: tests/fuzz/fuzz_config.c tests/fuzz/fuzz.h \
                              $(FUZZ_CLI_OBJ) $(BUILD)/libmeaculpa.a
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(SAN) -fsanitize=fuzzer $(CPPFLAGS_ALL) $< \
	  $(FUZZ_CLI_OBJ) $(BUILD)/libmeaculpa.a $(PKG_LIBS) $(CLI_LIBS) \
	  $(LDFLAGS) -o $@

fuzz: fuzz-build
	@set -e; for f in $(FUZZERS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$f $(FUZZ_BUILD)/crashes; \
	  echo "== fuzz $$f for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/fuzzers/fuzz_$$f $(FUZZ_FLAGS) \
	    -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/$$f.dict \
	    -artifact_prefix=$(FUZZ_BUILD)/crashes/$$f- \
	    $(FUZZ_BUILD)/corpus/$$f tests/fuzz/corpus/$$f \
	    >$(FUZZ_BUILD)/$$f.log 2>&1 || { tail -60 $(FUZZ_BUILD)/$$f.log; \
	    echo "fuzz $$f: crash input in $(FUZZ_BUILD)/crashes/"; exit 1; }; \
	  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units)' \
	    $(FUZZ_BUILD)/$$f.log | tail -1; done

fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_CI_SECONDS)

# The pkg-config file names the prefix it is installed under.
$(BUILD)/meaculpa.pc: src/meaculpa.pc.in include/meaculpa.h | $(BUILD)/obj
	sed -e 's|@PREFIX@|$(PREFIX)|' -e "s|@VERSION@|$$(sed -n \
	  's/^#define MC_VERSION \"\(.*\)\"/\1/p' include/meaculpa.h)|" $< >$@

install: all $(BUILD)/meaculpa.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	  $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/meaculpa $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libmeaculpa.a $(BUILD)/libmeaculpa.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/meaculpa.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/meaculpa.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 644 docs/meaculpa.1 $(DESTDIR)$(PREFIX)/share/man/man1/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/meaculpa $(DESTDIR)$(PREFIX)/lib/libmeaculpa.a \
	  $(DESTDIR)$(PREFIX)/lib/libmeaculpa.so $(DESTDIR)$(PREFIX)/include/meaculpa.h \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/meaculpa.pc \
	  $(DESTDIR)$(PREFIX)/share/man/man1/meaculpa.1

# The benchmark (bench/run.sh): an optimised build of its own, the corpus
# and the timings under $(BUILD)/bench, the table in bench/results.md.
BENCH = $(BUILD)/bench
bench:
	@sh src/tools/deps.sh hyperfine ripgrep pcre2-utils time
	@$(MAKE) --no-print-directory $(BENCH)/build/meaculpa BUILD=$(BENCH)/build \
	  CFLAGS="-O2 -g" SAN=
	$(CC) $(STD) -O2 bench/gen.c -o $(BENCH)/gen
	sh bench/run.sh $(BENCH)/build/meaculpa $(BENCH)/gen $(BENCH) bench/results.md

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/tools/*.d)
