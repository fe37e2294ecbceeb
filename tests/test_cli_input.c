/* test_cli_input.c - bad and odd inputs through the meaculpa command
 * ($MC_BIN), one test per case of issue 5: each gets a message naming the
 * file and a documented exit code, and every other file of the same run
 * is still scored.  Also: meaculpa never writes to the files it reads.
 * The fixtures are written to a fresh temporary directory per test. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "spawn.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char bin[PATH_MAX], rules[PATH_MAX], dir[64];

#define GOOD "We are sorry the parcel was late.\n"

static int setup(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/mc-input-XXXXXX";
    if (!mkdtemp(tmpl))
        return -1;
    snprintf(dir, sizeof dir, "%s", tmpl);
    return 0;
}

static void remove_tree(const char *path);

static int teardown(void **state)
{
    (void)state;
    remove_tree(dir);
    return 0;
}

static void remove_tree(const char *path)
{
    if (strlen(path) > 100)
        return;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", path, path);
    if (system(cmd) != 0)
        fprintf(stderr, "test_cli_input: could not remove %s\n", path);
}

/* dir/name with n bytes of content; returns the path (static buffer). */
static const char *put(const char *name, const char *content, size_t n)
{
    static char path[sizeof dir + 256];
    assert_true(strlen(name) < 200);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

#define PUT(name, lit) put(name, lit, sizeof lit - 1)

/* Runs meaculpa in dir with the fixed test rules. */
#define RUN(...)                                                            \
    spawn(bin, dir, NULL, NULL,                                             \
          (char *const[]){"meaculpa", "--no-default-rules", "--rules",      \
                          rules, "--color", "never", __VA_ARGS__, NULL})

static void has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" not in:\n%s", needle, hay);
}

/* Every error line names a file and is not a bare "error" or errno. */
static void errors_name_files(const char *err)
{
    for (const char *p = err; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n > 0 && (strncmp(p, "error", 5) == 0 || p[0] == ':'))
            fail_msg("an error line names no file: %.*s", (int)n, p);
        p += n + (nl != NULL);
    }
}

static void invalid_utf8_names_file_and_byte(void **state)
{
    (void)state;
    PUT("bad.txt", "ok \xff bad\n");
    PUT("good.txt", GOOD);
    outcome *o = RUN("bad.txt", "good.txt");
    assert_int_equal(o->code, 2);
    has(o->err, "bad.txt:1:4: error: invalid UTF-8 at byte 3");
    has(o->out, "good.txt: 9/10");
    errors_name_files(o->err);
}

/* The library counts columns without the BOM (1:8 here); the CLI's
 * cursor counts it, see notes/issue5-cli-requests.md, so the column is
 * not asserted yet. */
static void bom_is_skipped(void **state)
{
    (void)state;
    PUT("bom.txt", "\xef\xbb\xbfWe are sorry if the parcel was late.\n");
    outcome *o = RUN("bom.txt");
    assert_int_equal(o->code, 0);
    has(o->out, "bom.txt: 6/10");
    has(o->out, "\"sorry if\"");
}

/* A NUL byte marks a binary file (git's test): a note names it, and the
 * other files are scored.  The exit code is documented in the README. */
static void nul_bytes_get_a_note(void **state)
{
    (void)state;
    PUT("nul.txt", "We are sorry\0 if it broke.\n");
    PUT("good.txt", GOOD);
    outcome *o = RUN("nul.txt", "good.txt");
    has(o->err, "nul.txt");
    has(o->out, "good.txt: 9/10");
    errors_name_files(o->err);
}

static void crlf_and_lone_cr_count_lines(void **state)
{
    (void)state;
    PUT("crlf.txt", "Hi.\r\nThanks.\rWe are sorry if it broke.\r\n");
    outcome *o = RUN("crlf.txt");
    assert_int_equal(o->code, 0);
    has(o->out, "crlf.txt: 6/10");
    has(o->out, "3:8 ");
    has(o->out, "\"sorry if\"");
}

/* 256 KiB on one line (the library's own test takes 2 MiB; this one
 * also runs under valgrind, where the time budget must not fire). */
