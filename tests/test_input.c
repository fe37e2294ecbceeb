/* test_input.c - odd bytes through the public API, one test per case of
 * issue 5: invalid UTF-8 (refused with its byte offset, line and column),
 * a BOM, NUL bytes, CRLF and lone CR, a very long line, an empty text, a
 * text over the library's size limit, and an HTML entity too large for a
 * code point.  Each asserts what is reported, and that the scorer goes on
 * scoring the next text.  Uses a small rule set of its own. */
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
    "[regret.sorry]\n"
    "category = regret\n"
    "effect = regret\n"
    "pattern = \\bsorry\\b\n"
    "message = Regret.\n"
    "match = we are sorry\n"
    "nomatch = we are fine\n"
    "[hedge.if]\n"
    "category = conditional\n"
    "effect = cap 6\n"
    "pattern = \\bsorry if\\b\n"
    "message = Conditional.\n"
    "suggestion = Drop the if.\n"
    "match = sorry if\n"
    "nomatch = sorry it\n";

static int setup(void **state)
{
    return fixture_setup(state, "input.rules", rules_text);
}

static mc_result *score_n(fixture *f, const char *text, size_t n)
{
    mc_result *res = NULL;
    mc_error err = {0};
    int rc = mc_score(f->scorer, text, n, MC_LANG_EN, &res, &err);
    if (rc != MC_OK)
        fail_msg("mc_score: %d: %s", rc, err.message);
    return res;
}

/* The scorer still works after whatever the test did. */
static void still_scores(fixture *f)
{
    mc_result *res = score_n(f, "We are sorry.", 13);
    assert_int_equal(mc_result_level(res), 9);
    mc_result_free(res);
}

static void expect_invalid(fixture *f, const char *text, size_t n,
                           size_t byte, int line, int column)
{
    mc_result *res = (mc_result *)1;
    mc_error err = {0};
    char want[64];
    assert_int_equal(mc_score(f->scorer, text, n, MC_LANG_EN, &res, &err),
                     MC_ERR_INPUT);
    assert_null(res);
    snprintf(want, sizeof want, "invalid UTF-8 at byte %zu", byte);
    assert_string_equal(err.message, want);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
}

/* Refused, not replaced: the offset is 0-based bytes, line and column
 * 1-based, the column in characters. */
static void invalid_utf8_is_refused_with_its_offset(void **state)
{
    fixture *f = *state;
    expect_invalid(f, "ok\n\xff bad", 8, 3, 2, 1);
    expect_invalid(f, "\xc5\xbc\xc3\xb3\xc5\x82w \xc3\x28", 10, 8, 1, 6);
    expect_invalid(f, "end \xe2\x82", 6, 4, 1, 5);          /* truncated */
    expect_invalid(f, "a\xed\xa0\x80z", 5, 1, 1, 2);        /* surrogate */
    expect_invalid(f, "a\xc0\xafz", 4, 1, 1, 2);            /* overlong */
    expect_invalid(f, "a\xf4\x90\x80\x80", 5, 1, 1, 2);     /* > U+10FFFF */
    expect_invalid(f, "a\r\n\rb\x80", 6, 5, 3, 2);          /* CRLF, CR */
    still_scores(f);
}

/* A UTF-8 BOM is skipped: same score, offsets count it, columns do not. */
static void bom_is_skipped(void **state)
{
    fixture *f = *state;
    const char *with = "\xef\xbb\xbfWe are sorry if it broke.";
    mc_result *res = score_n(f, with, strlen(with));
    const mc_finding *h = find_rule(res, "hedge.if");
    assert_non_null(h);
    assert_int_equal(mc_result_score(res), 6);
    assert_int_equal(h->offset, 3 + 7);
    assert_int_equal(h->line, 1);
    assert_int_equal(h->column, 8);
    assert_string_equal(h->match, "sorry if");
    mc_result_free(res);
    still_scores(f);
}

/* A NUL byte is a word break, not the end of the text; in a match it
 * shows as a space. */
static void nul_bytes_do_not_cut_the_text(void **state)
{
    fixture *f = *state;
    static const char text[] = "Hello\0there. We are sorry\0if it broke.";
    mc_result *res = score_n(f, text, sizeof text - 1);
    const mc_finding *h = find_rule(res, "hedge.if");
    assert_non_null(h);
    assert_int_equal(h->offset, 20);
    assert_int_equal(h->length, 8);
    assert_memory_equal(h->match, "sorry if", 9);
    assert_int_equal(mc_result_score(res), 6);
    mc_result_free(res);
    still_scores(f);
}

/* CRLF and a lone CR each end one line, for positions too. */
static void crlf_and_lone_cr_end_lines(void **state)
{
    fixture *f = *state;
    const char *text = "Hi.\r\nThanks.\rWe are sorry if it broke.\r\n";
    mc_result *res = score_n(f, text, strlen(text));
    const mc_finding *h = find_rule(res, "hedge.if");
    assert_non_null(h);
    assert_int_equal(h->line, 3);
    assert_int_equal(h->column, 8);
    assert_int_equal(h->offset, 20);
    assert_string_equal(h->match, "sorry if");
    mc_result_free(res);
}

