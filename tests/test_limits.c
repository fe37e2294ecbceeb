/* test_limits.c - a runaway pattern never hangs a run: a rule like
 * (a+)+$ on a long line stops at PCRE2's match limit, a rule that stays
 * under the limit at every position runs out of its time budget, each is
 * reported as a limit finding naming the rule and its file:line, and the
 * other rules and texts are still scored.  No timing assertions: every
 * case asserts what is reported, and returns because the work is bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "fixture.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meaculpa.h"

static const char *rules_text =
    "lang = en\n"
    "\n"
    "[evil.nested]\n"
    "category = test\n"
    "effect = cap 6\n"
    "pattern = (a+)+$\n"
    "message = A nested repeat.\n"
    "suggestion = Do not nest repeats.\n"
    "match = aaa\n"
    "nomatch = bbb\n"
    "\n"
    "[slow.repeats]\n"
    "category = test\n"
    "effect = deduct excuse\n"
    "scope = text\n"
    "pattern = (?:x{0,30}){3}(?:y|\\z)\n"
    "message = Slow at every position, but under the match limit.\n"
    "suggestion = Do not.\n"
    "match = xy\n"
    "nomatch = zzz\n"
    "\n"
    "[regret.sorry]\n"
    "category = regret\n"
    "effect = regret\n"
    "pattern = \\bsorry\\b\n"
    "message = Regret.\n"
    "match = we are sorry\n"
    "nomatch = we are fine\n"
    "\n"
    "[window.edge]\n"
    "category = remedy\n"
    "effect = component remedy\n"
    "pattern = (?<=q)refunded\\b\n"
    "message = A remedy.\n"
    "match = qrefunded\n"
    "nomatch = refunded\n";

/* The line of "[evil.nested]" above. */
#define EVIL_LINE 3

static int setup(void **state)
{
    return fixture_setup(state, "limits.rules", rules_text);
}

/* n copies of c, then tail, NUL-terminated; the caller frees. */
static char *run_of(char c, size_t n, const char *tail)
{
    size_t k = strlen(tail);
    char *s = malloc(n + k + 1);
    assert_non_null(s);
    memset(s, c, n);
    memcpy(s + n, tail, k + 1);
    return s;
}

static size_t count_limits(const mc_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < mc_result_finding_count(r); i++)
        n += mc_result_finding(r, i)->effect == MC_EFFECT_LIMIT;
    return n;
}

static mc_result *score(fixture *f, const char *text)
{
    mc_result *res = NULL;
    mc_error err = {0};
    assert_int_equal(mc_score(f->scorer, text, strlen(text), MC_LANG_EN, &res,
                              &err), MC_OK);
    assert_non_null(res);
    return res;
}

static void nested_repeat_on_long_line_is_a_limit_finding(void **state)
{
    fixture *f = *state;
    char *text = run_of('a', 20 * 1024, "b sorry");
    mc_result *res = score(f, text);
    const mc_finding *lim = find_rule(res, "evil.nested");
    assert_non_null(lim);
    assert_int_equal(lim->effect, MC_EFFECT_LIMIT);
    assert_string_equal(lim->category, "limit");
    assert_string_equal(lim->rule_file, "limits.rules");
    assert_int_equal(lim->rule_line, EVIL_LINE);
    assert_int_equal(lim->line, 0);
    assert_int_equal(lim->counted, 0);
    assert_non_null(strstr(lim->message, "rule evil.nested (limits.rules:3)"));
    assert_non_null(strstr(lim->message, "limit"));
    assert_non_null(strstr(lim->message, "scored without this rule"));
    /* The other rules still ran on this text. */
    assert_non_null(find_rule(res, "regret.sorry"));
    assert_int_equal(mc_result_level(res), 9);
    mc_result_free(res);
    free(text);
}

static void other_texts_in_the_run_still_score(void **state)
{
    fixture *f = *state;
    char *text = run_of('a', 20 * 1024, "b");
    mc_result *res = score(f, text);
    assert_non_null(find_rule(res, "evil.nested"));
    mc_result_free(res);
    res = score(f, "We are sorry, aaa");
    assert_int_equal(count_limits(res), 0);
    assert_non_null(find_rule(res, "regret.sorry"));
    assert_int_equal(mc_result_level(res), 6); /* evil.nested matched "aaa" */
    mc_result_free(res);
    free(text);
}

