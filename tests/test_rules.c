/* test_rules.c - the rules loader: a good file loads, every kind of bad
 * file is refused with the file, line and column a user needs, and the
 * self-test reports failing examples by line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "meaculpa.h"

#define HEAD "lang = en\n"
#define GOOD_RULE                                                          \
    "[hedge.if]\n"                                                         \
    "category = conditional\n"                                             \
    "effect = cap 6\n"                                                     \
    "pattern = \\bsorry\\s+if\\b\n"                                        \
    "message = conditional regret\n"                                       \
    "suggestion = drop the if\n"                                           \
    "match = We are sorry if it broke.\n"                                  \
    "nomatch = We are sorry it broke.\n"

static int load(const char *text, mc_error *err)
{
    mc_rules *r = mc_rules_new();
    memset(err, 0, sizeof *err);
    int rc = mc_rules_add_buffer(r, "t.rules", text, strlen(text), err);
    mc_rules_free(r);
    return rc;
}

/* Asserts that text is refused at line:column with msg in the message. */
static void refused(const char *text, int line, int column, const char *msg)
{
    mc_error err;
    assert_int_equal(load(text, &err), MC_ERR_RULES);
    assert_string_equal(err.file, "t.rules");
    assert_int_equal(err.line, line);
    if (column)
        assert_int_equal(err.column, column);
    if (!strstr(err.message, msg))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, msg);
}

static void good_file_loads(void **state)
{
    (void)state;
    mc_rules *r = mc_rules_new();
    mc_error err;
    const char *text = "# comment\n" HEAD "\n" GOOD_RULE;
    assert_int_equal(mc_rules_add_buffer(r, "t.rules", text, strlen(text), &err),
                     MC_OK);
    assert_int_equal(mc_rules_count(r), 1);
    assert_int_equal(mc_rules_check(r, NULL, NULL), 0);
    mc_rules_free(r);
}

static void unknown_key(void **state)
{
    (void)state;
    refused(HEAD "[a.b]\ncategory = x\npatern = foo\n", 4, 1,
            "unknown key \"patern\"");
}

static void missing_lang(void **state)
{
    (void)state;
    refused("[a.b]\ncategory = x\n", 1, 1, "\"lang\" must come before");
    refused("# nothing\n", 1, 1, "missing \"lang");
}

static void bad_lang(void **state)
{
    (void)state;
    refused("lang = de\n", 1, 8, "lang is en, ru, pl or *");
}

static void bad_effect(void **state)
{
    (void)state;
    refused(HEAD "[a.b]\neffect = cap 4\n", 3, 10, "cap must be");
    refused(HEAD "[a.b]\neffect = component luck\n", 3, 10,
            "unknown component \"luck\"");
    refused(HEAD "[a.b]\neffect = deduct tone\n", 3, 10, "unknown deduction");
    refused(HEAD "[a.b]\neffect = shout\n", 3, 10, "unknown effect");
    refused(HEAD "[a.b]\nwith-regret = cap 4\n", 3, 15, "with-regret takes");
    refused(HEAD "[a.b]\nwith-regret = cap 5 now\n", 3, 15, "with-regret takes");
    refused(HEAD "[a.b]\nrequires = remorse\n", 3, 12, "requires takes");
    /* a mask hides hits; "unless" is for the rules whose hits count */
    refused(HEAD "[mask.q]\ncategory = quote\neffect = mask\nunless = regret\n"
                 "pattern = x\nmessage = m\nmatch = x\nnomatch = y\n", 2, 1,
            "not \"unless\"");
    refused(HEAD "[mask.q]\ncategory = quote\neffect = mask\nneeds = excuse\n"
                 "pattern = x\nmessage = m\nmatch = x\nnomatch = y\n", 2, 1,
            "not \"needs\"");
    /* with-regret changes a cap: on a component it means nothing */
    refused(HEAD "[hedge.if]\ncategory = c\neffect = component remedy\n"
                 "with-regret = cap 5\npattern = x\nmessage = m\n"
                 "match = x\nnomatch = y\n", 2, 1, "needs effect = cap");
}

