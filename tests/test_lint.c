/* test_lint.c - meaculpa as a support team runs it over a macro
 * repository (tests/repo): directory walking, file kinds, the config
 * file and its override section, inline suppressions, --stdin-filename,
 * -j, and every output format parsed back: gcc and GitHub lines by
 * regex, JUnit with expat, JSON and SARIF with jansson.  The official
 * SARIF 2.1.0 schema is not available offline, so sarif_has_the_required
 * properties checks the properties that the spec requires by hand. */
#define _XOPEN_SOURCE 700 /* realpath, mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "spawn.h"
#include <expat.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPO "tests/repo"
#define NODEF "--no-default-rules"

static char bin[PATH_MAX];

/* Runs the binary in directory cwd with argv and stdin as given. */
static outcome *run_in(const char *cwd, const char *input, char *const argv[])
{
    return spawn(bin, cwd, NULL, input, argv);
}

/* In tests/repo, where its .meaculpa.ini is found as users find it. */
#define LINT(input, ...)                                                    \
    run_in(REPO, input, (char *const[]){"meaculpa", NODEF, __VA_ARGS__, NULL})

/* ---- walking, kinds, config ------------------------------------------ */

static void repo_scores_and_exit_code(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "--color", "never", ".");
    assert_int_equal(o->code, 1);  /* conditional.txt is under the bar 7 */
    has(o->out, "legacy/old-reply.txt: 6/10");
    has(o->out, "macros/conditional.txt: 6/10");
    has(o->out, "macros/export.json#Late parcel: 6/10");
    has(o->out, "macros/export.json#Refund issued: 4/10");
    has(o->out, "macros/late-parcel.md: 9/10");
    has(o->out, "macros/welcome.html: 9/10");
    lacks(o->out, "drafts/");       /* exclude = drafts/ */
    lacks(o->out, "secret");        /* hidden directory */
    lacks(o->out, "internal.md");   /* meaculpa-disable-file */
    lacks(o->out, "archive.txt");
    has(o->err, "assets/archive.txt: note: skipped: binary file");
    has(o->err, "assets/logo.svg: note: skipped: unknown file kind");
    /* sorted output: legacy before macros, whatever the walk order */
    assert_true(strstr(o->out, "legacy/") < strstr(o->out, "macros/"));
}

static void markdown_code_and_links_are_not_prose(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "--format", "json", "macros/late-parcel.md");
    assert_int_equal(o->code, 0);
    json_t *j = json_loads(o->out, 0, NULL), *f;
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "score")), 9);
    size_t i;
    int saw_sorry = 0;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        const char *rule = json_string_value(json_object_get(f, "rule"));
        assert_string_not_equal(rule, "hedge.if");
        if (strcmp(rule, "regret.sorry") == 0) {
            saw_sorry = 1;  /* line 9 of the file: front matter counted */
            assert_int_equal(json_integer_value(json_object_get(f, "line")), 9);
            assert_int_equal(json_integer_value(json_object_get(f, "column")), 8);
        }
    }
    assert_true(saw_sorry);
    json_decref(j);
}

static void zendesk_macros_have_file_positions(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "--format", "jsonl", "macros/export.json");
    assert_int_equal(o->code, 1);
    char *save, *line = strtok_r(o->out, "\n", &save);
    json_t *a = json_loads(line, 0, NULL);
    json_t *b = json_loads(strtok_r(NULL, "\n", &save), 0, NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(a, "macro")),
                        "Late parcel");
    assert_int_equal(json_integer_value(json_object_get(a, "score")), 6);
    json_t *f = json_array_get(json_object_get(a, "findings"), 0);
    assert_string_equal(json_string_value(json_object_get(f, "rule")), "hedge.if");
    /* the words sit in line 8, column 92 of the JSON file itself */
    assert_int_equal(json_integer_value(json_object_get(f, "line")), 8);
    assert_int_equal(json_integer_value(json_object_get(f, "column")), 92);
    assert_string_equal(json_string_value(json_object_get(b, "macro")),
                        "Refund issued");
    assert_int_equal(json_integer_value(json_object_get(b, "score")), 4);
    json_decref(a);
    json_decref(b);
}

