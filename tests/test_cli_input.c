/* test_cli_input.c - bad and odd inputs through the meaculpa command
 * ($MC_BIN), one test per case of issue 5: each gets a message naming the
 * file and a documented exit code, and every other file of the same run
 * is still scored.  Rules that hit a match limit (tests/data/limitrules)
 * are reported at their file:line.  JSON Lines are streamed: a file of
 * any size, the same output for any -j, a bad line named.  Also:
 * meaculpa never writes to the files it reads.  The fixtures are written to a fresh temporary
 * directory per test. */
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

static char bin[PATH_MAX], rules[PATH_MAX], limitrules[PATH_MAX], dir[64];

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

/* The same with stdin of len bytes (NUL bytes and all). */
#define RUN_STDIN(input, len, ...)                                          \
    spawn_bytes(bin, dir, NULL, input, len,                                 \
                (char *const[]){"meaculpa", "--no-default-rules", "--rules", \
                                rules, "--color", "never", __VA_ARGS__, NULL})

/* With tests/data/limitrules: (a+)+$ beside an ordinary rule. */
#define RUN_LIMITS(...)                                                     \
    spawn(bin, dir, NULL, NULL,                                             \
          (char *const[]){"meaculpa", "--no-default-rules", "--rules",      \
                          limitrules, "--color", "never", __VA_ARGS__, NULL})

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
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

/* The BOM is no column, as in the library: "sorry if" starts at 1:8. */
static void bom_is_skipped(void **state)
{
    (void)state;
    PUT("bom.txt", "\xef\xbb\xbfWe are sorry if the parcel was late.\n");
    outcome *o = RUN("bom.txt");
    assert_int_equal(o->code, 0);
    has(o->out, "bom.txt: 6/10");
    has(o->out, "1:8 ");
    has(o->out, "\"sorry if\"");
    o = RUN("--format", "gcc", "bom.txt");
    has(o->out, "bom.txt:1:8: warning: 'sorry if' caps at 6");
}

/* A NUL byte marks a binary file (git's test).  Named on the command
 * line, the user asked for it: an error naming the offset, exit 2, and
 * the other files are still scored. */
static void named_binary_file_is_an_error(void **state)
{
    (void)state;
    PUT("nul.txt", "We are sorry\0 if it broke.\n");
    PUT("good.txt", GOOD);
    outcome *o = RUN("nul.txt", "good.txt");
    assert_int_equal(o->code, 2);
    has(o->err, "nul.txt: error: binary file (NUL byte at offset 12), not "
                "scored\n");
    lacks(o->out, "nul.txt");
    has(o->out, "good.txt: 9/10");
    errors_name_files(o->err);
}