static void bad_regex_column(void **state)
{
    (void)state;
    /* The unmatched ')' is the 6th character of the value at column 11. */
    refused(HEAD "[a.b]\ncategory = x\neffect = regret\n"
                 "pattern = sorry)x\nmessage = m\nmatch = a\nnomatch = b\n",
            5, 16, "rule a.b");
}

static void missing_keys(void **state)
{
    (void)state;
    refused(HEAD "[a.b]\neffect = regret\npattern = x\n", 2, 1,
            "missing \"category\"");
    refused(HEAD "[a.b]\ncategory = c\neffect = regret\nmessage = m\n", 2, 1,
            "missing \"pattern\"");
    refused(HEAD "[a.b]\ncategory = c\neffect = cap 6\npattern = x\nmessage = m\n"
                 "match = x\nnomatch = y\n",
            2, 1, "missing \"suggestion\"");
    refused(HEAD "[a.b]\ncategory = c\neffect = regret\npattern = x\nmessage = m\n"
                 "match = x\n",
            2, 1, "\"nomatch\" example");
}

static void duplicate_id(void **state)
{
    (void)state;
    refused(HEAD GOOD_RULE GOOD_RULE, 10, 2, "duplicate rule id \"hedge.if\"");
}

static void unknown_definition(void **state)
{
    (void)state;
    refused(HEAD "[a.b]\ncategory = c\neffect = regret\npattern = x(?&nope)\n"
                 "message = m\nmatch = x\nnomatch = y\n",
            5, 12, "unknown definition");
}

static void bad_definition(void **state)
{
    (void)state;
    refused(HEAD "define sorry = (sorry\n" GOOD_RULE, 2, 0, "in definition");
    refused(HEAD "define 9x = a\n", 2, 1, "bad definition name");
}

static void definitions_are_used(void **state)
{
    (void)state;
    mc_rules *r = mc_rules_new();
    mc_error err;
    const char *text = HEAD "define apo = (?:sorry|apologi[sz]e)\n"
                            "define hedge = (?&apo)\\s+if\n"
                            "[hedge.if]\ncategory = c\neffect = cap 6\n"
                            "pattern = \\b(?&hedge)\\b\nmessage = m\n"
                            "suggestion = s\nmatch = We apologize if it broke.\n"
                            "nomatch = We apologize, it broke.\n";
    assert_int_equal(mc_rules_add_buffer(r, "t.rules", text, strlen(text), &err),
                     MC_OK);
    assert_int_equal(mc_rules_check(r, NULL, NULL), 0);
    mc_rules_free(r);
}

static void bad_section_and_id(void **state)
{
    (void)state;
    refused(HEAD "[Hedge If]\n", 2, 2, "bad rule id");
    refused(HEAD "[a.b\n", 2, 1, "section header");
    refused(HEAD "category = c\n", 2, 1, "outside a rule");
    refused(HEAD "[a.b]\njust words\n", 3, 1, "expected \"key = value\"");
}

static void nul_byte(void **state)
{
    (void)state;
    mc_error err;
    mc_rules *r = mc_rules_new();
    const char text[] = "lang = en\n[a.b]\0\n";
    assert_int_equal(mc_rules_add_buffer(r, "t.rules", text, sizeof text - 1,
                                         &err),
                     MC_ERR_RULES);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "NUL"));
    mc_rules_free(r);
}

static int failures_seen;
static int failure_line;
static void on_failure(void *ctx, const char *file, int line, const char *id,
                       const char *msg)
{
    (void)ctx;
    (void)msg;
    assert_string_equal(file, "t.rules");
    assert_string_equal(id, "hedge.if");
    failures_seen++;
    failure_line = line;
}

static void check_reports_failing_example(void **state)
{
    (void)state;
    mc_rules *r = mc_rules_new();
    mc_error err;
    const char *text = HEAD GOOD_RULE "nomatch = so sorry if that hurt\n";
    assert_int_equal(mc_rules_add_buffer(r, "t.rules", text, strlen(text), &err),
                     MC_OK);
    failures_seen = 0;
    assert_int_equal(mc_rules_check(r, on_failure, NULL), 1);
    assert_int_equal(failures_seen, 1);
    assert_int_equal(failure_line, 10);
    mc_rules_free(r);
}