static void zendesk_shapes(void **state)
{
    (void)state;
    const char *one = "{\"macro\": {\"title\": \"One\", \"actions\": [{\"field\": "
                      "\"comment_value\", \"value\": \"Sorry if.\"}]}}";
    outcome *o = LINT(one, "--stdin-filename", "one.json", "--min-score", "0");
    assert_int_equal(o->code, 0);
    has(o->out, "one.json#One: 6/10");
    const char *bare = "[{\"id\": 7, \"actions\": [{\"field\": \"comment_value\","
                       " \"value\": [\"channel:all\", \"We refunded it.\"]}]}]";
    o = LINT(bare, "--stdin-filename", "bare.json", "--min-score", "0");
    assert_int_equal(o->code, 0);
    has(o->out, "bare.json#7: 4/10");
    o = LINT("{\"name\": \"pkg\"}", "--stdin-filename", "package.json");
    assert_int_equal(o->code, 0);
    has(o->err, "not a Zendesk macro export");
    o = LINT("{\"macros\": [", "--stdin-filename", "broken.json");
    assert_int_equal(o->code, 2);
    has(o->err, "broken.json:1:");
}

static void suppression_comment_changes_the_score(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "--format", "gcc", "macros/welcome.html");
    assert_int_equal(o->code, 0);
    has(o->out, "macros/welcome.html:1:1: note: score 9/10 (en) [score]");
    lacks(o->out, "hedge.if");
    /* read as plain text the comment is not a control: the hedge counts */
    o = LINT(NULL, "--format", "gcc", "--kind", "text", "macros/welcome.html");
    assert_int_equal(o->code, 1);
    has(o->out, "macros/welcome.html:3:11: error: 'sorry if' caps at 6");
}

static void unknown_id_in_a_comment_warns(void **state)
{
    (void)state;
    outcome *o = LINT("<!-- meaculpa-disable hedge.iff -->\nSorry if.\n",
                      "--stdin-filename", "x.md", "--min-score", "0");
    assert_int_equal(o->code, 0);
    has(o->err, "x.md:1:1: warning: meaculpa-disable: no rule with id \"hedge.iff\"");
    has(o->out, "x.md: 6/10");
}

static void disable_file_is_skipped(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "notes/internal.md");
    assert_int_equal(o->code, 0);
    assert_string_equal(o->out, "");
}

static void override_section_and_flags_win(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "legacy/old-reply.txt");
    assert_int_equal(o->code, 0);  /* the legacy section: min-score = 5 */
    o = LINT(NULL, "--min-score", "7", "legacy/old-reply.txt");
    assert_int_equal(o->code, 1);  /* the flag wins over the section */
    o = LINT(NULL, "drafts/wip.txt");
    assert_int_equal(o->code, 0);
    has(o->err, "drafts/wip.txt: note: skipped: excluded by");
}

static void stdin_filename_takes_config_and_kind(void **state)
{
    (void)state;
    outcome *o = LINT("Sorry if this took a while.\n", "--stdin-filename",
                      "legacy/new.txt");
    assert_int_equal(o->code, 0);  /* the legacy section's bar */
    has(o->out, "legacy/new.txt: 6/10");
    o = LINT("We are sorry it broke.\n\n```\nsorry if\n```\n", "--stdin-filename",
             "macros/draft.md", "--format", "gcc");
    assert_int_equal(o->code, 0);
    has(o->out, "macros/draft.md:1:1: note: score 9/10 (en) [score]");
    o = LINT("x", "--stdin-filename", "a.txt", "b.txt");
    assert_int_equal(o->code, 2);
}