static void very_long_line_is_scored(void **state)
{
    (void)state;
    size_t n = 256u << 10;
    char *text = malloc(n + 64);
    assert_non_null(text);
    for (size_t i = 0; i < n; i += 8)
        memcpy(text + i, "and  so ", 8);
    strcpy(text + n, "we are sorry if it broke\n");
    put("long.txt", text, strlen(text));
    free(text);
    outcome *o = RUN("long.txt");
    assert_int_equal(o->code, 0);
    has(o->out, "long.txt: 6/10");
    has(o->out, "\"sorry if\"");
}

static void empty_file_is_scored(void **state)
{
    (void)state;
    PUT("empty.txt", "");
    PUT("good.txt", GOOD);
    outcome *o = RUN("empty.txt", "good.txt");
    assert_int_equal(o->code, 0);
    has(o->out, "empty.txt: ");
    has(o->out, "good.txt: 9/10");
}

/* Over 32 MiB a file is refused, and read no further than the limit:
 * memory stays bounded.  (A sparse file: it costs no disk.) */
static void huge_file_is_refused(void **state)
{
    (void)state;
    const char *path = PUT("huge.txt", "Sorry. ");
    assert_int_equal(truncate(path, (off_t)100 << 20), 0);
    PUT("good.txt", GOOD);
    outcome *o = RUN("huge.txt", "good.txt");
    assert_int_equal(o->code, 2);
    has(o->err, "huge.txt: error: ");
    has(o->err, "32 MiB");
    has(o->out, "good.txt: 9/10");
    errors_name_files(o->err);
}

/* Walking a directory of binaries: a note per binary, the text scored. */
static void directory_of_binaries(void **state)
{
    (void)state;
    char sub[sizeof dir + 8];
    snprintf(sub, sizeof sub, "%s/bin", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    PUT("bin/a.txt", "\x7f" "ELF\x02\x01\x01\x00\x00\x00\x00");
    PUT("bin/b.txt", "\x00\x01\x02\x03\xff\xfe");
    PUT("bin/c.txt", GOOD);
    outcome *o = RUN("bin");
    has(o->err, "bin/a.txt");
    has(o->err, "bin/b.txt");
    has(o->out, "bin/c.txt: 9/10");
    assert_true(o->code == 0 || o->code == 2);
    errors_name_files(o->err);
}

/* chmod 000 denies reading except to root, which reads anyway: then
 * only "the run goes on" is checked. */
static void unreadable_file(void **state)
{
    (void)state;
    const char *path = PUT("locked.txt", GOOD);
    assert_int_equal(chmod(path, 0), 0);
    PUT("good.txt", GOOD);
    outcome *o = RUN("locked.txt", "good.txt");
    has(o->out, "good.txt: 9/10");
    if (geteuid() != 0) {
        assert_int_equal(o->code, 2);
        has(o->err, "locked.txt: error: cannot open: Permission denied");
    }
    errors_name_files(o->err);
}

/* What the run reads is left as it was: content, size and mtime. */
static void never_writes_its_inputs(void **state)
{
    (void)state;
    const char *path = PUT("ro.txt", "We are sorry if it broke.\n");
    struct stat before, after;
    assert_int_equal(chmod(path, 0444), 0);
    assert_int_equal(stat(path, &before), 0);
    static const char *const formats[] = {"text", "json"};
    for (size_t i = 0; i < 2; i++) {
        outcome *o = RUN("--format", (char *)formats[i], "ro.txt");
        assert_int_equal(o->code, 0);
    }
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
                before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
    assert_int_equal(before.st_mode, after.st_mode);
}

int main(void)
{
    if (!getenv("MC_BIN") || !realpath(getenv("MC_BIN"), bin) ||
        !realpath("tests/data/rules", rules)) {
        fprintf(stderr, "test_cli_input: set MC_BIN, run from the top\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(invalid_utf8_names_file_and_byte,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bom_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(nul_bytes_get_a_note, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(crlf_and_lone_cr_count_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(very_long_line_is_scored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(empty_file_is_scored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(huge_file_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(directory_of_binaries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unreadable_file, setup, teardown),
        cmocka_unit_test_setup_teardown(never_writes_its_inputs, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