static char sibling_msg[800];
static void on_sibling(void *ctx, const char *file, int line, const char *id,
                       const char *msg)
{
    (void)ctx;
    (void)file;
    (void)line;
    (void)id;
    failures_seen++;
    snprintf(sibling_msg, sizeof sibling_msg, "%s", msg);
}

/* Loads text as t.rules and runs the self-test on it: the number of
 * failing examples, the last message in sibling_msg. */
static int check_failures(const char *text)
{
    mc_rules *r = mc_rules_new();
    mc_error err;
    assert_int_equal(mc_rules_add_buffer(r, "t.rules", text, strlen(text), &err),
                     MC_OK);
    failures_seen = 0;
    sibling_msg[0] = 0;
    int failures = mc_rules_check(r, on_sibling, NULL);
    mc_rules_free(r);
    return failures;
}

/* A nomatch example says the sentence must not get the rule's effect, so
 * another rule with the same effect matching it fails the check, and the
 * failure names that rule; one with another effect, or hidden by a mask,
 * does not. */
static void nomatch_checked_against_same_effect(void **state)
{
    (void)state;
    const char *sibling =
        "[hedge.may]\ncategory = conditional\neffect = cap 6\n"
        "pattern = \\bsorry\\b.*\\bmay\\b\nmessage = m\nsuggestion = s\n"
        "match = sorry, it may have broken\nnomatch = sorry it broke\n";
    const char *other_effect =
        "[regret.sorry]\ncategory = regret\neffect = regret\n"
        "pattern = \\bsorry\\b\nmessage = m\nmatch = sorry\nnomatch = sad\n";
    const char *mask =
        "[mask.may-we]\ncategory = quote\neffect = mask\n"
        "pattern = \\bmay\\s+we\\b\nmessage = m\nmatch = may we\n"
        "nomatch = may it\n";
    char text[2048];
    struct { const char *extra, *nomatch; int failures; } cases[] = {
        {sibling, "nomatch = sorry, it may be late\n", 1},
        {other_effect, "nomatch = sorry it broke again\n", 0},
        {sibling, "nomatch = sorry, may we call you\n", 1},
    };
    for (int i = 0; i < 3; i++) {
        snprintf(text, sizeof text, "%s%s%s%s", HEAD, GOOD_RULE,
                 cases[i].nomatch, cases[i].extra);
        assert_int_equal(check_failures(text), cases[i].failures);
        if (cases[i].failures)
            assert_non_null(strstr(sibling_msg, "same effect from rule hedge.may"));
        if (i == 2) { /* the same text with a mask over "may we" passes */
            snprintf(text, sizeof text, "%s%s%s%s%s", HEAD, GOOD_RULE,
                     cases[i].nomatch, cases[i].extra, mask);
            assert_int_equal(check_failures(text), 0);
        }
    }
}

/* An "unless" rule's examples are tested with the rules it names: a
 * match example whose words hold one of their hits does not match. */
static void unless_examples_use_the_named_rules(void **state)
{
    (void)state;
    const char *rules =
        HEAD "[remedy.refund]\ncategory = remedy\neffect = component remedy\n"
        "pattern = \\brefunded\\b\nmessage = m\nmatch = we refunded you\n"
        "nomatch = no refund\n"
        "[but.any]\ncategory = sorry-but\neffect = cap 5\n"
        "unless = component\npattern = \\bbut\\b.*\nmessage = m\n"
        "suggestion = s\nmatch = sorry, but the fee stays\n"
        "nomatch = sorry, but we refunded you\n";
    char text[1024];
    for (int bad = 0; bad < 2; bad++) {
        snprintf(text, sizeof text, "%s%s", rules,
                 bad ? "match = sorry, but we refunded half\n" : "");
        assert_int_equal(check_failures(text), bad);
        if (bad)
            assert_non_null(strstr(sibling_msg, "does not match its example"));
    }
}