/* printf 'x\0' | meaculpa: the same error, named as stdin is. */
static void binary_stdin_is_an_error(void **state)
{
    (void)state;
    outcome *o = RUN_STDIN("x\0", 2, "-");
    assert_int_equal(o->code, 2);
    has(o->err, "<stdin>: error: binary file (NUL byte at offset 1), not "
                "scored\n");
    o = RUN_STDIN("x\0", 2, "--stdin-filename", "macros/a.txt");
    assert_int_equal(o->code, 2);
    has(o->err, "macros/a.txt: error: binary file (NUL byte at offset 1)");
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

/* 64 KiB on one line, far past PCRE2's 512-position windows (the
 * library's own test takes 2 MiB; this one also runs under valgrind,
 * where the time budget must not fire). */
static void very_long_line_is_scored(void **state)
{
    (void)state;
    size_t n = 64u << 10;
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

/* ---- JSON Lines, streamed ---------------------------------------------- */

#define MIB (1u << 20)

/* dir/name: n records with ids 1..n, each padded with a field no one
 * reads to about pad bytes; line bad (0: none) is not JSON, line huge
 * (0: none) is 33 MiB long, over the limit of a line. */
static const char *put_jsonl(const char *name, int n, size_t pad, int bad,
                             int huge)
{
    static const char *const texts[] = {
        "We are sorry the parcel was late.", "Sorry if it broke.",
        "We refunded you.", "Sorry."};
    static char path[sizeof dir + 256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 1; i <= n; i++) {
        if (i == bad || i == huge) {
            for (size_t k = 0; i == huge && k < 33 * MIB; k++)
                putc('x', f);
            fputs(i == bad ? "{\"id\": oops}\n" : "\n", f);
            continue;
        }
        fprintf(f, "{\"id\":%d,\"text\":\"%s\",\"pad\":\"", i, texts[i % 4]);
        for (size_t k = 60; k < pad; k++)
            putc('.', f);
        fputs("\"}\n", f);
    }
    assert_int_equal(fclose(f), 0);
    return path;
}

/* The reports (--format json) of out, one a line: their ids rise.
 * Returns how many there are. */
static int ids_rise(const char *out)
{
    int n = 0, last = 0, id;
    for (const char *p = out; *p; n++) {
        if (sscanf(p, "{\"id\":%d,", &id) != 1 || id <= last)
            fail_msg("report %d: no id after %d: %.80s", n + 1, last, p);
        last = id;
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    return n;
}

/* 40 MiB, more than a file read whole may hold: scored, a report a
 * line, in order. */
static void big_jsonl_is_streamed(void **state)
{
    (void)state;
    struct stat st;
    assert_int_equal(stat(put_jsonl("big.jsonl", 2000, 21 << 10, 0, 0), &st), 0);
    assert_true(st.st_size > 40 * (off_t)MIB);
    outcome *o = RUN("--format", "json", "-j", "2", "big.jsonl");
    assert_int_equal(o->code, 0);
    assert_string_equal(o->err, "");
    assert_int_equal(ids_rise(o->out), 2000);
}

/* Lines are cut into batches for the threads; the reports and errors
 * come out in the same order, byte for byte, for any -j, and the same
 * from standard input. */
static void jsonl_same_output_for_any_j(void **state)
{
    (void)state;
    const char *path = put_jsonl("many.jsonl", 2000, 0, 1234, 0);
    outcome *o = RUN("--format", "json", "-j", "1", "many.jsonl");
    assert_int_equal(o->code, 2);
    assert_string_equal(o->err, "many.jsonl:1234: error: invalid token near "
                                "'oops'\n");
    assert_int_equal(ids_rise(o->out), 1999);
    char *out = strdup(o->out), *err = strdup(o->err);
    o = RUN("--format", "json", "-j", "3", "many.jsonl");
    assert_int_equal(o->code, 2);
    assert_string_equal(o->out, out);
    assert_string_equal(o->err, err);
    FILE *f = fopen(path, "rb");
    static char in[256 << 10];
    size_t n = fread(in, 1, sizeof in, f);
    fclose(f);
    assert_true(n < sizeof in);
    o = RUN_STDIN(in, n, "--format", "json", "-j", "3", "--stdin-filename",
                  "many.jsonl");
    assert_int_equal(o->code, 2);
    assert_string_equal(o->out, out);
    assert_string_equal(o->err, err);
    free(out);
    free(err);
}

/* Small files go to the threads several at a time, how many depending
 * on -j and on the length of the list; a file larger than a task goes
 * alone and a JSON Lines file is streamed between them.  The reports and
 * the messages come out in the same order, byte for byte, for any -j
 * and in every format. */
static void directory_same_output_for_any_j(void **state)
{
    (void)state;
    static const char *const texts[] = {GOOD, "Sorry if it broke.\n",
                                        "We refunded you.\n", "Sorry.\n"};
    static char big[100 << 10], name[sizeof dir + 16];
    snprintf(name, sizeof name, "%s/d", dir);
    assert_int_equal(mkdir(name, 0755), 0);
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "d/%03d.txt", i);
        if (i % 37 == 5)
            PUT(name, "ok \xff bad\n");       /* an error */
        else if (i % 41 == 7)
            PUT(name, "\x00\x01");             /* a note: binary */
        else
            put(name, texts[i % 4], strlen(texts[i % 4]));
    }
    for (size_t k = 0; k + sizeof GOOD <= sizeof big; k += sizeof GOOD - 1)
        memcpy(big + k, GOOD, sizeof GOOD - 1);
    put("d/100-big.txt", big, strlen(big));
    put_jsonl("d/150.jsonl", 600, 0, 99, 0);
    PUT("d/200.svg", "<svg/>");              /* a note: unknown kind */
    static char *const formats[] = {"text", "json", "gcc", "junit", "sarif"};
    static char out[sizeof ((outcome *)0)->out],
        err[sizeof ((outcome *)0)->err];
    for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
        outcome *o = RUN("--format", formats[f], "-j", "1", "d");
        assert_int_equal(o->code, 2);
        strcpy(out, o->out);
        strcpy(err, o->err);
        for (const char *j = "237"; *j; j++) {
            char jobs[2] = {*j, 0};
            o = RUN("--format", formats[f], "-j", jobs, "d");
            assert_int_equal(o->code, 2);
            assert_string_equal(o->out, out);
            assert_string_equal(o->err, err);
        }
    }
    has(out, "d/000.txt");
    has(out, "d/299.txt");
    assert_true(strstr(err, "d/005.txt:1:4: error: invalid UTF-8") <
                strstr(err, "d/150.jsonl:99: error:"));
    assert_true(strstr(err, "d/150.jsonl:99: error:") <
                strstr(err, "d/200.svg: note: skipped: unknown file kind"));
    assert_true(strstr(err, "d/200.svg: note:") <
                strstr(err, "d/253.txt: note: skipped: binary file"));
}

/* In a file over 32 MiB, a bad line and a line over 32 MiB are errors
 * at their lines, and every other line is scored. */
static void bad_lines_in_big_jsonl_are_named(void **state)
{
    (void)state;
    put_jsonl("big.jsonl", 1000, 8 << 10, 700, 900);
    outcome *o = RUN("--format", "json", "big.jsonl");
    assert_int_equal(o->code, 2);
    has(o->err, "big.jsonl:700: error: invalid token near 'oops'\n");
    has(o->err, "big.jsonl:900: error: line too long (over 32 MiB)\n");
    assert_int_equal(count(o->err, "error"), 2);
    assert_int_equal(ids_rise(o->out), 998);
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
    has(o->err, "bin/a.txt: note: skipped: binary file\n");
    has(o->err, "bin/b.txt: note: skipped: binary file\n");
    lacks(o->err, "error");
    has(o->out, "bin/c.txt: 9/10");
    assert_int_equal(o->code, 0);  /* walked: the exit code is unchanged */
    errors_name_files(o->err);
}