static void output_is_the_same_for_every_j(void **state)
{
    (void)state;
    static char one[sizeof ((outcome *)0)->out];
    outcome *o = LINT(NULL, "--format", "gcc", "-j", "1", ".");
    strcpy(one, o->out);
    for (int k = 0; k < 3; k++) {
        o = LINT(NULL, "--format", "gcc", "-j", "8", ".");
        assert_string_equal(o->out, one);
    }
}

static void bad_config_names_the_line(void **state)
{
    (void)state;
    char dir[] = "/tmp/mc-lint-cfg-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/.meaculpa.ini", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "min-score = 7\n\n[legacy/**]\nmin-scor = 3\n");
    fclose(f);
    outcome *o = run_in(dir, "Sorry.", (char *const[]){"meaculpa", NODEF,
                        "--rules", "/nonexistent", NULL});
    assert_int_equal(o->code, 2);
    has(o->err, ".meaculpa.ini:4: error: unknown key \"min-scor\"");
    f = fopen(path, "w");
    fprintf(f, "lang = en\nthis line has no equals sign\n");
    fclose(f);
    o = run_in(dir, "Sorry.", (char *const[]){"meaculpa", NULL});
    assert_int_equal(o->code, 2);
    has(o->err, ".meaculpa.ini:2: error: expected \"key = value\"");
    f = fopen(path, "w");
    fprintf(f, "[x]\nexclude = a\n");
    fclose(f);
    o = run_in(dir, "Sorry.", (char *const[]){"meaculpa", NULL});
    assert_int_equal(o->code, 2);
    has(o->err, ".meaculpa.ini:2: error: exclude is a global key");
    f = fopen(path, "w");
    fprintf(f, "disable = no.such.rule\n");
    fclose(f);
    o = run_in(dir, "Sorry.", (char *const[]){"meaculpa", NULL});
    assert_int_equal(o->code, 2);
    has(o->err, "no rule with id \"no.such.rule\"");
    unlink(path);
    rmdir(dir);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void include_globs_and_section_disable(void **state)
{
    (void)state;
    char dir[] = "/tmp/mc-lint-inc-XXXXXX", path[96], rules[PATH_MAX];
    assert_non_null(mkdtemp(dir));
    assert_non_null(realpath("tests/data/rules", rules));
    snprintf(path, sizeof path, "%s/.meaculpa.ini", dir);
    char cfg[PATH_MAX + 128];
    snprintf(cfg, sizeof cfg, "include = *.md\nrules = %s\n\n[quiet/*]\n"
             "disable = hedge.if\n", rules);
    write_file(path, cfg);
    snprintf(path, sizeof path, "%s/a.md", dir);
    write_file(path, "Sorry if it broke.\n");
    snprintf(path, sizeof path, "%s/b.txt", dir);
    write_file(path, "Sorry if it broke.\n");
    outcome *o = run_in(dir, NULL, (char *const[]){"meaculpa", NODEF, ".", NULL});
    assert_int_equal(o->code, 0);
    has(o->out, "a.md: 6/10");
    lacks(o->out, "b.txt");  /* walked, and not included */
    o = run_in(dir, NULL, (char *const[]){"meaculpa", NODEF, "b.txt", NULL});
    has(o->out, "b.txt: 6/10");  /* named: include does not apply */
    /* the section turns hedge.if off for the whole text: regret is 9 */
    o = run_in(dir, "Sorry if it broke.\n", (char *const[]){"meaculpa", NODEF,
               "--stdin-filename", "quiet/c.md", NULL});
    has(o->out, "quiet/c.md: 9/10");
    o = run_in(dir, "Sorry if it broke.\n", (char *const[]){"meaculpa", NODEF,
               "--stdin-filename", "loud/c.md", NULL});
    has(o->out, "loud/c.md: 6/10");
    unlink(path);
    snprintf(path, sizeof path, "%s/a.md", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/.meaculpa.ini", dir);
    unlink(path);
    rmdir(dir);
}

/* ---- machine formats, parsed back -------------------------------------- */

static int each_line_matches(const char *out, const char *pattern)
{
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    char *copy = strdup(out), *save, *line;
    int n = 0;
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++)
        if (regexec(&re, line, 0, NULL, 0) != 0)
            fail_msg("line does not parse: %s", line);
    free(copy);
    regfree(&re);
    return n;
}