static void limit_finding_is_in_the_json_report(void **state)
{
    fixture *f = *state;
    char *text = run_of('a', 4096, "b");
    mc_result *res = score(f, text);
    char *json = mc_report_json(res, "t.txt", NULL);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"rule\":\"evil.nested\""));
    assert_non_null(strstr(json, "\"effect\":\"limit\""));
    free(json);
    mc_result_free(res);
    free(text);
}

/* An anchored text-scope test ("no apology anywhere, then a refusal")
 * has one start position for the whole text, so it gets the match limit
 * once per 256 bytes: on a long e-mail it still runs, while an anchored
 * nested repeat is still stopped. */
static void anchored_pattern_limit_grows_with_the_text(void **state)
{
    (void)state;
    const char *text =
        "lang = en\n"
        "[scan.whole]\ncategory = blame\neffect = cap 2\nscope = text\n"
        "pattern = ^(?![\\s\\S]*?\\bapolog)[\\s\\S]*?\\bdeclined\\b\n"
        "message = m\nsuggestion = s\nmatch = it was declined\n"
        "nomatch = we apologise, it was declined\n"
        "[evil.anchored]\ncategory = test\neffect = cap 6\n"
        "pattern = ^(?:a+)+$\nmessage = m\nsuggestion = s\n"
        "match = aaa\nnomatch = bbb\n";
    mc_rules *rules = mc_rules_new();
    mc_error err = {0};
    assert_int_equal(mc_rules_add_buffer(rules, "anchored.rules", text,
                                         strlen(text), &err), MC_OK);
    mc_scorer *sc = mc_scorer_new(rules, &err);
    assert_non_null(sc);
    size_t n = 200000; /* well past one flat match limit of scanning */
    char *mail = malloc(n + 40);
    assert_non_null(mail);
    for (size_t i = 0; i < n; i += 5)
        memcpy(mail + i, "word ", 5);
    strcpy(mail + n, "Your claim was declined.");
    mc_result *res = NULL;
    assert_int_equal(mc_score(sc, mail, strlen(mail), MC_LANG_EN, &res, &err),
                     MC_OK);
    assert_int_equal(count_limits(res), 0);
    assert_int_equal(mc_result_score(res), 2);
    mc_result_free(res);
    char *evil = run_of('a', 30, "b");
    res = NULL;
    assert_int_equal(mc_score(sc, evil, strlen(evil), MC_LANG_EN, &res, &err),
                     MC_OK);
    assert_int_equal(count_limits(res), 1);
    mc_result_free(res);
    free(evil);
    free(mail);
    mc_scorer_free(sc);
    mc_rules_free(rules);
}

/* Under the match limit at every start position, but 200 KB of them: the
 * time budget (20 ms here) stops the rule; the text is still scored. */
static void time_budget_stops_a_slow_rule(void **state)
{
    fixture *f = *state;
    assert_int_equal(mc_scorer_set_limits(f->scorer, 0, 20), MC_OK);
    char *text = run_of('x', 200 * 1024, " sorry");
    mc_result *res = score(f, text);
    const mc_finding *lim = find_rule(res, "slow.repeats");
    assert_non_null(lim);
    assert_int_equal(lim->effect, MC_EFFECT_LIMIT);
    assert_non_null(strstr(lim->message, "time budget"));
    assert_non_null(find_rule(res, "regret.sorry"));
    mc_result_free(res);
    assert_int_equal(mc_scorer_set_limits(f->scorer, 0, 0), MC_OK);
    free(text);
}

static void set_limits_rejects_bad_arguments(void **state)
{
    fixture *f = *state;
    assert_int_equal(mc_scorer_set_limits(NULL, 0, 0), MC_ERR_USAGE);
    if (ULONG_MAX > 0xFFFFFFFFul)
        assert_int_equal(mc_scorer_set_limits(f->scorer, ULONG_MAX, 0),
                         MC_ERR_USAGE);
    assert_int_equal(mc_scorer_set_limits(f->scorer, 0, ULONG_MAX), MC_OK);
    assert_int_equal(mc_scorer_set_limits(f->scorer, 0, 0), MC_OK);
}

