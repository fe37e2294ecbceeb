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
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)
CPPFLAGS_ALL = -Iinclude -Isrc -I$(BUILD) $(PKG_CFLAGS) $(CPPFLAGS)
SAN      =

LIB_SRC  = src/normalize.c src/lang.c src/rules.c src/match.c src/score.c \
           src/report.c
LIB_OBJ  = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/default_rules.o
RULES    = $(sort $(wildcard rules/*.rules))
TESTS    = $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))
TEST_BIN = $(TESTS:%=$(BUILD)/tests/%)
CORPUS  ?= ../shared/corpus/dev.jsonl ../shared/corpus/dev-traps.jsonl \
           ../shared/corpus/real-macros.jsonl

.PHONY: all demo deps check test rules-check eval asan valgrind install \
        uninstall clean help bench
all: $(BUILD)/meaculpa $(BUILD)/libmeaculpa.a $(BUILD)/libmeaculpa.so \
     $(BUILD)/mc-eval

help:
	@echo "make demo      build and score the sample texts"
	@echo "make check     unit tests, rules self-test, CLI tests"
	@echo "make eval      accuracy on CORPUS (default: the dev sets)"
	@echo "make asan      make check under AddressSanitizer + UBSan"
	@echo "make install   PREFIX=$(PREFIX) DESTDIR=..."
	@echo "make bench     time a generated corpus against pcre2grep and rg -P"

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

$(BUILD)/libmeaculpa.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libmeaculpa.so: $(LIB_OBJ)
	$(CC) -shared $(SAN) $^ $(PKG_LIBS) $(LDFLAGS) -o $@

$(BUILD)/meaculpa: $(BUILD)/obj/cli.o $(BUILD)/libmeaculpa.a
	$(CC) $(SAN) $^ $(PKG_LIBS) $(LDFLAGS) -o $@

$(BUILD)/mc-eval: $(BUILD)/obj/tools/eval.o $(BUILD)/libmeaculpa.a
	$(CC) $(SAN) $^ $(PKG_LIBS) $(LDFLAGS) -o $@

$(BUILD)/obj/tools/%.o: src/tools/%.c | $(BUILD)/obj
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(SAN) $(CPPFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libmeaculpa.a | $(BUILD)/obj
	@mkdir -p $(BUILD)/tests
	$(CC) $(STD) $(CFLAGS) $(SAN) $(CPPFLAGS_ALL) $< $(BUILD)/libmeaculpa.a \
	  $(PKG_LIBS) $(CMOCKA_LIBS) $(LDFLAGS) -o $@

$(BUILD)/obj:
	@mkdir -p $@

check: deps
	@$(MAKE) --no-print-directory test

test: all $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do \
	  echo "== $$t"; MC_BIN=$(BUILD)/meaculpa $$t; done
	@echo "== rules self-test"; $(BUILD)/meaculpa --check-rules rules
	@echo "== all tests passed"

eval: $(BUILD)/mc-eval
	@$(BUILD)/mc-eval $(EVAL_FLAGS) $(CORPUS)

asan:
	@$(MAKE) --no-print-directory test BUILD=$(BUILD)/asan CFLAGS="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

valgrind: all $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do MC_BIN=$(BUILD)/meaculpa \
	  valgrind -q --error-exitcode=3 --leak-check=full $$t >/dev/null; done
	@echo "== valgrind clean"

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	  $(DESTDIR)$(PREFIX)/include
	install -m 755 $(BUILD)/meaculpa $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libmeaculpa.a $(BUILD)/libmeaculpa.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/meaculpa.h $(DESTDIR)$(PREFIX)/include/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/meaculpa $(DESTDIR)$(PREFIX)/lib/libmeaculpa.a \
	  $(DESTDIR)$(PREFIX)/lib/libmeaculpa.so $(DESTDIR)$(PREFIX)/include/meaculpa.h

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