/* A "needs" rule's match examples must hold a hit it names: "excuse" is a
 * kind of deduction, as "component" is a kind of effect. */
static void needs_examples_use_the_named_rules(void **state)
{
    (void)state;
    const char *rules =
        HEAD "[excuse.storm]\ncategory = excuse\neffect = deduct excuse\n"
        "pattern = \\bthe storm\\b\nmessage = m\nsuggestion = s\n"
        "match = the storm\nnomatch = the calm\n"
        "[but.cause]\ncategory = sorry-but\neffect = cap 5\n"
        "needs = excuse\npattern = \\bbut\\b.*\nmessage = m\n"
        "suggestion = s\nmatch = sorry, but the storm hit us\n"
        "nomatch = sorry, but the fee stays\n";
    char text[1024];
    for (int bad = 0; bad < 2; bad++) {
        snprintf(text, sizeof text, "%s%s", rules,
                 bad ? "match = sorry, but the fee stays as it is\n" : "");
        assert_int_equal(check_failures(text), bad);
        if (bad)
            assert_non_null(strstr(sibling_msg, "does not match its example"));
    }
}

static void same_id_replaces(void **state)
{
    (void)state;
    mc_rules *r = mc_rules_new();
    mc_error err;
    const char *a = HEAD GOOD_RULE;
    const char *b = HEAD "[hedge.if]\ncategory = conditional\neffect = cap 6\n"
                         "pattern = \\bmaybe\\b\nmessage = m\nsuggestion = s\n"
                         "match = maybe\nnomatch = sorry if\n";
    assert_int_equal(mc_rules_add_buffer(r, "a.rules", a, strlen(a), &err), 0);
    assert_int_equal(mc_rules_add_buffer(r, "b.rules", b, strlen(b), &err), 0);
    assert_int_equal(mc_rules_count(r), 1);
    assert_int_equal(mc_rules_check(r, NULL, NULL), 0);
    assert_int_equal(mc_rules_disable(r, "hedge.if", &err), MC_OK);
    assert_int_equal(mc_rules_count(r), 0);
    assert_int_equal(mc_rules_disable(r, "no.such", &err), MC_ERR_USAGE);
    mc_rules_free(r);
}

static void missing_dir(void **state)
{
    (void)state;
    mc_rules *r = mc_rules_new();
    mc_error err;
    assert_int_equal(mc_rules_add_dir(r, "/nonexistent/rules", &err), MC_ERR_IO);
    assert_string_equal(err.file, "/nonexistent/rules");
    assert_non_null(strstr(err.message, "No such file"));
    mc_rules_free(r);
}

static void default_rules_load_and_pass(void **state)
{
    (void)state;
    mc_rules *r = mc_rules_new();
    mc_error err;
    assert_int_equal(mc_rules_add_default(r, &err), MC_OK);
    assert_true(mc_rules_count(r) > 0);
    assert_int_equal(mc_rules_check(r, NULL, NULL), 0);
    mc_rules_free(r);
    mc_rules_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_file_loads),
        cmocka_unit_test(unknown_key),
        cmocka_unit_test(missing_lang),
        cmocka_unit_test(bad_lang),
        cmocka_unit_test(bad_effect),
        cmocka_unit_test(bad_regex_column),
        cmocka_unit_test(missing_keys),
        cmocka_unit_test(duplicate_id),
        cmocka_unit_test(unknown_definition),
        cmocka_unit_test(bad_definition),
        cmocka_unit_test(definitions_are_used),
        cmocka_unit_test(bad_section_and_id),
        cmocka_unit_test(nul_byte),
        cmocka_unit_test(check_reports_failing_example),
        cmocka_unit_test(nomatch_checked_against_same_effect),
        cmocka_unit_test(unless_examples_use_the_named_rules),
        cmocka_unit_test(needs_examples_use_the_named_rules),
        cmocka_unit_test(same_id_replaces),
        cmocka_unit_test(missing_dir),
        cmocka_unit_test(default_rules_load_and_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
