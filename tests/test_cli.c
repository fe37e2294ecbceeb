/* test_cli.c - the meaculpa command end to end, as a user runs it: exit
 * codes, error messages naming file and line, the JSON shape, the JSON
 * Lines id round-trip, colour rules.  Runs the binary named by $MC_BIN
 * with the fixed rules of tests/data/rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "spawn.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULES "--no-default-rules", "--rules", "tests/data/rules"

/* Runs $MC_BIN with argv (NULL-terminated) and stdin as given. */
static outcome *run_env(const char *input, const char *env, char *const argv[])
{
    return spawn(getenv("MC_BIN"), NULL, env, input, argv);
}

#define RUN(input, ...)                                                     \
    run_env(input, NULL, (char *const[]){"meaculpa", __VA_ARGS__, NULL})
#define RUN_ENV(input, env, ...)                                            \
    run_env(input, env, (char *const[]){"meaculpa", __VA_ARGS__, NULL})

static void version_and_help(void **state)
{
    (void)state;
    outcome *o = RUN(NULL, "--version");
    assert_int_equal(o->code, 0);
    has(o->out, "meaculpa ");
    o = RUN(NULL, "--help");
    assert_int_equal(o->code, 0);
    has(o->out, "--min-score");
    has(o->out, "Exit status");
}

static void usage_errors_exit_2(void **state)
{
    (void)state;
    outcome *o = RUN(NULL, "--frobnicate");
    assert_int_equal(o->code, 2);
    has(o->err, "--frobnicate");
    o = RUN(NULL, "--lang", "de");
    assert_int_equal(o->code, 2);
    has(o->err, "--lang");
    o = RUN(NULL, "--min-score", "11");
    assert_int_equal(o->code, 2);
    has(o->err, "--min-score");
}

static void stdin_text_report(void **state)
{
    (void)state;
    outcome *o = RUN("We are sorry if the update broke it.\n", RULES,
                     "--color", "never");
    assert_int_equal(o->code, 0);
    has(o->out, "<stdin>: 6/10  (en)");
    has(o->out, "1:8");
    has(o->out, "hedge.if");
    has(o->out, "\"sorry if\"");
    has(o->out, "caps at 6");
    assert_null(strchr(o->out, '\033'));
}

static void min_score_gate(void **state)
{
    (void)state;
    outcome *o = RUN("Sorry if it broke.", RULES, "--min-score", "7");
    assert_int_equal(o->code, 1);
    o = RUN("Sorry if it broke.", RULES, "--min-score", "6");
    assert_int_equal(o->code, 0);
}

static void json_shape(void **state)
{
    (void)state;
    outcome *o = RUN("Sorry if it broke.\nWe refunded you.", RULES, "--format",
                     "json");
    assert_int_equal(o->code, 0);
    json_error_t je;
    json_t *j = json_loads(o->out, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "file")), "<stdin>");
    assert_string_equal(json_string_value(json_object_get(j, "lang")), "en");
    assert_int_equal(json_integer_value(json_object_get(j, "score")), 6);
    assert_int_equal(json_integer_value(json_object_get(j, "level")), 6);
    json_t *comps = json_object_get(j, "components");
    assert_true(json_is_array(comps));
    assert_string_equal(json_string_value(json_array_get(comps, 0)), "remedy");
    json_t *fs = json_object_get(j, "findings"), *f;
    size_t i;
    int saw_hedge = 0;
    json_array_foreach(fs, i, f) {
        const char *keys[] = {"rule", "category", "effect", "line", "column",
                              "match", "message", "suggestion"};
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            assert_non_null(json_object_get(f, keys[k]));
        if (strcmp(json_string_value(json_object_get(f, "rule")), "hedge.if"))
            continue;
        saw_hedge = 1;
        assert_string_equal(json_string_value(json_object_get(f, "effect")),
                            "cap 6");
        assert_int_equal(json_integer_value(json_object_get(f, "line")), 1);
        assert_int_equal(json_integer_value(json_object_get(f, "column")), 1);
        assert_string_equal(json_string_value(json_object_get(f, "match")),
                            "Sorry if");
    }
    assert_true(saw_hedge);
    json_decref(j);
}

static void jsonl_ids_round_trip(void **state)
{
    (void)state;
    const char *in = "{\"id\": \"a-1\", \"text\": \"Sorry if it broke.\"}\n"
                     "{\"id\": 42, \"text\": \"We refunded you.\"}\n"
                     "\n"
                     "{\"id\": [1, \"x\"], \"text\": \"Sorry.\", \"lang\": \"en\"}\n";
    outcome *o = RUN(in, RULES, "--input-format", "jsonl", "--format", "json");
    assert_int_equal(o->code, 0);
    char *save, *line = strtok_r(o->out, "\n", &save);
    const char *ids[] = {"\"a-1\"", "42", "[1,\"x\"]"};
    int scores[] = {6, 4, 9};
    for (int k = 0; k < 3; k++, line = strtok_r(NULL, "\n", &save)) {
        assert_non_null(line);
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        char *id = json_dumps(json_object_get(j, "id"),
                              JSON_ENCODE_ANY | JSON_COMPACT);
        assert_string_equal(id, ids[k]);
        assert_int_equal(json_integer_value(json_object_get(j, "score")),
                         scores[k]);
        free(id);
        json_decref(j);
    }
    assert_null(line);
}