static void gcc_format_parses(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "--format", "gcc", ".");
    assert_int_equal(o->code, 1);
    /* what Vim's default errorformat and Emacs' gnu regexp read */
    assert_true(each_line_matches(o->out, "^[^:]+:[0-9]+:[0-9]+: "
                                  "(error|warning|note): .+ \\[[a-z0-9._-]+\\]$") >= 12);
    /* no '"': Vim's default errorformat would take "word" for a file */
    assert_null(strchr(o->out, '"'));
    has(o->out, "macros/conditional.txt:3:8: error: 'sorry if' caps at 6: ");
    has(o->out, "macros/conditional.txt:1:1: error: score 6/10 (en), below the bar of 7 [score]\n");
    has(o->out, "macros/export.json:8:92: error: 'sorry if' caps at 6");
    has(o->out, "macros/export.json:8:46: error: macro 'Late parcel': score 6/10");
    has(o->out, "legacy/old-reply.txt:1:1: warning: 'Sorry if'");
    has(o->out, "legacy/old-reply.txt:1:1: note: score 6/10 (en) [score]\n");
    o = LINT(NULL, "--format", "gcc", "macros/late-parcel.md");
    assert_int_equal(o->code, 0);
}

static void github_format_parses(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "--format", "github", ".");
    assert_int_equal(o->code, 1);
    each_line_matches(o->out, "^::(error|warning|notice) file=[^,:]+,line=[0-9]+,"
                      "col=[0-9]+(,endLine=[0-9]+,endColumn=[0-9]+)?,"
                      "title=meaculpa [a-z0-9._ -]+::[^\r]+$");
    has(o->out, "::error file=macros/conditional.txt,line=3,col=8,endLine=3,"
                "endColumn=16,title=meaculpa hedge.if::\"sorry if\" caps at 6");
    has(o->out, "::notice file=macros/late-parcel.md,line=1,col=1,"
                "title=meaculpa score::score 9/10 (en)\n");
    o = LINT(NULL, "--format", "github", "macros/welcome.html");
    assert_int_equal(o->code, 0);
}

/* JUnit: testsuites > testsuite > testcase (> failure | system-out). */
typedef struct {
    int depth, cases, failures, root_tests, root_failures;
    char current[256];
    char failed[8][256];
} junit;

static const char *attr(const XML_Char **a, const char *name)
{
    for (; a[0]; a += 2)
        if (strcmp(a[0], name) == 0)
            return a[1];
    return NULL;
}

static void XMLCALL junit_start(void *ud, const XML_Char *el, const XML_Char **a)
{
    junit *j = ud;
    static const char *const nest[] = {"testsuites", "testsuite", "testcase"};
    if (j->depth < 3)
        assert_string_equal(el, nest[j->depth]);
    if (j->depth == 0) {
        j->root_tests = atoi(attr(a, "tests"));
        j->root_failures = atoi(attr(a, "failures"));
    }
    if (strcmp(el, "testcase") == 0) {
        j->cases++;
        assert_non_null(attr(a, "classname"));
        snprintf(j->current, sizeof j->current, "%s", attr(a, "name"));
    }
    if (strcmp(el, "failure") == 0) {
        assert_non_null(attr(a, "message"));
        assert_true(j->failures < 8);
        strcpy(j->failed[j->failures++], j->current);
    }
    j->depth++;
}

static void XMLCALL junit_end(void *ud, const XML_Char *el)
{
    (void)el;
    ((junit *)ud)->depth--;
}