/* Long subjects are searched in windows of start positions: a match
 * across a window edge, and a lookbehind into the previous window, are
 * found at the right offset. */
static void long_sentences_match_across_windows(void **state)
{
    fixture *f = *state;
    for (size_t pad = 500; pad < 530; pad++) {
        char *text = run_of('z', pad, " qrefunded, we are sorry");
        mc_result *res = score(f, text);
        const mc_finding *hit = find_rule(res, "window.edge");
        assert_non_null(hit);
        assert_int_equal(hit->offset, pad + 2);
        assert_string_equal(hit->match, "refunded");
        hit = find_rule(res, "regret.sorry");
        assert_non_null(hit);
        assert_string_equal(hit->match, "sorry");
        mc_result_free(res);
        free(text);
    }
}

typedef struct {
    int calls, limits;
    char last[1024];
} check_log;

static void check_cb(void *ctx, const char *file, int line, const char *rule,
                     const char *msg)
{
    check_log *log = ctx;
    (void)file;
    (void)line;
    (void)rule;
    log->calls++;
    log->limits += strncmp(msg, "limit: ", 7) == 0;
    snprintf(log->last, sizeof log->last, "%s", msg);
}

/* --check-rules tells a rule that hits a limit on its own example apart
 * from one that merely does not match it. */
static void check_rules_reports_limits_distinctly(void **state)
{
    (void)state;
    static const char *text =
        "lang = en\n"
        "[evil.example]\n"
        "category = test\n"
        "effect = regret\n"
        "pattern = (a+)+$\n"
        "message = m\n"
        "match = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n"
        "nomatch = bbb\n"
        "[plain.miss]\n"
        "category = test\n"
        "effect = regret\n"
        "pattern = \\bzebra\\b\n"
        "message = m\n"
        "match = no stripes here\n"
        "nomatch = bbb\n";
    mc_rules *rules = mc_rules_new();
    mc_error err = {0};
    assert_int_equal(mc_rules_add_buffer(rules, "x.rules", text, strlen(text),
                                         &err), MC_OK);
    check_log log = {0};
    assert_int_equal(mc_rules_check(rules, check_cb, &log), 2);
    assert_int_equal(log.calls, 2);
    assert_int_equal(log.limits, 1);
    mc_rules_free(rules);
}

/* A text dense with hits lists at most 100 findings per rule, and says
 * how many more there were; the score still counts them all. */
static void findings_per_rule_are_capped(void **state)
{
    fixture *f = *state;
    size_t n = 150;
    char *text = malloc(n * 8 + 1);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * 8, "Sorry.  ", 8);
    text[n * 8] = 0;
    mc_result *res = score(f, text);
    size_t sorry = 0;
    for (size_t i = 0; i < mc_result_finding_count(res); i++)
        sorry += strcmp(mc_result_finding(res, i)->rule, "regret.sorry") == 0;
    assert_int_equal(sorry, 100);
    const mc_finding *lim = find_rule(res, "limit.findings");
    assert_non_null(lim);
    assert_int_equal(lim->effect, MC_EFFECT_LIMIT);
    assert_int_equal(lim->line, 0);
    assert_non_null(strstr(lim->message, "50 more findings"));
    assert_int_equal(mc_result_level(res), 9);
    mc_result_free(res);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nested_repeat_on_long_line_is_a_limit_finding),
        cmocka_unit_test(other_texts_in_the_run_still_score),
        cmocka_unit_test(limit_finding_is_in_the_json_report),
        cmocka_unit_test(time_budget_stops_a_slow_rule),
        cmocka_unit_test(set_limits_rejects_bad_arguments),
        cmocka_unit_test(anchored_pattern_limit_grows_with_the_text),
        cmocka_unit_test(long_sentences_match_across_windows),
        cmocka_unit_test(check_rules_reports_limits_distinctly),
        cmocka_unit_test(findings_per_rule_are_capped),
    };
    return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