static void jsonl_bad_line_names_line(void **state)
{
    (void)state;
    const char *in = "{\"id\": 1, \"text\": \"Sorry.\"}\n"
                     "{\"id\": 2, \"txt\": \"x\"}\n"
                     "not json\n"
                     "{\"id\": 4, \"text\": \"Sorry if.\"}\n";
    outcome *o = RUN(in, RULES, "--input-format", "jsonl", "--format", "json");
    assert_int_equal(o->code, 2);
    has(o->err, "<stdin>:2: error:");
    has(o->err, "<stdin>:3: error:");
    has(o->out, "\"id\":1");
    has(o->out, "\"id\":4");
}

static void missing_file_others_still_scored(void **state)
{
    (void)state;
    outcome *o = RUN(NULL, RULES, "/nonexistent/draft.txt",
                     "tests/samples/en-hedged.txt");
    assert_int_equal(o->code, 2);
    has(o->err, "/nonexistent/draft.txt: error: cannot open");
    has(o->out, "tests/samples/en-hedged.txt:");
}

static void bad_rules_file_exit_2(void **state)
{
    (void)state;
    outcome *o = RUN("Sorry.", "--no-default-rules", "--rules",
                     "tests/data/badrules");
    assert_int_equal(o->code, 2);
    has(o->err, "tests/data/badrules/en.rules:4:1: error: unknown key \"patern\"");
}

static void check_rules_reports_failures(void **state)
{
    (void)state;
    outcome *o = RUN(NULL, "--check-rules", "tests/data/failrules");
    assert_int_equal(o->code, 1);
    has(o->err, "tests/data/failrules/en.rules:10: rule regret.sorry:");
    has(o->out, "1 failing example");
    o = RUN(NULL, "--check-rules", "tests/data/rules");
    assert_int_equal(o->code, 0);
}

/* A rule that hits a match limit on its own example: a GNU warning at
 * the example's line, distinct from "does not match", still failing. */
static void check_rules_reports_limits_as_warnings(void **state)
{
    (void)state;
    outcome *o = RUN(NULL, "--check-rules", "tests/data/limitrules");
    assert_int_equal(o->code, 1);
    has(o->err, "tests/data/limitrules/en.rules:13: warning: rule evil.nested: "
                "on its match example \"aaaa");
    has(o->err, "match limit exceeded");
    has(o->out, "2 rules checked, 1 failing example\n");
}

static void invalid_utf8_names_position(void **state)
{
    (void)state;
    outcome *o = RUN("Sorry.\nab\xc3\x28", RULES);
    assert_int_equal(o->code, 2);
    has(o->err, "<stdin>:2:3: error:");
    has(o->err, "UTF-8");
}

static void colour_only_when_asked_or_on_a_terminal(void **state)
{
    (void)state;
    outcome *o = RUN("Sorry if.", RULES, "--color", "always");
    assert_non_null(strchr(o->out, '\033'));
    o = RUN_ENV("Sorry if.", "NO_COLOR=1", RULES, "--color", "auto");
    assert_null(strchr(o->out, '\033'));
}

static void dump_patterns(void **state)
{
    (void)state;
    outcome *o = RUN(NULL, RULES, "--dump-patterns");
    assert_int_equal(o->code, 0);
    has(o->out, "(?(DEFINE)(?<apo>(?:sorry|apologi[sz]e)))\\b(?&apo)\\s+if\\b\n");
}

static void default_rules_need_no_directory(void **state)
{
    (void)state;
    outcome *o = RUN("We are sorry if we did anything wrong.", "--format",
                     "json");
    assert_int_equal(o->code, 0);
    has(o->out, "\"score\":6");
}

int main(void)
{
    if (!getenv("MC_BIN")) {
        fprintf(stderr, "test_cli: set MC_BIN to the meaculpa binary\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_and_help),
        cmocka_unit_test(usage_errors_exit_2),
        cmocka_unit_test(stdin_text_report),
        cmocka_unit_test(min_score_gate),
        cmocka_unit_test(json_shape),
        cmocka_unit_test(jsonl_ids_round_trip),
        cmocka_unit_test(jsonl_bad_line_names_line),
        cmocka_unit_test(missing_file_others_still_scored),
        cmocka_unit_test(bad_rules_file_exit_2),
        cmocka_unit_test(check_rules_reports_failures),
        cmocka_unit_test(check_rules_reports_limits_as_warnings),
        cmocka_unit_test(invalid_utf8_names_position),
        cmocka_unit_test(colour_only_when_asked_or_on_a_terminal),
        cmocka_unit_test(dump_patterns),
        cmocka_unit_test(default_rules_need_no_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