/* One line of 2 MiB with no sentence end: scored whole, the hit at its
 * end found at the right offset.  The time budget is off, so that a slow
 * machine (or valgrind) cannot turn the hit into a limit finding. */
static void very_long_line_is_scored(void **state)
{
    fixture *f = *state;
    assert_int_equal(mc_scorer_set_limits(f->scorer, 0, ULONG_MAX), MC_OK);
    size_t n = 2u << 20;
    char *text = malloc(n + 32);
    assert_non_null(text);
    for (size_t i = 0; i < n; i += 8)
        memcpy(text + i, "and  so ", 8);
    strcpy(text + n, "we are sorry if");
    mc_result *res = score_n(f, text, strlen(text));
    const mc_finding *h = find_rule(res, "hedge.if");
    assert_non_null(h);
    assert_int_equal(h->offset, n + 7);
    assert_int_equal(h->line, 1);
    assert_int_equal(h->column, (int)(n + 8));
    assert_int_equal(mc_result_score(res), 6);
    mc_result_free(res);
    free(text);
    assert_int_equal(mc_scorer_set_limits(f->scorer, 0, 0), MC_OK);
}

/* An empty text (or NULL with length 0) is a text with no words: scored,
 * not an error. */
static void empty_text_is_scored(void **state)
{
    fixture *f = *state;
    mc_result *res = score_n(f, "", 0);
    assert_true(mc_result_score(res) >= 1 && mc_result_score(res) <= 10);
    mc_result_free(res);
    res = score_n(f, NULL, 0);
    assert_true(mc_result_score(res) >= 1 && mc_result_score(res) <= 10);
    mc_result_free(res);
    mc_error err = {0};
    assert_int_equal(mc_score(f->scorer, NULL, 5, MC_LANG_EN, &res, &err),
                     MC_ERR_USAGE);
    still_scores(f);
}

/* Over 256 MiB the library refuses the text before reading it (the CLI
 * refuses files over 32 MiB before that).  The buffer is never touched,
 * so it costs no memory. */
static void huge_text_is_refused(void **state)
{
    fixture *f = *state;
    size_t n = (256u << 20) + 1;
    char *text = malloc(n);
    if (!text)
        skip();
    mc_result *res = NULL;
    mc_error err = {0};
    assert_int_equal(mc_score(f->scorer, text, n, MC_LANG_EN, &res, &err),
                     MC_ERR_INPUT);
    assert_null(res);
    assert_non_null(strstr(err.message, "too large"));
    free(text);
    still_scores(f);
}

/* Found by fuzzing: eight hex digits in "&#x...;" overflowed; they are
 * now left as text, as any malformed entity is. */
static void regress_entity_with_eight_hex_digits(void **state)
{
    fixture *f = *state;
    const char *text = "&#xAAAAAAAA; &#x41; sorry";
    mc_result *res = score_n(f, text, strlen(text));
    assert_int_equal(mc_result_level(res), 9);
    mc_result_free(res);
}

/* Rules files are checked too: invalid UTF-8 and NUL are errors at their
 * line and column, and a message quoting the line never ends inside a
 * character. */
static void rules_file_odd_bytes(void **state)
{
    (void)state;
    mc_rules *rules = mc_rules_new();
    mc_error err = {0};
    static const char bad[] = "lang = en\n# caf\xc3\xa9 \xff\n";
    assert_int_equal(mc_rules_add_buffer(rules, "odd.rules", bad,
                                         sizeof bad - 1, &err), MC_ERR_RULES);
    assert_string_equal(err.file, "odd.rules");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 8);
    assert_non_null(strstr(err.message, "UTF-8"));
    static const char nul[] = "lang = en\n\0\n";
    assert_int_equal(mc_rules_add_buffer(rules, "odd.rules", nul,
                                         sizeof nul - 1, &err), MC_ERR_RULES);
    assert_int_equal(err.line, 2);
    /* 39 ASCII bytes, then a two-byte letter across the 40-byte cut */
    const char *cut = "lang = en\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc5\xbc\n";
    assert_int_equal(mc_rules_add_buffer(rules, "odd.rules", cut, strlen(cut),
                                         &err), MC_ERR_RULES);
    assert_int_equal(err.line, 2);
    assert_null(strstr(err.message, "\xc5\""));
    assert_non_null(strstr(err.message, "xxx\""));
    assert_int_equal(mc_rules_count(rules), 0);
    mc_rules_free(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_utf8_is_refused_with_its_offset),
        cmocka_unit_test(bom_is_skipped),
        cmocka_unit_test(nul_bytes_do_not_cut_the_text),
        cmocka_unit_test(crlf_and_lone_cr_end_lines),
        cmocka_unit_test(very_long_line_is_scored),
        cmocka_unit_test(empty_text_is_scored),
        cmocka_unit_test(huge_text_is_refused),
        cmocka_unit_test(regress_entity_with_eight_hex_digits),
        cmocka_unit_test(rules_file_odd_bytes),
    };
    return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