static void junit_parses(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "--format", "junit", ".");
    assert_int_equal(o->code, 1);
    junit j = {0};
    XML_Parser p = XML_ParserCreate("UTF-8");
    XML_SetUserData(p, &j);
    XML_SetElementHandler(p, junit_start, junit_end);
    if (XML_Parse(p, o->out, (int)strlen(o->out), 1) != XML_STATUS_OK)
        fail_msg("JUnit XML does not parse: %s at line %lu",
                 XML_ErrorString(XML_GetErrorCode(p)),
                 (unsigned long)XML_GetCurrentLineNumber(p));
    XML_ParserFree(p);
    assert_int_equal(j.cases, 6);
    assert_int_equal(j.root_tests, 6);
    assert_int_equal(j.failures, 3);
    assert_int_equal(j.root_failures, 3);
    assert_string_equal(j.failed[0], "macros/conditional.txt");
    assert_string_equal(j.failed[1], "macros/export.json#Late parcel");
    assert_string_equal(j.failed[2], "macros/export.json#Refund issued");
    o = LINT(NULL, "--format", "junit", "macros/late-parcel.md");
    assert_int_equal(o->code, 0);
    has(o->out, "failures=\"0\"");
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("missing string \"%s\"", key);
    return s;
}

/* SARIF 2.1.0 sections 3.13 (sarifLog), 3.14 (run), 3.18-3.19 (tool,
 * toolComponent), 3.49 (reportingDescriptor), 3.27 (result), 3.28-3.30
 * (locations, regions), 3.11 (message). */
static void check_sarif_rules(json_t *rules)
{
    json_t *r;
    size_t i, k;
    assert_true(json_is_array(rules) && json_array_size(rules) > 3);
    json_array_foreach(rules, i, r) {
        const char *id = str(r, "id");
        for (k = 0; k < i; k++)
            assert_string_not_equal(id, str(json_array_get(rules, k), "id"));
        assert_true(strlen(str(json_object_get(r, "shortDescription"), "text")) > 0);
        assert_true(strlen(str(json_object_get(r, "help"), "text")) > 0);
        const char *lvl = str(json_object_get(r, "defaultConfiguration"), "level");
        assert_true(!strcmp(lvl, "note") || !strcmp(lvl, "warning") ||
                    !strcmp(lvl, "error"));
    }
}

static void check_sarif_result(json_t *res, json_t *rules)
{
    const char *rule = str(res, "ruleId"), *lvl = str(res, "level");
    json_t *idx = json_object_get(res, "ruleIndex");
    assert_true(json_is_integer(idx));
    assert_string_equal(str(json_array_get(rules, (size_t)json_integer_value(idx)),
                            "id"), rule);
    assert_true(!strcmp(lvl, "note") || !strcmp(lvl, "warning") ||
                !strcmp(lvl, "error") || !strcmp(lvl, "none"));
    assert_true(strlen(str(json_object_get(res, "message"), "text")) > 0);
    json_t *locs = json_object_get(res, "locations");
    assert_int_equal(json_array_size(locs), 1);
    json_t *pl = json_object_get(json_array_get(locs, 0), "physicalLocation");
    const char *uri = str(json_object_get(pl, "artifactLocation"), "uri");
    assert_true(strlen(uri) > 0 && !strchr(uri, ' ') && !strchr(uri, '#'));
    json_t *reg = json_object_get(pl, "region");
    json_int_t sl = json_integer_value(json_object_get(reg, "startLine"));
    json_int_t sc = json_integer_value(json_object_get(reg, "startColumn"));
    assert_true(sl >= 1 && sc >= 1);
    json_t *el = json_object_get(reg, "endLine"), *ec = json_object_get(reg, "endColumn");
    if (el) {
        assert_true(json_integer_value(el) >= sl);
        if (json_integer_value(el) == sl)
            assert_true(json_integer_value(ec) > sc);
    }
    assert_true(json_is_integer(json_object_get(json_object_get(res, "properties"),
                                                "score")));
}