/* "aaa...ab": (a+)+$ backtracks without end and hits the match limit. */
static const char *put_long_a(const char *name)
{
    char text[4200] = "We are sorry. ";
    size_t n = strlen(text);
    memset(text + n, 'a', 4096);
    strcpy(text + n + 4096, "b\n");
    return put(name, text, strlen(text));
}

/* A rule left out of a text at its match limit: the text is still
 * scored and reported, the finding names the rule's file:line, one
 * warning per run and rule goes to stderr, and the run exits 2 (that
 * text may score too high).  Other texts are scored as usual. */
static void limit_hit_is_reported_and_exits_2(void **state)
{
    (void)state;
    char where[PATH_MAX + 160], warning[PATH_MAX + 160];
    snprintf(where, sizeof where, "rule evil.nested (%s/en.rules:7): match "
             "limit exceeded", limitrules);
    snprintf(warning, sizeof warning, "%s/en.rules:7: warning: rule "
             "evil.nested: match limit exceeded on long.txt; the text was "
             "scored without this rule\n", limitrules);
    put_long_a("long.txt");
    put_long_a("long2.txt");
    PUT("good.txt", GOOD);
    outcome *o = RUN_LIMITS("long.txt", "good.txt", "long2.txt");
    assert_int_equal(o->code, 2);
    has(o->out, "long.txt: 9/10");
    has(o->out, "long2.txt: 9/10");
    has(o->out, "good.txt: 9/10");
    has(o->out, where);
    lacks(o->out, "(outweighed)");
    has(o->err, warning);
    assert_int_equal(count(o->err, "warning: rule evil.nested"), 1);
    o = RUN_LIMITS("good.txt");
    assert_int_equal(o->code, 0);
}

/* gcc, GitHub and SARIF: one warning at the rule's file:line, where the
 * fix is, instead of one per text. */
static void limit_hit_in_machine_formats(void **state)
{
    (void)state;
    char gcc[PATH_MAX + 160], gh[PATH_MAX + 160];
    snprintf(gcc, sizeof gcc, "%s/en.rules:7:1: warning: rule evil.nested: "
             "match limit exceeded on long.txt;", limitrules);
    snprintf(gh, sizeof gh, "::warning file=%s/en.rules,line=7,col=1,"
             "title=meaculpa limit::rule evil.nested: match limit", limitrules);
    put_long_a("long.txt");
    put_long_a("long2.txt");
    outcome *o = RUN_LIMITS("--format", "gcc", "long.txt", "long2.txt");
    assert_int_equal(o->code, 2);
    has(o->out, gcc);
    assert_int_equal(count(o->out, "evil.nested"), 1);
    has(o->out, "long2.txt:1:1: note: score 9/10 (en) [score]");
    o = RUN_LIMITS("--format", "github", "long.txt", "long2.txt");
    assert_int_equal(o->code, 2);
    has(o->out, gh);
    assert_int_equal(count(o->out, "evil.nested"), 1);
    o = RUN_LIMITS("--format", "sarif", "long.txt");
    assert_int_equal(o->code, 2);
    has(o->out, "\"ruleId\": \"limit\"");
    has(o->out, "limitrules/en.rules\"");
    has(o->out, "\"startLine\": 7");
}

/* More than 100 findings of one rule: the list is capped and says so,
 * but nothing was lost from the score, so the exit code is unchanged. */
static void capped_findings_keep_the_exit_code(void **state)
{
    (void)state;
    char text[150 * 8 + 1];
    for (size_t i = 0; i < 150; i++)
        memcpy(text + i * 8, "Sorry.  ", 8);
    put("many.txt", text, 150 * 8);
    outcome *o = RUN_LIMITS("many.txt");
    assert_int_equal(o->code, 0);
    has(o->out, "limit.findings");
    has(o->out, "50 more findings not listed");
    lacks(o->err, "warning");
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
        !realpath("tests/data/rules", rules) ||
        !realpath("tests/data/limitrules", limitrules)) {
        fprintf(stderr, "test_cli_input: set MC_BIN, run from the top\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(invalid_utf8_names_file_and_byte,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bom_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(named_binary_file_is_an_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(binary_stdin_is_an_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(crlf_and_lone_cr_count_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(very_long_line_is_scored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(empty_file_is_scored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(huge_file_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(big_jsonl_is_streamed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(jsonl_same_output_for_any_j, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(directory_same_output_for_any_j,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bad_lines_in_big_jsonl_are_named,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(directory_of_binaries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(limit_hit_is_reported_and_exits_2,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(limit_hit_in_machine_formats, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(capped_findings_keep_the_exit_code,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(unreadable_file, setup, teardown),
        cmocka_unit_test_setup_teardown(never_writes_its_inputs, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