static json_t *find_result(json_t *results, const char *rule, const char *uri,
                           int line)
{
    json_t *r;
    size_t i;
    json_array_foreach(results, i, r) {
        json_t *pl = json_object_get(json_array_get(json_object_get(r, "locations"), 0),
                                     "physicalLocation");
        if (!strcmp(str(r, "ruleId"), rule) &&
            !strcmp(str(json_object_get(pl, "artifactLocation"), "uri"), uri) &&
            json_integer_value(json_object_get(json_object_get(pl, "region"),
                                               "startLine")) == line)
            return r;
    }
    fail_msg("no %s result at %s:%d", rule, uri, line);
    return NULL;
}

static void sarif_has_the_required_properties(void **state)
{
    (void)state;
    outcome *o = LINT(NULL, "--format", "sarif", ".");
    assert_int_equal(o->code, 1);
    json_error_t je;
    json_t *log = json_loads(o->out, 0, &je);
    if (!log)
        fail_msg("SARIF is not JSON: %s at %d:%d", je.text, je.line, je.column);
    assert_string_equal(str(log, "version"), "2.1.0");
    has(str(log, "$schema"), "sarif-2.1.0");
    json_t *runs = json_object_get(log, "runs");
    assert_int_equal(json_array_size(runs), 1);
    json_t *run = json_array_get(runs, 0);
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    assert_string_equal(str(driver, "name"), "meaculpa");
    assert_string_equal(str(run, "columnKind"), "unicodeCodePoints");
    json_t *rules = json_object_get(driver, "rules"), *results, *r;
    check_sarif_rules(rules);
    results = json_object_get(run, "results");
    size_t i;
    json_array_foreach(results, i, r)
        check_sarif_result(r, rules);
    r = find_result(results, "hedge.if", "macros/export.json", 8);
    json_t *reg = json_object_get(json_object_get(json_array_get(
        json_object_get(r, "locations"), 0), "physicalLocation"), "region");
    assert_int_equal(json_integer_value(json_object_get(reg, "startColumn")), 92);
    assert_int_equal(json_integer_value(json_object_get(reg, "endColumn")), 100);
    assert_string_equal(str(r, "level"), "error");
    r = find_result(results, "score", "macros/conditional.txt", 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r,
                     "properties"), "score")), 6);
    json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
    assert_true(json_is_true(json_object_get(inv, "executionSuccessful")));
    assert_int_equal(json_array_size(json_object_get(json_object_get(run,
                     "properties"), "texts")), 6);
    json_decref(log);
    o = LINT(NULL, "--format", "sarif", "macros/late-parcel.md");
    assert_int_equal(o->code, 0);
}

int main(void)
{
    if (!getenv("MC_BIN") || !realpath(getenv("MC_BIN"), bin)) {
        fprintf(stderr, "test_lint: set MC_BIN to the meaculpa binary\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(repo_scores_and_exit_code),
        cmocka_unit_test(markdown_code_and_links_are_not_prose),
        cmocka_unit_test(zendesk_macros_have_file_positions),
        cmocka_unit_test(zendesk_shapes),
        cmocka_unit_test(suppression_comment_changes_the_score),
        cmocka_unit_test(unknown_id_in_a_comment_warns),
        cmocka_unit_test(disable_file_is_skipped),
        cmocka_unit_test(override_section_and_flags_win),
        cmocka_unit_test(stdin_filename_takes_config_and_kind),
        cmocka_unit_test(output_is_the_same_for_every_j),
        cmocka_unit_test(bad_config_names_the_line),
        cmocka_unit_test(include_globs_and_section_disable),
        cmocka_unit_test(gcc_format_parses),
        cmocka_unit_test(github_format_parses),
        cmocka_unit_test(junit_parses),
        cmocka_unit_test(sarif_has_the_required_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
